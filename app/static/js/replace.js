// Replace a song's audio with a progress bar; the song page shows the new processing.
import { t } from "./i18n.js";
import { csrfToken } from "./realtime.js";

const form = document.querySelector("form.upload-replace");
if (form) {
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const file = form.querySelector("input[type=file]").files[0];
    if (!file) return;
    const bar = form.querySelector("progress");
    const output = form.querySelector("output");
    const body = new FormData();
    body.append("file", file, file.name);
    const xhr = new XMLHttpRequest();
    bar.hidden = false;
    xhr.upload.addEventListener("progress", (e) => {
      if (e.lengthComputable) bar.value = (e.loaded / e.total) * 100;
    });
    xhr.addEventListener("load", () => {
      if (xhr.status === 200) {
        window.location.assign(JSON.parse(xhr.responseText).url);
        return;
      }
      try {
        const problem = JSON.parse(xhr.responseText);
        output.textContent = problem.errors ? Object.values(problem.errors).join(" ") : problem.detail;
      } catch {
        output.textContent = t("The upload failed (HTTP {status}).", { status: xhr.status });
      }
    });
    xhr.open("POST", form.dataset.url);
    xhr.setRequestHeader("X-CSRFToken", csrfToken());
    xhr.setRequestHeader("Accept", "application/json");
    xhr.send(body);
  });
}
