// Song page: draw the waveform and seek by clicking it.
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
  const progress = () => (audio.duration ? audio.currentTime / audio.duration : 0);
  draw(scaled, 0);
  audio.addEventListener("timeupdate", () => draw(scaled, progress()));
  canvas.addEventListener("click", (event) => {
    if (!audio.duration) return;
    const box = canvas.getBoundingClientRect();
    audio.currentTime = ((event.clientX - box.left) / box.width) * audio.duration;
  });
}
