import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import type { StatsRow } from '../api.js';
import { count } from '../format.js';

const SERIES = [
  { key: 'sent', label: 'Sent', stroke: '#1d4ed8' },
  { key: 'delivered', label: 'Delivered', stroke: '#047857' },
  { key: 'replied', label: 'Replied', stroke: '#a21caf' },
  { key: 'bounced', label: 'Bounced', stroke: '#b91c1c' },
] as const;

const dayToSeconds = (day: string) => Date.parse(`${day}T00:00:00Z`) / 1000;

/**
 * Sent, delivered, replied and bounced per day (the campaign's `groupBy=day` breakdown), drawn by
 * uPlot, with the same numbers in a table for screen readers and for anyone who wants them exact.
 */
export function DailyChart({ rows }: { rows: StatsRow[] }) {
  const target = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = target.current;
    if (!el) return;
    const data: uPlot.AlignedData = [rows.map((r) => dayToSeconds(r.day!)), ...SERIES.map((s) => rows.map((r) => r.metrics[s.key]))];
    const plot = new uPlot(
      {
        width: el.clientWidth || 600,
        height: 240,
        // Days are the workspace's calendar days: drawn as they are named, not shifted to the reader's zone.
        tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
        scales: { y: { range: (_u, _min, max) => [0, Math.max(4, max)] } },
        axes: [{}, { values: (_u, ticks) => ticks.map((t) => (Number.isInteger(t) ? count(t) : '')) }],
        series: [{ label: 'Day' }, ...SERIES.map((s) => ({ label: s.label, stroke: s.stroke, width: 2, points: { show: true, size: 5 } }))],
      },
      data,
      el,
    );
    const resize = new ResizeObserver(() => plot.setSize({ width: el.clientWidth, height: 240 }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [rows]);

  return (
    <figure class="chart">
      <div ref={target} role="img" aria-label="Sent, delivered, replied and bounced per day" />
      <details>
        <summary>The numbers by day</summary>
        <div class="table-scroll">
          <table class="compact" data-testid="daily-table">
            <thead>
              <tr>
                <th scope="col">Day</th>
                {SERIES.map((s) => (
                  <th scope="col" key={s.key} class="num">
                    {s.label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.key}>
                  <th scope="row">{r.day}</th>
                  {SERIES.map((s) => (
                    <td key={s.key} class="num">
                      {count(r.metrics[s.key])}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}
