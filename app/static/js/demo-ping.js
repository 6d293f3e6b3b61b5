import { socket, csrfToken } from "./realtime.js";

const button = document.getElementById("demo-ping");
const result = document.getElementById("demo-ping-result");

socket.on("connect", () => { result.textContent = "Connected."; });
socket.on("disconnect", () => { result.textContent = "Disconnected; reconnecting…"; });
socket.on("demo.pong", (payload) => {
  const roundTrip = Date.now() / 1000 - payload.sent_at;
  result.textContent = `Pong from ${payload.worker} after ${(roundTrip * 1000).toFixed(0)} ms`;
});

button.addEventListener("click", async () => {
  result.textContent = "Ping sent…";
  const response = await fetch(button.dataset.url, {
    method: "POST",
    headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
  });
  if (!response.ok) {
    result.textContent = `Ping failed: HTTP ${response.status}`;
  }
});
