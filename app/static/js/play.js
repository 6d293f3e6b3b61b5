// Play from the list: each row's play button plays its song in the player bar at the
// bottom of the page. The page's playable rows are the queue: when a song ends the next
// one follows, and the bar's previous and next buttons (and a keyboard's or headset's
// media keys) step through them. The bar's audio element is the browser's own player
// (keyboard seek with the arrow keys included).
import { t } from "./i18n.js";

const bar = document.getElementById("player-bar");
const audio = document.getElementById("player-audio");
const title = document.getElementById("now-playing");
const previousButton = document.getElementById("player-previous");
const nextButton = document.getElementById("player-next");
let current = null;

function mark(button, playing) {
  button.setAttribute("aria-pressed", String(playing));
  const label = playing ? t("Pause {title}", { title: button.dataset.title }) : t("Play {title}", { title: button.dataset.title });
  button.setAttribute("aria-label", label);
  button.querySelector("span").textContent = playing ? "❚❚" : "▶";
}

// The song ``step`` rows away from the one playing, among the rows that can play now.
function neighbour(step) {
  const buttons = [...document.querySelectorAll("button[data-play-for]:not(:disabled)")];
  const at = buttons.indexOf(current);
  return at < 0 ? undefined : buttons[at + step];
}

function updateSteps() {
  previousButton.disabled = !neighbour(-1);
  nextButton.disabled = !neighbour(1);
}

function play(button) {
  if (current && current !== button) mark(current, false);
  if (current !== button) {
    current = button;
    audio.src = button.dataset.src;
    title.textContent = button.dataset.title;
    bar.hidden = false;
    document.body.classList.add("with-player");
  }
  updateSteps();
  if (audio.paused) audio.play();
  else audio.pause();
}

function go(step) {
  const target = neighbour(step);
  if (target) play(target);
}

document.addEventListener("click", (event) => {
  const button = event.target.closest("button[data-play-for]");
  if (button) play(button);
});
previousButton.addEventListener("click", () => go(-1));
nextButton.addEventListener("click", () => go(1));
if ("mediaSession" in navigator) {
  navigator.mediaSession.setActionHandler("previoustrack", () => go(-1));
  navigator.mediaSession.setActionHandler("nexttrack", () => go(1));
}
// Rows become playable (or not) as songs are processed: the steps are checked again.
audio.addEventListener("play", () => { if (current) mark(current, true); updateSteps(); });
audio.addEventListener("pause", () => { if (current) mark(current, false); updateSteps(); });
audio.addEventListener("ended", () => go(1));
