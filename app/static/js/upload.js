// Upload page: files chosen or dropped on the form each get a row; one XHR per file, each
// with its own progress bar, speed, time left and cancel button; a row's title and rating
// are sent when its upload starts and locked from then on; after the upload the row
// follows the song's processing status live.
import { formatNumber, statusWord, t } from "./i18n.js";
import { csrfToken } from "./realtime.js";
import { announce, watchStatuses } from "./live-status.js";
import { toast } from "./toast.js";

const form = document.getElementById("upload-form");
const input = document.getElementById("files");
const albumSelect = document.getElementById("default-album");
const table = document.getElementById("upload-rows");
const rows = table.querySelector("tbody");
const template = document.getElementById("upload-row");
const actions = document.getElementById("upload-actions");
const startButton = document.getElementById("start-uploads");
const pending = [];
// Where a started upload ends up; once every started row is there, one toast sums up.
const FINAL = new Set(["ready", "failed", "rejected", "cancelled"]);
const summarized = new Set();

function stem(name) {
  const dot = name.lastIndexOf(".");
  return dot > 0 ? name.slice(0, dot) : name;
}

function formatBytes(bytes) {
  const units = ["B", "KB", "MB", "GB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) { value /= 1024; unit += 1; }
  return `${formatNumber(value, unit ? 1 : 0)} ${units[unit]}`;
}

function formatSeconds(seconds) {
  if (!Number.isFinite(seconds)) return "–";
  const s = Math.max(0, Math.round(seconds));
  return s >= 60 ? t("{minutes} min {seconds} s", { minutes: Math.floor(s / 60), seconds: s % 60 }) : t("{seconds} s", { seconds: s });
}

function setStatus(row, status, text) {
  const badge = row.querySelector("[data-role=status]");
  badge.className = `status status-${status}`;
  badge.dataset.status = status;
  badge.textContent = text || statusWord(status);
}

function markFailed(row) {
  row.querySelector("progress").classList.add("failed");
}

function showError(row, message) {
  const error = row.querySelector(".field-error");
  error.textContent = message;
  error.hidden = false;
}

function problemMessage(xhr) {
  try {
    const problem = JSON.parse(xhr.responseText);
    if (problem.errors) return Object.values(problem.errors).join(" ");
    return problem.detail || problem.title;
  } catch {
    return t("The upload failed (HTTP {status}).", { status: xhr.status });
  }
}

function addRow(file) {
  const row = template.content.firstElementChild.cloneNode(true);
  // Left empty, the title comes from the file's tags (or its name): the name is a hint.
  row.querySelector(".title").placeholder = `From its tags, else “${stem(file.name).slice(0, 200)}”`;
  row.querySelector(".filename").textContent = `${file.name} · ${formatBytes(file.size)}`;
  rows.append(row);
  const job = { file, row, xhr: null, done: false };
  row.querySelector(".cancel").addEventListener("click", () => cancel(job));
  pending.push(job);
}

function cancel(job) {
  if (job.done) return;
  job.done = true;
  if (job.xhr) job.xhr.abort();
  setStatus(job.row, "cancelled");
  job.row.querySelector(".cancel").disabled = true;
}

function upload(job) {
  if (job.done || job.xhr) return;
  const { row, file } = job;
  row.querySelector(".title").readOnly = true;
  row.querySelector(".artist").readOnly = true;
  row.querySelector(".rating").disabled = true;
  const body = new FormData();
  body.append("title", row.querySelector(".title").value);
  body.append("artist", row.querySelector(".artist").value);
  body.append("rating", row.querySelector(".rating").value);
  body.append("album", albumSelect.value);
  body.append("file", file, file.name);

  const xhr = new XMLHttpRequest();
  job.xhr = xhr;
  const bar = row.querySelector("progress");
  const transfer = row.querySelector(".transfer");
  const started = performance.now();
  setStatus(row, "uploading");

  xhr.upload.addEventListener("progress", (event) => {
    if (!event.lengthComputable) return;
    const seconds = (performance.now() - started) / 1000;
    const speed = event.loaded / Math.max(seconds, 0.001);
    bar.value = (event.loaded / event.total) * 100;
    transfer.textContent = t("{done} of {total} · {speed}/s · {left} left", {
      done: formatBytes(event.loaded),
      total: formatBytes(event.total),
      speed: formatBytes(speed),
      left: formatSeconds((event.total - event.loaded) / speed),
    });
  });
  xhr.addEventListener("load", () => {
    job.done = true;
    row.querySelector(".cancel").disabled = true;
    if (xhr.status === 201) {
      const song = JSON.parse(xhr.responseText);
      bar.value = 100;
      transfer.innerHTML = "";
      const link = document.createElement("a");
      link.href = song.url;
      link.textContent = t("Open song");
      transfer.append(link);
      const badge = row.querySelector("[data-role=status]");
      badge.dataset.statusFor = song.id;
      row.querySelector(".title").dataset.titleFor = song.id;
      row.querySelector(".artist").dataset.artistFor = song.id;
      setStatus(row, song.status);
      watchStatuses([song.id]);
    } else {
      setStatus(row, "rejected");
      markFailed(row);
      showError(row, problemMessage(xhr));
      announce(t("{title}: rejected: {reason}", { title: row.querySelector(".title").value || file.name, reason: problemMessage(xhr) }));
    }
  });
  xhr.addEventListener("error", () => {
    job.done = true;
    setStatus(row, "failed", t("network error"));
    markFailed(row);
    showError(row, t("The connection was lost during the upload."));
    announce(t("{title}: the connection was lost during the upload.", { title: row.querySelector(".title").value || file.name }));
  });
  xhr.open("POST", form.action);
  xhr.setRequestHeader("X-CSRFToken", csrfToken());
  xhr.setRequestHeader("Accept", "application/json");
  xhr.send(body);
}

function statusOf(job) {
  return job.row.querySelector("[data-role=status]").dataset.status;
}

function summarize() {
  const batch = pending.filter((job) => job.xhr && !summarized.has(job));
  if (!batch.length || !batch.every((job) => FINAL.has(statusOf(job)))) return;
  const counts = {};
  for (const job of batch) {
    summarized.add(job);
    counts[statusOf(job)] = (counts[statusOf(job)] || 0) + 1;
  }
  const parts = Object.entries(counts).map(([status, count]) => `${formatNumber(count)} ${statusWord(status)}`);
  const problems = (counts.failed || 0) + (counts.rejected || 0);
  toast(t("Uploads finished: {counts}.", { counts: parts.join(", ") }), problems ? "failed" : "ready");
}

new MutationObserver(summarize).observe(rows, { subtree: true, childList: true, characterData: true });

function addFiles(files) {
  for (const file of files) addRow(file);
  table.hidden = pending.length === 0;
  actions.hidden = !pending.some((job) => !job.done && !job.xhr);
}

function startAll() {
  for (const job of pending) upload(job);
  actions.hidden = true;
}

input.addEventListener("change", () => {
  addFiles(input.files);
  input.value = "";
});

form.addEventListener("dragover", (event) => {
  event.preventDefault();
  form.classList.add("dragging");
});
form.addEventListener("dragleave", () => form.classList.remove("dragging"));
form.addEventListener("drop", (event) => {
  event.preventDefault();
  form.classList.remove("dragging");
  addFiles(event.dataTransfer.files);
});

startButton.addEventListener("click", startAll);

form.addEventListener("submit", (event) => {
  event.preventDefault();
  startAll();
});
