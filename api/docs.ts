/**
 * Interactive API docs at /api/docs: Swagger UI from the `swagger-ui-dist` package (served
 * from node_modules, nothing from a CDN), reading /api/openapi.json.
 */
import express, { Router } from 'express';
import path from 'node:path';

const page = `<!doctype html>
<html lang="zh-CN">
<head>
  <meta charset="utf-8">
  <title>onewindow API 文档</title>
  <link rel="stylesheet" href="./assets/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="./assets/swagger-ui-bundle.js"></script>
  <script src="./init.js"></script>
</body>
</html>`;

const init = `window.ui = SwaggerUIBundle({ url: '../openapi.json', dom_id: '#swagger-ui', deepLinking: true, tryItOutEnabled: false });`;

export function docsRoutes(): Router {
  const r = Router();
  const dist = path.dirname(require.resolve('swagger-ui-dist/package.json'));
  r.get('/', (req, res) => {
    if (!req.originalUrl.endsWith('/')) return res.redirect(301, `${req.originalUrl}/`);
    res.type('html').send(page);
  });
  r.get('/init.js', (_req, res) => {
    res.type('application/javascript').send(init);
  });
  r.use('/assets', express.static(dist, { index: false }));
  return r;
}
