// Song page: draw the waveform and seek with it, by click or by keyboard (a slider: arrow
// keys move 5 s, Page Up/Down 30 s, Home and End to either end). The song's length is the
// one processing decoded; the browser's may come from a header that claims more (a file
// cut short), and only the decoded part can be played.
const canvas = document.querySelector("canvas.waveform");
const audio = document.querySelector("audio");

function draw(peaks, progress) {
  const context = canvas.getContext("2d");
  const { width, height } = canvas;
  context.clearRect(0, 0, width, height);
  const barWidth = width / peaks.length;
  peaks.forEach((peak, index) => {
    const barHeight = Math.max(1, peak * height);
    context.fillStyle = index / peaks.length <= progress ? "#6d3fd8" : "#c9bff0";
    context.fillRect(index * barWidth, (height - barHeight) / 2, Math.max(1, barWidth - 0.5), barHeight);
  });
}

if (canvas && audio) {
  const peaks = JSON.parse(canvas.dataset.peaks);
  const max = Math.max(...peaks, 0.0001);
  const scaled = peaks.map((peak) => peak / max);
  const length = () => Number(canvas.dataset.duration) || audio.duration;
  const progress = () => (length() ? Math.min(audio.currentTime / length(), 1) : 0);
  draw(scaled, 0);
  const STEPS = { ArrowRight: 5, ArrowUp: 5, ArrowLeft: -5, ArrowDown: -5, PageUp: 30, PageDown: -30 };
  const clock = (seconds) => `${Math.floor(seconds / 60)}:${String(Math.floor(seconds % 60)).padStart(2, "0")}`;
  audio.addEventListener("timeupdate", () => {
    draw(scaled, progress());
    canvas.setAttribute("aria-valuenow", String(Math.round(audio.currentTime)));
    canvas.setAttribute("aria-valuetext", clock(audio.currentTime));
  });
  audio.addEventListener("loadedmetadata", () => {
    canvas.setAttribute("aria-valuemax", String(Math.round(length())));
  });
  canvas.addEventListener("keydown", (event) => {
    if (!length()) return;
    let target;
    if (event.key in STEPS) target = audio.currentTime + STEPS[event.key];
    else if (event.key === "Home") target = 0;
    else if (event.key === "End") target = length();
    else return;
    event.preventDefault();
    audio.currentTime = Math.min(Math.max(target, 0), length());
  });
  canvas.addEventListener("click", (event) => {
    if (!length()) return;
    const box = canvas.getBoundingClientRect();
    audio.currentTime = ((event.clientX - box.left) / box.width) * length();
  });
}
