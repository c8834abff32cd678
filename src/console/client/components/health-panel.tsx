import type { Health } from '../api.js';
import { count, when } from '../format.js';
import { Badge } from './status.js';

/** Why the campaign is or is not sending: each reason with the leads it holds and until when. */
export function HealthPanel({ health }: { health: Health | undefined }) {
  if (!health) return <p class="muted">Loading health…</p>;
  return (
    <section aria-labelledby="health-title" class="panel">
      <h2 id="health-title">
        Health <Badge kind="health" value={health.status} />
      </h2>
      {health.reasons.length === 0 ? (
        <p class="muted">Nothing is holding this campaign back.</p>
      ) : (
        <ul class="reasons">
          {health.reasons.map((r) => (
            <li key={r.code} data-code={r.code}>
              <strong>{r.message}</strong>
              <span class="muted">
                {' '}
                {count(r.count)} lead{r.count === 1 ? '' : 's'}
                {r.until ? `, until ${when(r.until)}` : ''}
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
