// Light or dark: the choice kept in this browser, else the system's. Loaded in the head
// (a classic script, not a module) so the first paint is already in the right theme.
(() => {
  const KEY = "encore-theme";
  const system = window.matchMedia("(prefers-color-scheme: dark)");
  const stored = () => localStorage.getItem(KEY) || "auto";
  const resolved = (choice) => (choice === "auto" ? (system.matches ? "dark" : "light") : choice);

  function apply(choice) {
    document.documentElement.dataset.bsTheme = resolved(choice);
    for (const button of document.querySelectorAll("[data-bs-theme-value]")) {
      const chosen = button.dataset.bsThemeValue === choice;
      button.classList.toggle("active", chosen);
      button.setAttribute("aria-pressed", String(chosen));
    }
  }

  apply(stored());
  system.addEventListener("change", () => apply(stored()));
  document.addEventListener("DOMContentLoaded", () => {
    apply(stored());
    document.addEventListener("click", (event) => {
      const button = event.target.closest("[data-bs-theme-value]");
      if (!button) return;
      localStorage.setItem(KEY, button.dataset.bsThemeValue);
      apply(button.dataset.bsThemeValue);
    });
  });
})();
