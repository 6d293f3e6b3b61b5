// The library's search and filters apply as they change: the search after a short pause
// in typing, the menus at once. The new results are fetched and put in place of the old
// ones (the table body, the count, the page links), so typing is never interrupted and the
// live status updates keep working on the same table.
const form = document.getElementById("song-filters");
const table = document.getElementById("song-table");
const PAUSE_MS = 300;
let timer;
let pending;

function listingUrl() {
  const params = new URLSearchParams();
  for (const [name, value] of new FormData(form)) if (value) params.append(name, value);
  const query = params.toString();
  return query ? `${form.action}?${query}` : form.action;
}

async function apply() {
  clearTimeout(timer);
  const url = listingUrl();
  pending?.abort();
  pending = new AbortController();
  let response;
  try {
    response = await fetch(url, { signal: pending.signal, headers: { Accept: "text/html" } });
  } catch (error) {
    if (error.name === "AbortError") return;
    throw error;
  }
  if (!response.ok) return;
  const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
  const freshTable = fresh.getElementById("song-table");
  table.tBodies[0].replaceWith(freshTable.tBodies[0]);
  table.hidden = freshTable.hidden;
  for (const id of ["song-summary", "song-pager"]) {
    document.getElementById(id).innerHTML = fresh.getElementById(id).innerHTML;
  }
  history.replaceState(null, "", url);
}

form.addEventListener("input", (event) => {
  if (event.target.type !== "search") return;
  clearTimeout(timer);
  timer = setTimeout(apply, PAUSE_MS);
});
form.addEventListener("change", (event) => {
  if (event.target.tagName === "SELECT") apply();
});
form.addEventListener("submit", (event) => {
  event.preventDefault();
  apply();
});
