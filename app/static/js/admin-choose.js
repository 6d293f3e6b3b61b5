// Admin lists: a "choose all" checkbox, and bulk buttons usable only once something is chosen.
const boxes = () => [...document.querySelectorAll('input[type="checkbox"][name="ids"]')];

function refresh() {
  const chosen = boxes().filter((box) => box.checked).length;
  for (const button of document.querySelectorAll("[data-needs-choice]")) {
    button.disabled = chosen === 0;
  }
  for (const all of document.querySelectorAll("[data-choose-all]")) {
    all.checked = chosen > 0 && chosen === boxes().length;
  }
}

document.addEventListener("change", (event) => {
  if (event.target.matches("[data-choose-all]")) {
    for (const box of boxes()) box.checked = event.target.checked;
  }
  if (event.target.matches("[data-choose-all], input[name='ids']")) refresh();
});

refresh();
