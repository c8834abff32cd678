// Draws the cost curve (BENCH_SCENARIOS=curve) from a results JSON into a PNG beside it, with uPlot
// in a headless Chromium: `node --import tsx bench/plot.ts bench/results/<file>.json…`. Given several
// files (sizes measured in separate runs), it draws their points together beside the last one.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, findChromium } from '../scripts/lib/chromium.js';

type Result = { scenario: string; metric: string; value: number; unit: string };
const require = createRequire(import.meta.url);
const asset = (file: string) => readFileSync(path.join(path.dirname(require.resolve('uplot/package.json')), 'dist', file), 'utf8');

/** Each panel: a title, a unit, and the curve metrics (by name, without the size) it draws. */
const PANELS: { title: string; unit: string; series: string[]; divide?: number }[] = [
  { title: 'Enrollment rate', unit: 'workflows started / s', series: ['raw: bare workflow starts', 'Sequent: bulk calls until every workflow started'] },
  { title: 'Storage per enrollment', unit: 'bytes', series: ['Temporal PostgreSQL per enrollment', 'Temporal server memory per enrollment (in-memory SQLite)', 'PostgreSQL disk per enrollment'] },
  { title: 'Memory', unit: 'MiB', series: ['worker RSS', 'API RSS'] },
  { title: 'Pause until in line', unit: 's', series: ['pause until in line (every due workflow told)'], divide: 1000 },
];
const COLORS = ['#1d4ed8', '#b91c1c', '#047857'];

function curveOf(results: Result[]) {
  const points = new Map<number, Map<string, number>>();
  for (const r of results.filter((x) => x.scenario === 'curve')) {
    const [what, size] = r.metric.split(' @ ');
    const n = Number(size);
    if (!points.has(n)) points.set(n, new Map());
    points.get(n)!.set(what!, r.value);
  }
  const sizes = [...points.keys()].sort((a, b) => a - b);
  return { sizes, value: (what: string) => sizes.map((n) => points.get(n)!.get(what) ?? null) };
}

function page(results: Result[]): string {
  const { sizes, value } = curveOf(results);
  if (sizes.length === 0) throw new Error('no curve results in this file (BENCH_SCENARIOS=curve)');
  const scaled = (what: string, divide = 1) => value(what).map((v) => (v === null ? null : v / divide));
  // A run draws only what it measured (the dev server's and the production server's storage differ).
  const measured = PANELS.map((p) => ({ ...p, series: p.series.filter((s) => value(s).some((v) => v !== null)) }));
  const panels = measured.map((p) => ({ ...p, data: [sizes, ...p.series.map((s) => scaled(s, p.divide))] }));
  return `<!doctype html><html><head><style>${asset('uPlot.min.css')}
body{font-family:system-ui,sans-serif;margin:16px;display:grid;grid-template-columns:1fr 1fr;gap:16px;width:1168px}
h2{font-size:15px;margin:0 0 4px}</style></head><body>
${panels.map((p, i) => `<div><h2>${p.title} (${p.unit})</h2><div id="p${i}"></div></div>`).join('')}
<script>${asset('uPlot.iife.min.js')}</script>
<script>
const panels = ${JSON.stringify(panels)};
const colors = ${JSON.stringify(COLORS)};
const thousands = (u, ticks) => ticks.map((t) => (t == null ? '' : t.toLocaleString('en')));
panels.forEach((p, i) => new uPlot({
  width: 570, height: 300, legend: { live: false },
  scales: { x: { time: false, distr: 3 }, y: { range: (u, min, max) => [0, max * 1.1] } },
  // The y axis is wide enough for six-digit labels (bytes per enrollment run to 25,000).
  axes: [{ label: 'enrollments', values: thousands }, { size: 80, values: thousands }],
  series: [{ label: 'enrollments' }, ...p.series.map((s, j) => ({ label: s, stroke: colors[j], width: 2, points: { show: true, size: 7 } }))],
}, p.data, document.getElementById('p' + i)));
</script></body></html>`;
}

/** Writes `<last results file>.curve.png` and returns its path. */
export async function drawCurve(...resultsFiles: string[]): Promise<string> {
  const results = resultsFiles.flatMap((f) => (JSON.parse(readFileSync(f, 'utf8')) as { results: Result[] }).results);
  const found = findChromium();
  if ('error' in found) throw new Error(found.error);
  const browser = await chromium.launch({ executablePath: found.path, args: CHROMIUM_ARGS, headless: true });
  try {
    const tab = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    const errors: string[] = [];
    tab.on('pageerror', (err) => errors.push(err.message));
    await tab.setContent(page(results));
    await tab.waitForTimeout(200); // uPlot draws on the next animation frame
    if (errors.length) throw new Error(`the plot page failed: ${errors.join('; ')}`);
    const out = resultsFiles.at(-1)!.replace(/\.json$/, '.curve.png');
    await tab.screenshot({ path: out, fullPage: true });
    return out;
  } finally {
    await browser.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(await drawCurve(...process.argv.slice(2).map((f) => path.resolve(f))));
}
