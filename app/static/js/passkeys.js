// Passkey ceremonies for Flask-Security's /wan-register, /wan-signin and /wan-verify pages.
// The page's form carries the server's options (data-credential-options) and which
// ceremony to run (data-ceremony: "create" or "get"); the browser's answer goes into the
// form's hidden "credential" field and the form is submitted.
import { t } from "./i18n.js";

const fromBase64url = (text) =>
  Uint8Array.from(
    atob(text.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((text.length + 3) % 4)),
    (char) => char.charCodeAt(0),
  );

const toBase64url = (buffer) =>
  btoa(String.fromCharCode(...new Uint8Array(buffer)))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");

const withBinaryIds = (descriptors = []) =>
  descriptors.map((descriptor) => ({ ...descriptor, id: fromBase64url(descriptor.id) }));

async function createPasskey(options) {
  const credential = await navigator.credentials.create({
    publicKey: {
      ...options,
      challenge: fromBase64url(options.challenge),
      user: { ...options.user, id: fromBase64url(options.user.id) },
      excludeCredentials: withBinaryIds(options.excludeCredentials),
    },
  });
  const response = credential.response;
  return {
    id: credential.id,
    rawId: toBase64url(credential.rawId),
    type: credential.type,
    response: {
      attestationObject: toBase64url(response.attestationObject),
      clientDataJSON: toBase64url(response.clientDataJSON),
      transports: response.getTransports ? response.getTransports() : null,
    },
    extensions: JSON.stringify(credential.getClientExtensionResults()),
  };
}

async function usePasskey(options) {
  const credential = await navigator.credentials.get({
    publicKey: {
      ...options,
      challenge: fromBase64url(options.challenge),
      allowCredentials: withBinaryIds(options.allowCredentials),
    },
  });
  const response = credential.response;
  return {
    id: credential.id,
    rawId: toBase64url(credential.rawId),
    type: credential.type,
    response: {
      authenticatorData: toBase64url(response.authenticatorData),
      clientDataJSON: toBase64url(response.clientDataJSON),
      signature: toBase64url(response.signature),
      userHandle: response.userHandle ? toBase64url(response.userHandle) : null,
    },
  };
}

async function runCeremony(form) {
  const errors = form.querySelector("[data-passkey-error]");
  const options = JSON.parse(form.dataset.credentialOptions);
  try {
    const credential =
      form.dataset.ceremony === "create" ? await createPasskey(options) : await usePasskey(options);
    form.elements.credential.value = JSON.stringify(credential);
    form.submit();
  } catch (error) {
    errors.textContent =
      error.name === "NotAllowedError"
        ? t("The passkey request was cancelled or timed out. Start again to retry.")
        : t("Your browser could not use a passkey: {reason}", { reason: error.message });
    errors.hidden = false;
  }
}

const form = document.querySelector("form[data-credential-options]");
if (form) {
  if (window.PublicKeyCredential) {
    runCeremony(form);
  } else {
    const errors = form.querySelector("[data-passkey-error]");
    errors.textContent = t("This browser does not support passkeys.");
    errors.hidden = false;
  }
}
