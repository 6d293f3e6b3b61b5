// Small, self-dismissing notices in the corner of the page.
const container = document.getElementById("toasts");

export function toast(message, kind = "info") {
  const item = document.createElement("div");
  item.className = `toast toast-${kind}`;
  item.setAttribute("role", "status");
  item.textContent = message;
  container.append(item);
  setTimeout(() => item.remove(), 6000);
}
