// The bell: unread count kept live; a toast for each new notification, in every tab.
import { socket } from "./realtime.js";
import { toast } from "./toast.js";

const count = document.getElementById("unread-count");

function show(unread) {
  count.textContent = unread;
  count.hidden = unread === 0;
}

socket.on("notification.new", (notification) => {
  show(notification.unread);
  toast(notification.text, notification.kind);
});

socket.on("connect", async () => {
  const response = await fetch("/notifications/", { headers: { Accept: "application/json" } });
  if (response.ok) show((await response.json()).unread);
});
