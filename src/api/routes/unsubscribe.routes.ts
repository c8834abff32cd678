import { Hono } from 'hono';
import { html } from 'hono/html';
import { unsubscribeByToken } from '../../delivery/unsubscribe.js';
import { orchestratorOf, type AppDeps, type AppEnv } from '../context.js';

const page = (title: string, body: ReturnType<typeof html>) => html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex"><title>${title}</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#222}button{font-size:1rem;padding:.6rem 1.2rem}</style>
</head><body>${body}</body></html>`;

// Tokens are 24 random bytes in base64url; anything else (a NUL, a stray byte) is no link of ours
// and must not reach the database, which refuses such text with an error.
const isToken = (token: string) => /^[A-Za-z0-9_-]{16,128}$/.test(token);

/**
 * The List-Unsubscribe target. GET only shows a confirmation (link scanners must not unsubscribe
 * anyone); POST — the RFC 8058 one-click request or the page's button — unsubscribes.
 */
export function unsubscribeRoutes(deps: AppDeps) {
  const { db } = deps;
  const orchestrator = orchestratorOf(deps);
  const app = new Hono<AppEnv>();
  app.get('/u/:token', async (c) => {
    const token = c.req.param('token');
    const found = isToken(token) ? await db.message.findUnique({ where: { unsubscribeToken: token }, select: { toEmail: true } }) : null;
    if (!found) return c.html(page('Link not found', html`<h1>This link is not valid</h1><p>It may have been mistyped.</p>`), 404);
    return c.html(
      page(
        'Unsubscribe',
        html`<h1>Unsubscribe</h1><p>Stop all emails to <strong>${found.toEmail}</strong>?</p>
          <form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit">Unsubscribe</button></form>`,
      ),
    );
  });
  app.post('/u/:token', async (c) => {
    const token = c.req.param('token');
    const result = isToken(token) ? await unsubscribeByToken(db, orchestrator, token) : null;
    if (!result) return c.html(page('Link not found', html`<h1>This link is not valid</h1>`), 404);
    return c.html(page('Unsubscribed', html`<h1>You are unsubscribed</h1><p><strong>${result.email}</strong> will receive no more emails from us.</p>`));
  });
  return app;
}
