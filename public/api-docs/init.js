// The API docs page (/api-docs): Swagger UI over the server's own OpenAPI document. A
// file, not an inline script, so the page's policy allows this site's scripts only.
window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({
    url: '/api/v1/openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    // "Try it out" sends requests from this page: same origin, so they carry the session.
    tryItOutEnabled: false,
  });
});
