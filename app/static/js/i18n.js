// Translations for the scripts. Strings are marked t("…") (placeholders as {name}) so that
// `make translations` extracts them; the page carries their translations in
// <body data-i18n> (app/i18n/catalog.py), so nothing more is fetched.
const catalog = JSON.parse(document.body.dataset.i18n || "{}");

// The page's language (<html lang>), for Intl number and time formats.
export const language = document.documentElement.lang || "en";

export function t(message, values = {}) {
  const text = catalog[message] || message;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));
}

const STATUS_WORDS = {
  queued: t("queued"),
  processing: t("processing"),
  ready: t("ready"),
  failed: t("failed"),
  waiting: t("waiting"),
  uploading: t("uploading"),
  rejected: t("rejected"),
  cancelled: t("cancelled"),
};

// A song's or an upload's status code (ready) as the reader says it (bereit, prêt).
export function statusWord(status) {
  return STATUS_WORDS[status] || status;
}

export function formatNumber(value, digits = 0) {
  return new Intl.NumberFormat(language, { maximumFractionDigits: digits, minimumFractionDigits: digits }).format(value);
}
