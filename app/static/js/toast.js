// Small, self-dismissing notices in the corner of the page (Bootstrap's toast look).
const container = document.getElementById("toasts");
const COLOURS = { ready: "text-bg-success", failed: "text-bg-danger", rejected: "text-bg-danger" };

export function toast(message, kind = "info") {
  const item = document.createElement("div");
  item.className = `toast show toast-${kind} ${COLOURS[kind] || "text-bg-dark"}`;
  item.setAttribute("role", "status");
  const body = document.createElement("div");
  body.className = "toast-body";
  body.textContent = message;
  item.append(body);
  container.append(item);
  setTimeout(() => item.remove(), 6000);
}
