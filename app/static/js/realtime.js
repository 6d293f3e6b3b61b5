// One Socket.IO connection per page, authenticated by the session cookie.
import { io } from "../vendor/socket.io/socket.io.esm.min.js";

export const socket = io({ transports: ["websocket", "polling"] });

export function csrfToken() {
  return document.querySelector('meta[name="csrf-token"]').content;
}
