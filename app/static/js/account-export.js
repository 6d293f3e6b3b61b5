// Export my data (the account page's export card): starts an export without leaving the
// page, then follows it live over the socket (export.progress, export.ready,
// export.failed) until its download link appears.
import { formatNumber, language, t } from "./i18n.js";
import { csrfToken, socket } from "./realtime.js";

const card = document.getElementById("export");
const form = document.getElementById("export-form");
const state = document.getElementById("export-state");
const bar = document.getElementById("export-progress");
const button = form.querySelector("button");

function sizeText(bytes) {
  const units = [t("bytes"), "KB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${formatNumber(value, unit ? 1 : 0)} ${units[unit]}`;
}

function show(payload) {
  if (card.dataset.exportId && payload.id !== card.dataset.exportId) return;
  card.dataset.exportId = payload.id;
  card.dataset.exportState = payload.state;
  const busy = payload.state === "queued" || payload.state === "building";
  bar.hidden = !busy;
  bar.value = payload.progress;
  button.disabled = busy;
  state.replaceChildren();
  if (busy) {
    state.textContent = t("Your export is being made: {progress}%.", { progress: payload.progress });
  } else if (payload.state === "ready") {
    const link = document.createElement("a");
    link.id = "export-link";
    link.href = payload.url;
    link.textContent = t("download it ({size})", { size: sizeText(payload.size) });
    const until = new Date(payload.expires_at);
    const text = t("Your export is ready: {link}, until {until}.", { until: until.toLocaleString(language) });
    const [before, after] = text.split("{link}");
    state.append(before, link, after ?? "");
  } else if (payload.state === "failed") {
    state.textContent = t("Your last export failed: {reason}", { reason: payload.reason });
  }
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  button.disabled = true;
  // The worker may report before this answer arrives: whichever comes first is shown.
  card.dataset.exportId = "";
  try {
    const response = await fetch(form.action, {
      method: "POST",
      headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
      credentials: "same-origin",
    });
    const body = await response.json();
    if (response.ok) {
      if (!card.dataset.exportId) show(body);
    } else {
      state.textContent = body.detail || t("The export could not be started.");
      button.disabled = false;
    }
  } catch {
    state.textContent = t("The export could not be started: the site cannot be reached.");
    button.disabled = false;
  }
});

for (const event of ["export.progress", "export.ready", "export.failed"]) {
  socket.on(event, show);
}
