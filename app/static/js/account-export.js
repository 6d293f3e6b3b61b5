// Export my data (the account page's export card): starts an export without leaving the
// page, then follows it live over the socket (export.progress, export.ready,
// export.failed) until its download link appears.
import { csrfToken, socket } from "./realtime.js";

const card = document.getElementById("export");
const form = document.getElementById("export-form");
const state = document.getElementById("export-state");
const bar = document.getElementById("export-progress");
const button = form.querySelector("button");

function sizeText(bytes) {
  const units = ["bytes", "KB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit ? value.toFixed(1) : value} ${units[unit]}`;
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
    state.textContent = `Your export is being made: ${payload.progress}%.`;
  } else if (payload.state === "ready") {
    const link = document.createElement("a");
    link.id = "export-link";
    link.href = payload.url;
    link.textContent = `download it (${sizeText(payload.size)})`;
    const until = new Date(payload.expires_at);
    state.append("Your export is ready: ", link, `, until ${until.toLocaleString()}.`);
  } else if (payload.state === "failed") {
    state.textContent = `Your last export failed: ${payload.reason}`;
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
      state.textContent = body.detail || "The export could not be started.";
      button.disabled = false;
    }
  } catch {
    state.textContent = "The export could not be started: the site cannot be reached.";
    button.disabled = false;
  }
});

for (const event of ["export.progress", "export.ready", "export.failed"]) {
  socket.on(event, show);
}
