import type { Step, StatsRow } from '../api.js';
import { count, percent } from '../format.js';
import { ColumnHeads } from './panel-head.js';

/**
 * Each step (and each of its variants) from sent to replied, with a bar for how far the sequence
 * reaches: the drop from step to step is what a supervisor looks for. The winner is marked.
 */
export function Funnel({ rows, steps }: { rows: StatsRow[]; steps: Step[] }) {
  const widest = Math.max(1, ...rows.map((r) => r.metrics.sent));
  const winnerOf = (stepNumber: number | null) => steps.find((s) => s.stepNumber === stepNumber)?.winnerVariantId ?? null;
  return (
    <div class="table-scroll">
      <table data-testid="funnel">
        <caption class="visually-hidden">Sends and replies by step and variant</caption>
        <ColumnHeads columns={['Step', 'Sent', ['Delivered', 'num'], ['Replied', 'num'], ['Reply rate', 'num'], ['Bounced', 'num']]} />
        <tbody>
          {rows.map((r) => (
            <tr key={r.key}>
              <th scope="row">
                Step {r.stepNumber}
                {r.variantId ? ` · variant ${r.variantId}` : ''}
                {r.variantId && winnerOf(r.stepNumber) === r.variantId ? <span class="badge badge-winner">winner</span> : null}
              </th>
              <td class="bar-cell">
                <span class="bar-wrap">
                  <span class="bar" style={{ width: `${(100 * r.metrics.sent) / widest}%` }} aria-hidden="true" />
                  <span class="num">{count(r.metrics.sent)}</span>
                </span>
              </td>
              <td class="num">{count(r.metrics.delivered)}</td>
              <td class="num">{count(r.metrics.replied)}</td>
              <td class="num">{percent(r.metrics.replyRate)}</td>
              <td class="num">{count(r.metrics.bounced)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
