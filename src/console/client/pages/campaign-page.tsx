import { useState } from 'preact/hooks';
import { api, type Breakdown, type Campaign, type Health, type Stats, type Workspace } from '../api.js';
import { count, dayIn, percent, words } from '../format.js';
import { useResource } from '../use-resource.js';
import { CampaignActions } from '../components/campaign-actions.js';
import { DailyChart } from '../components/daily-chart.js';
import { Funnel } from '../components/funnel.js';
import { HealthPanel } from '../components/health-panel.js';
import { LeadsTable } from '../components/leads-table.js';
import { RepliesInbox } from '../components/replies-inbox.js';
import { Badge, ErrorNote } from '../components/status.js';

const REFRESH_MS = 5_000;
const RANGES = [14, 30, 90];

type Props = { id: string; workspace: Workspace; announce: (message: string) => void };

/** One campaign: its numbers, why it is or is not sending, its days, steps, leads and replies. */
export function CampaignPage({ id, workspace, announce }: Props) {
  const [days, setDays] = useState(14);
  const overview = useResource(
    () =>
      Promise.all([
        api.get<{ data: Campaign }>(`/campaigns/${id}`),
        api.get<{ data: Stats }>(`/campaigns/${id}/stats`),
        api.get<{ data: Health }>(`/campaigns/${id}/health`),
        api.get<{ data: Breakdown }>(`/campaigns/${id}/stats`, { groupBy: 'day', from: dayIn(workspace.timezone, days - 1), to: dayIn(workspace.timezone) }),
        api.get<{ data: Breakdown }>(`/campaigns/${id}/stats`, { groupBy: 'variant' }),
      ]),
    [id, days, workspace.timezone],
    REFRESH_MS,
  );
  if (!overview.data) {
    return <main>{overview.error ? <ErrorNote error={overview.error} /> : <p class="muted">Loading…</p>}</main>;
  }
  const [{ data: campaign }, { data: stats }, { data: health }, { data: daily }, { data: funnel }] = overview.data;
  const changed = (message: string) => {
    announce(message);
    overview.reload();
  };
  const m = stats.metrics;
  const tiles: [string, string][] = [
    ['Enrolled', count(stats.enrolledLeads)],
    ['Sent', count(m.sent)],
    ['Delivered', count(m.delivered)],
    ['Replied', count(m.replied)],
    ['Reply rate', percent(m.replyRate)],
    ['Bounced', count(m.bounced)],
    ['Still to send', count(m.queued)],
  ];
  return (
    <main>
      <p>
        <a href="#/">← Campaigns</a>
      </p>
      <div class="title-row">
        <h1>{campaign.name}</h1>
        <Badge kind="campaign" value={campaign.status} />
        {campaign.pauseReason ? <span class="muted">paused: {words(campaign.pauseReason)}</span> : null}
        <CampaignActions campaign={campaign} onDone={changed} />
      </div>
      <ErrorNote error={overview.error} />
      <dl class="tiles" data-testid="metrics">
        {tiles.map(([label, value]) => (
          <div key={label} class="tile">
            <dt>{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
      <HealthPanel health={health} />
      <section aria-labelledby="daily-title" class="panel">
        <div class="panel-head">
          <h2 id="daily-title">By day</h2>
          <label>
            Range{' '}
            <select value={days} onChange={(e) => setDays(Number(e.currentTarget.value))}>
              {RANGES.map((d) => (
                <option key={d} value={d}>
                  last {d} days
                </option>
              ))}
            </select>
          </label>
        </div>
        <DailyChart rows={daily.rows} />
      </section>
      <section aria-labelledby="funnel-title" class="panel">
        <h2 id="funnel-title">By step</h2>
        {funnel.rows.length ? <Funnel rows={funnel.rows} steps={campaign.steps} /> : <p class="muted">Nothing sent yet.</p>}
      </section>
      <LeadsTable campaignId={id} refreshMs={REFRESH_MS} onChange={overview.reload} announce={announce} />
      <RepliesInbox campaignId={id} refreshMs={REFRESH_MS} />
    </main>
  );
}
