// The bell: unread count kept live (in its badge and its accessible name); a toast for
// each new notification, in every tab; opened, a menu of the latest notifications, each
// leading to its song, with "Mark all read".
import { language, t } from "./i18n.js";
import { csrfToken, socket } from "./realtime.js";
import { toast } from "./toast.js";

const bell = document.getElementById("bell");
const count = document.getElementById("unread-count");
const items = document.getElementById("bell-items");
const empty = document.getElementById("bell-empty");
const SHOWN = 8;
const ago = new Intl.RelativeTimeFormat(language, { numeric: "auto" });
const STEPS = [
  ["year", 31_536_000],
  ["month", 2_592_000],
  ["week", 604_800],
  ["day", 86_400],
  ["hour", 3_600],
  ["minute", 60],
];

// One message per plural form the three languages need: one, and any other count.
function unreadLabel(unread) {
  return unread === 1 ? t("Notifications, 1 unread") : t("Notifications, {count} unread", { count: unread });
}

function show(unread) {
  count.textContent = unread;
  count.hidden = unread === 0;
  bell.setAttribute("aria-label", unread ? unreadLabel(unread) : t("Notifications"));
}

function relative(iso) {
  const seconds = (new Date(iso) - Date.now()) / 1000;
  for (const [unit, size] of STEPS) {
    if (Math.abs(seconds) >= size) return ago.format(Math.round(seconds / size), unit);
  }
  return t("just now");
}

async function post(url) {
  const response = await fetch(url, {
    method: "POST",
    headers: { Accept: "application/json", "X-CSRFToken": csrfToken() },
  });
  return response.ok ? response.json() : null;
}

function item(notification) {
  const entry = document.createElement("li");
  const link = document.createElement("a");
  link.className = `dropdown-item notification-item${notification.read ? "" : " fw-semibold"}`;
  link.href = notification.link || "/notifications/";
  link.textContent = notification.text;
  const when = document.createElement("time");
  when.dateTime = notification.created_at;
  when.className = "d-block small muted fw-normal";
  when.textContent = relative(notification.created_at);
  link.append(when);
  link.addEventListener("click", async (event) => {
    if (notification.read) return;
    event.preventDefault();
    await post(`/notifications/${notification.id}/read`);
    window.location.assign(link.href);
  });
  entry.append(link);
  return entry;
}

async function load() {
  const response = await fetch("/notifications/", { headers: { Accept: "application/json" } });
  if (!response.ok) return;
  const { notifications, unread } = await response.json();
  show(unread);
  items.replaceChildren(...notifications.slice(0, SHOWN).map(item));
  empty.hidden = notifications.length > 0;
}

bell.addEventListener("show.bs.dropdown", load);
document.getElementById("bell-read-all").addEventListener("click", async () => {
  const answer = await post("/notifications/read-all");
  if (!answer) return;
  show(answer.unread);
  for (const link of items.querySelectorAll(".notification-item")) link.classList.remove("fw-semibold");
});

// A page that sums up its own work (the upload page) gets no toast per notification.
const quiet = document.querySelector("[data-summary-toasts]");

socket.on("notification.new", (notification) => {
  show(notification.unread);
  if (!quiet) toast(notification.text, notification.kind);
});

socket.on("connect", async () => {
  const response = await fetch("/notifications/", { headers: { Accept: "application/json" } });
  if (response.ok) show((await response.json()).unread);
});
