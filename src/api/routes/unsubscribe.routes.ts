import { Hono } from 'hono';
import { html } from 'hono/html';
import { unsubscribeByToken, unsubscribeTarget } from '../../delivery/unsubscribe.js';
import { servicesOf, type AppDeps, type AppEnv } from '../context.js';

const page = (title: string, body: ReturnType<typeof html>) => html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex"><title>${title}</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#222}button{font-size:1rem;padding:.6rem 1.2rem}</style>
</head><body>${body}</body></html>`;

/**
 * The List-Unsubscribe target. GET only shows a confirmation (link scanners must not unsubscribe
 * anyone); POST — the RFC 8058 one-click request or the page's button — unsubscribes.
 */
export function unsubscribeRoutes(deps: AppDeps) {
  const services = servicesOf(deps);
  const app = new Hono<AppEnv>();
  app.get('/u/:token', async (c) => {
    const found = await unsubscribeTarget(services, c.req.param('token'));
    if (!found) return c.html(page('Link not found', html`<h1>This link is not valid</h1><p>It may have been mistyped.</p>`), 404);
    return c.html(
      page(
        'Unsubscribe',
        html`<h1>Unsubscribe</h1><p>Stop all emails to <strong>${found.email}</strong>?</p>
          <form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit">Unsubscribe</button></form>`,
      ),
    );
  });
  app.post('/u/:token', async (c) => {
    const result = await unsubscribeByToken(services, c.req.param('token'));
    if (!result) return c.html(page('Link not found', html`<h1>This link is not valid</h1>`), 404);
    return c.html(page('Unsubscribed', html`<h1>You are unsubscribed</h1><p><strong>${result.email}</strong> will receive no more emails from us.</p>`));
  });
  return app;
}
