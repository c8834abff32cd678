import { Hono } from 'hono';
import { consoleBundle, type ConsoleAsset } from '../console/bundle.js';
import { consolePage } from '../console/page.js';

// Only this origin's script and style, and calls only to this origin's API: a key typed into the
// console can go nowhere else. uPlot and Preact set element styles from script, which CSP allows.
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

function secure(headers: (name: string, value: string) => void) {
  headers('Content-Security-Policy', CSP);
  headers('X-Content-Type-Options', 'nosniff');
  headers('Referrer-Policy', 'no-referrer');
}

/**
 * The console (SPEC §13): one page at `/` and its two assets under `/console/`. It holds no
 * session of its own; the browser calls /v1 with the key the user typed.
 */
export function consoleRoutes() {
  const app = new Hono();
  app.get('/', async (c) => {
    const { version } = await consoleBundle();
    secure(c.header);
    c.header('Cache-Control', 'no-cache');
    return c.html(consolePage(version));
  });
  const serve = (name: 'app.js' | 'app.css') =>
    app.get(`/console/${name}`, async (c) => {
      const file: ConsoleAsset = (await consoleBundle())[name];
      secure(c.header);
      c.header('ETag', file.etag);
      // Versioned URLs never change content; a bare one is revalidated.
      c.header('Cache-Control', c.req.query('v') ? 'public, max-age=31536000, immutable' : 'no-cache');
      if (c.req.header('if-none-match') === file.etag) return c.body(null, 304);
      c.header('Content-Type', file.contentType);
      return c.body(file.body);
    });
  serve('app.js');
  serve('app.css');
  return app;
}
