import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.js';
import { testDeps } from '../helpers/deps.js';

/** Every URL the page makes the browser load: script and stylesheet sources, links, CSS url()s. */
const referencedUrls = (html: string) => [
  ...[...html.matchAll(/\s(?:src|href)\s*=\s*["']([^"']+)["']/gi)].map((m) => m[1]!),
  ...[...html.matchAll(/url\(\s*["']?([^"')]+)["']?\s*\)/gi)].map((m) => m[1]!),
];

describe('/docs', () => {
  it('serves Swagger UI from Sequent itself: the page references only same-origin assets, and each answers', async () => {
    const app = createApp(testDeps());
    const page = await app.request('/docs');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await page.text();
    expect(html).toContain('/openapi.json');
    // No CDN, and no online validator (it would send the spec to validator.swagger.io).
    expect(html).not.toMatch(/https?:\/\/|\/\/[a-z0-9.-]+\.[a-z]{2,}\//i);
    expect(html).toMatch(/validatorUrl:\s*'none'/);

    const urls = referencedUrls(html);
    expect(urls.length).toBeGreaterThanOrEqual(2);
    for (const url of urls) expect(url, url).toMatch(/^\/(?!\/)/);
    const types = { css: /^text\/css/, js: /^(text|application)\/javascript/ };
    expect(urls.some((u) => u.endsWith('.css'))).toBe(true);
    expect(urls.some((u) => u.endsWith('.js'))).toBe(true);
    for (const url of urls) {
      const res = await app.request(url);
      expect(res.status, url).toBe(200);
      const kind = url.endsWith('.css') ? 'css' : 'js';
      expect(res.headers.get('content-type'), url).toMatch(types[kind]);
      const body = await res.text();
      expect(body.length, url).toBeGreaterThan(10_000);
      if (kind === 'css') expect(body).not.toMatch(/url\(\s*["']?(https?:)?\/\//i);
    }
  });

  it('serves only the files the page needs from the package, and nothing by a crafted path', async () => {
    const app = createApp(testDeps());
    for (const path of [
      '/docs/assets/swagger-ui-dist/package.json',
      '/docs/assets/swagger-ui-dist/index.html',
      '/docs/assets/swagger-ui-dist/../../../package.json',
      '/docs/assets/swagger-ui-dist/%2e%2e/%2e%2e/package.json',
      '/docs/assets/..%2F..%2Fpackage.json',
    ]) {
      const res = await app.request(path);
      expect(res.status, path).toBe(404);
      expect(await res.json()).toMatchObject({ error: { code: 'not_found' } });
    }
  });
});
