import { useState } from 'preact/hooks';
import { ENROLLMENT_STATUSES } from '../../../domain/enrollment-status.js';
import { api, type ApiFailure, type Enrollment, type Page } from '../api.js';
import { when, words } from '../format.js';
import { useResource } from '../use-resource.js';
import { LeadActions } from './lead-actions.js';
import { ColumnHeads, PanelHead } from './panel-head.js';
import { Badge, ErrorNote } from './status.js';

const PAGE = 25;

type Props = { campaignId: string; refreshMs: number; onChange: () => void; announce: (message: string) => void };

/** The campaign's leads: where each is, what it waits for and when it sends next; a page at a time. */
export function LeadsTable({ campaignId, refreshMs, onChange, announce }: Props) {
  const [status, setStatus] = useState('');
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors.at(-1);
  const leads = useResource(() => api.get<Page<Enrollment>>(`/campaigns/${campaignId}/leads`, { limit: PAGE, status, cursor }), [campaignId, status, cursor], refreshMs);
  const [failure, setFailure] = useState<ApiFailure>();
  const done = (message: string) => {
    setFailure(undefined);
    announce(message);
    leads.reload();
    onChange();
  };
  return (
    <section aria-labelledby="leads-title" class="panel">
      <PanelHead
        id="leads-title"
        title="Leads"
        filter={{
          label: 'Status',
          value: status,
          options: ENROLLMENT_STATUSES,
          onChange: (value) => {
            setStatus(value);
            setCursors([]);
          },
        }}
      />
      <ErrorNote error={failure ?? leads.error} />
      <div class="table-scroll">
        <table data-testid="leads">
          <ColumnHeads columns={['Lead', 'Status', ['Steps sent', 'num'], 'Waiting for', 'Next send', 'Actions']} />
          <tbody>
            {(leads.data?.data ?? []).map((lead) => (
              <tr key={lead.leadId} data-email={lead.email}>
                <th scope="row">{lead.email}</th>
                <td>
                  <Badge kind="lead" value={lead.status} />
                  {lead.stopReason ? <span class="muted"> {lead.stopReason}</span> : null}
                </td>
                <td class="num">{lead.currentStep}</td>
                <td data-col="waitingFor">{words(lead.waitingFor)}</td>
                <td>{when(lead.nextSendAt)}</td>
                <td>
                  <LeadActions campaignId={campaignId} lead={lead} onDone={done} onError={setFailure} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {leads.data && leads.data.data.length === 0 ? <p class="muted">No leads{status ? ` with status ${status}` : ''}.</p> : null}
      <nav class="pager" aria-label="Leads pages">
        <button type="button" disabled={cursors.length === 0} onClick={() => setCursors(cursors.slice(0, -1))}>
          Previous
        </button>
        <button type="button" disabled={!leads.data?.nextCursor} onClick={() => leads.data?.nextCursor && setCursors([...cursors, leads.data.nextCursor])}>
          Next
        </button>
      </nav>
    </section>
  );
}
