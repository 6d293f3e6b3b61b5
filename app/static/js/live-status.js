// Live processing status: every element with data-status-for="<song id>" follows the
// song's status as the worker changes it, with a toast when a song is ready or failed.
// After a reconnect the page asks for the current state, so no change is missed.
import { socket } from "./realtime.js";
import { toast } from "./toast.js";

const watched = new Set();

function collect() {
  for (const element of document.querySelectorAll("[data-status-for]")) {
    watched.add(element.dataset.statusFor);
  }
}

function formatDuration(seconds) {
  if (seconds === null || seconds === undefined) return "–";
  const whole = Math.floor(seconds);
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, "0")}`;
}

export function applyStatus(payload, { announce = true } = {}) {
  let changed = false;
  for (const badge of document.querySelectorAll(`[data-status-for="${payload.id}"]`)) {
    if (badge.textContent !== payload.status) changed = true;
    badge.textContent = payload.status;
    badge.className = `status status-${payload.status}`;
    badge.title = payload.reason || "";
  }
  for (const reason of document.querySelectorAll(`[data-reason-for="${payload.id}"]`)) {
    reason.textContent = payload.reason || "";
  }
  if ("duration" in payload) {
    for (const cell of document.querySelectorAll(`[data-duration-for="${payload.id}"]`)) {
      cell.textContent = formatDuration(payload.duration);
    }
  }
  if (announce && changed && (payload.status === "ready" || payload.status === "failed")) {
    const title = payload.title || "A song";
    toast(payload.status === "ready" ? `“${title}” is ready.` : `“${title}” failed: ${payload.reason}`,
      payload.status);
  }
}

async function refresh() {
  if (!watched.size) return;
  const ids = [...watched].join(",");
  const response = await fetch(`/songs/status?ids=${encodeURIComponent(ids)}`, {
    headers: { Accept: "application/json" },
  });
  if (!response.ok) return;
  const { songs } = await response.json();
  for (const payload of songs) applyStatus(payload, { announce: false });
}

export function watchStatuses(ids) {
  for (const id of ids) watched.add(id);
}

collect();
socket.on("song.status", (payload) => applyStatus(payload));
socket.on("connect", refresh);
