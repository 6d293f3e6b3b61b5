// Swagger UI for the API, from our own static files (no CDN, no inline script).
const root = document.getElementById("swagger-ui");
window.SwaggerUIBundle({
  url: root.dataset.specUrl,
  dom_id: "#swagger-ui",
  deepLinking: true,
  persistAuthorization: true,
});
