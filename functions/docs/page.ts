// The /docs page: Swagger UI (swagger-ui-dist) on this service's own /openapi.json. Every URL here is relative, so
// the page works wherever the service is mounted, and every file comes from the service itself (see ./assets.ts).

export const pageHtml = () => `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>usersvc API reference</title>
    <link rel="icon" type="image/png" href="docs/favicon-32x32.png" sizes="32x32" />
    <link rel="icon" type="image/png" href="docs/favicon-16x16.png" sizes="16x16" />
    <link rel="stylesheet" href="docs/swagger-ui.css" />
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="docs/swagger-ui-bundle.js"></script>
    <script src="docs/init.js"></script>
  </body>
</html>
`;

// Kept out of the page so that its Content-Security-Policy can forbid inline scripts.
export const initializerScript = () => `'use strict';
window.ui = SwaggerUIBundle({
  url: new URL('openapi.json', document.baseURI).href,
  dom_id: '#swagger-ui',
  layout: 'BaseLayout',
  presets: [SwaggerUIBundle.presets.apis],
  deepLinking: true,
  displayRequestDuration: true,
  // Never send the document to validator.swagger.io, nor take a document URL from the query string.
  validatorUrl: null,
  queryConfigEnabled: false,
});
`;

/**
 * The page's policy: scripts, styles, images and requests from this origin only (Swagger UI sets inline styles and
 * uses data: images in its stylesheet), so the browser itself refuses anything from elsewhere.
 */
export const PAGE_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
