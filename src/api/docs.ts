import { createRequire } from 'node:module';
import path from 'node:path';
import { serveStatic } from '@hono/node-server/serve-static';
import { swaggerUI } from '@hono/swagger-ui';
import { Hono } from 'hono';

/** Where the page loads Swagger UI from: this server, so the reference works offline and behind firewalls. */
export const DOCS_ASSETS = '/docs/assets';
// The files the page loads (and their source maps, for the browser's tools); nothing else of the package is served.
const ASSETS = ['swagger-ui.css', 'swagger-ui-bundle.js', 'swagger-ui.css.map', 'swagger-ui-bundle.js.map'];

/** The swagger-ui-dist package's directory (its main module would load the whole bundle into the API process). */
const distDir = () => path.dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

/**
 * `/docs`: Swagger UI over `/openapi.json`, with its JS and CSS served from the `swagger-ui-dist`
 * package under /docs/assets/swagger-ui-dist/ (the path @hono/swagger-ui builds from `baseUrl`).
 * The online validator is off: it would send the spec to validator.swagger.io.
 */
export function docsRoutes() {
  const docs = new Hono();
  docs.get('/', swaggerUI({ url: '/openapi.json', baseUrl: DOCS_ASSETS, title: 'Sequent API', validatorUrl: 'none' }));
  const dir = distDir();
  for (const file of ASSETS) {
    docs.get(`/assets/swagger-ui-dist/${file}`, async (c, next) => {
      c.header('Cache-Control', 'public, max-age=3600');
      await next();
    }, serveStatic({ path: path.join(dir, file) }));
  }
  return docs;
}
