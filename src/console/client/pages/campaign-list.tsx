import { api, type Campaign, type Health, type Page, type Stats } from '../api.js';
import { count, percent } from '../format.js';
import { useResource } from '../use-resource.js';
import { ColumnHeads } from '../components/panel-head.js';
import { Badge, ErrorNote } from '../components/status.js';

const REFRESH_MS = 10_000;

function CampaignRow({ campaign }: { campaign: Campaign }) {
  const figures = useResource(
    () => Promise.all([api.get<{ data: Stats }>(`/campaigns/${campaign.id}/stats`), api.get<{ data: Health }>(`/campaigns/${campaign.id}/health`)]),
    [campaign.id],
    REFRESH_MS,
  );
  const [stats, health] = figures.data ?? [];
  const metrics = stats?.data.metrics;
  return (
    <tr data-campaign={campaign.id}>
      <th scope="row">
        <a href={`#/campaigns/${campaign.id}`}>{campaign.name}</a>
      </th>
      <td>
        <Badge kind="campaign" value={campaign.status} />
      </td>
      <td>{health ? <Badge kind="health" value={health.data.status} /> : '…'}</td>
      <td class="num">{metrics ? count(metrics.sent) : '…'}</td>
      <td class="num">{metrics ? count(metrics.replied) : '…'}</td>
      <td class="num">{metrics ? percent(metrics.replyRate) : '…'}</td>
    </tr>
  );
}

/** Every campaign of the workspace, newest first, with its status, health and key numbers. */
export function CampaignList() {
  const campaigns = useResource(() => api.get<Page<Campaign>>('/campaigns', { limit: 50 }), [], REFRESH_MS);
  return (
    <main>
      <h1>Campaigns</h1>
      <ErrorNote error={campaigns.error} />
      {campaigns.data && campaigns.data.data.length === 0 ? <p class="muted">No campaigns yet: create one through the API or an agent.</p> : null}
      <div class="table-scroll">
        <table data-testid="campaigns">
          <ColumnHeads columns={['Campaign', 'Status', 'Health', ['Sent', 'num'], ['Replied', 'num'], ['Reply rate', 'num']]} />
          <tbody>
            {(campaigns.data?.data ?? []).map((c) => (
              <CampaignRow key={c.id} campaign={c} />
            ))}
          </tbody>
        </table>
      </div>
      {campaigns.data?.nextCursor ? <p class="muted">The 50 newest campaigns are shown.</p> : null}
    </main>
  );
}
