// Live processing status: every element with data-status-for="<song id>" follows the
// song's status as the worker changes it (the toast comes with the notification, see
// bell.js). After a reconnect the page asks for the current state, so nothing is missed.
// Each change is also said, in one short sentence, in the page's polite live region
// (#status-announcer), for people who cannot see the badge change.
import { statusWord } from "./i18n.js";
import { socket } from "./realtime.js";

const watched = new Set();
const announcer = document.getElementById("status-announcer");
// The last sentences stay in the region, so a change said while another is read is kept.
const SENTENCES_KEPT = 5;

export function announce(sentence) {
  if (!announcer) return;
  const line = document.createElement("p");
  line.textContent = sentence;
  announcer.append(line);
  while (announcer.childElementCount > SENTENCES_KEPT) announcer.firstElementChild.remove();
}

function sentenceFor(payload) {
  const reason = payload.status === "failed" && payload.reason ? `: ${payload.reason}` : "";
  return `${payload.title}: ${statusWord(payload.status)}${reason}`;
}

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

export function applyStatus(payload) {
  const badges = document.querySelectorAll(`[data-status-for="${payload.id}"]`);
  if ([...badges].some((badge) => badge.dataset.status !== payload.status)) {
    announce(sentenceFor(payload));
  }
  for (const badge of badges) {
    badge.dataset.status = payload.status;
    badge.textContent = statusWord(payload.status);
    badge.className = `status status-${payload.status}`;
    badge.title = payload.reason || "";
  }
  for (const button of document.querySelectorAll(`[data-play-for="${payload.id}"]`)) {
    button.disabled = payload.status !== "ready";
  }
  // Upload rows show the title and artist processing took from the file's tags.
  for (const field of document.querySelectorAll(`input[data-title-for="${payload.id}"]`)) {
    field.value = payload.title;
  }
  for (const field of document.querySelectorAll(`input[data-artist-for="${payload.id}"]`)) {
    field.value = payload.artist || "";
  }
  for (const reason of document.querySelectorAll(`[data-reason-for="${payload.id}"]`)) {
    reason.textContent = payload.reason || "";
  }
  if ("duration" in payload) {
    for (const cell of document.querySelectorAll(`[data-duration-for="${payload.id}"]`)) {
      cell.textContent = formatDuration(payload.duration);
    }
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
  for (const payload of songs) applyStatus(payload);
}

export function watchStatuses(ids) {
  for (const id of ids) watched.add(id);
}

// The library table shows songs that appear while it is open (uploaded in another tab).
const table = document.getElementById("song-table");
const firstPage = table && !new URLSearchParams(window.location.search).has("after");

// Song id -> the newest status heard while its row is being fetched (null: none yet).
// The row comes rendered as the song was when it was asked for; only what was heard
// after that is newer, so the status that announced the song is not applied again.
const arriving = new Map();

async function insertRow(id) {
  arriving.set(id, null);
  const response = await fetch(`/songs/${id}/row`, { headers: { Accept: "text/html" } });
  const text = response.ok ? await response.text() : "";
  const newest = arriving.get(id);
  arriving.delete(id);
  if (!response.ok || document.querySelector(`tr[data-song-id="${id}"]`)) return;
  const holder = document.createElement("tbody");
  holder.innerHTML = text.trim();
  table.querySelector("tbody").prepend(holder.firstElementChild);
  table.hidden = false;
  document.getElementById("no-songs")?.remove();
  if (newest) applyStatus(newest);
}

collect();
socket.on("song.status", (payload) => {
  if (arriving.has(payload.id)) {
    arriving.set(payload.id, payload);
  } else if (firstPage && !watched.has(payload.id)) {
    watched.add(payload.id);
    insertRow(payload.id);
  } else {
    applyStatus(payload);
  }
});
socket.on("connect", refresh);
