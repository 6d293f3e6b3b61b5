// Swagger UI for the API, from our own static files (no CDN, no inline script).
// Set up for assistive technologies: no deep links (they put a link inside each
// operation's toggle button), plain code blocks (the highlighter's colours are too faint),
// readable tag names ("Songs", not the blueprint's "api_songs") and a label on the
// server picker.
const root = document.getElementById("swagger-ui");
const specUrl = root.dataset.specUrl;

function readable(tag) {
  const name = tag.replace(/^api_/, "").replace(/_/g, " ");
  return name.charAt(0).toUpperCase() + name.slice(1);
}

function readableTags(response) {
  if (!response.url || !response.url.endsWith(specUrl) || !response.text) return response;
  const spec = JSON.parse(response.text);
  for (const tag of spec.tags || []) tag.name = readable(tag.name);
  for (const operations of Object.values(spec.paths || {})) {
    for (const operation of Object.values(operations)) {
      if (operation && Array.isArray(operation.tags)) operation.tags = operation.tags.map(readable);
    }
  }
  response.text = JSON.stringify(spec);
  response.body = spec;
  response.obj = spec;
  return response;
}

window.SwaggerUIBundle({
  url: specUrl,
  dom_id: "#swagger-ui",
  deepLinking: false,
  persistAuthorization: true,
  syntaxHighlight: { activated: false },
  responseInterceptor: readableTags,
  onComplete: () => {
    for (const select of document.querySelectorAll("#servers:not([aria-label])")) {
      select.setAttribute("aria-label", "Server");
    }
  },
});
