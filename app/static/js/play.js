// Play from the list: each row's play button plays its song in the player bar at the
// bottom of the page; when a song ends, the next playable row follows. The bar's audio
// element is the browser's own player (keyboard seek with the arrow keys included).
import { t } from "./i18n.js";

const bar = document.getElementById("player-bar");
const audio = document.getElementById("player-audio");
const title = document.getElementById("now-playing");
let current = null;

function mark(button, playing) {
  button.setAttribute("aria-pressed", String(playing));
  const label = playing ? t("Pause {title}", { title: button.dataset.title }) : t("Play {title}", { title: button.dataset.title });
  button.setAttribute("aria-label", label);
  button.querySelector("span").textContent = playing ? "❚❚" : "▶";
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
  if (audio.paused) audio.play();
  else audio.pause();
}

function next() {
  const buttons = [...document.querySelectorAll("button[data-play-for]:not(:disabled)")];
  return buttons[buttons.indexOf(current) + 1];
}

document.addEventListener("click", (event) => {
  const button = event.target.closest("button[data-play-for]");
  if (button) play(button);
});
audio.addEventListener("play", () => current && mark(current, true));
audio.addEventListener("pause", () => current && mark(current, false));
audio.addEventListener("ended", () => {
  const following = next();
  if (following) play(following);
});
