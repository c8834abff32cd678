import { createHash } from 'node:crypto';
import path from 'node:path';
import { build } from 'esbuild';

export type ConsoleAsset = { body: string; contentType: string; etag: string };
export type ConsoleBundle = { 'app.js': ConsoleAsset; 'app.css': ConsoleAsset; version: string };

const CLIENT = path.join(import.meta.dirname, 'client');

const asset = (body: string, contentType: string): ConsoleAsset => ({
  body,
  contentType,
  etag: `"${createHash('sha256').update(body).digest('hex').slice(0, 16)}"`,
});

/**
 * The console's script and stylesheet, bundled from `client/` by esbuild in memory: Preact, uPlot
 * and its stylesheet come from node_modules into two files served by the API itself, so there is no
 * build step to forget, no artifact to go stale, and nothing is fetched from a CDN.
 */
async function bundle(): Promise<ConsoleBundle> {
  const result = await build({
    entryPoints: { app: path.join(CLIENT, 'main.tsx'), 'app-style': path.join(CLIENT, 'style.css') },
    bundle: true,
    write: false,
    outdir: '/console',
    format: 'esm',
    target: 'es2022',
    minify: true,
    jsx: 'automatic',
    jsxImportSource: 'preact',
    tsconfig: path.join(CLIENT, 'tsconfig.json'),
    legalComments: 'none',
    logLevel: 'silent',
  });
  const text = (name: string) => result.outputFiles.find((f) => f.path === `/console/${name}`)!.text;
  const js = asset(text('app.js'), 'text/javascript; charset=utf-8');
  const css = asset(text('app-style.css'), 'text/css; charset=utf-8');
  return { 'app.js': js, 'app.css': css, version: createHash('sha256').update(js.etag + css.etag).digest('hex').slice(0, 12) };
}

let built: Promise<ConsoleBundle> | undefined;

/** Built once per process, on first use; a failed build is retried on the next request. */
export function consoleBundle(): Promise<ConsoleBundle> {
  built ??= bundle().catch((err: unknown) => {
    built = undefined;
    throw err;
  });
  return built;
}
