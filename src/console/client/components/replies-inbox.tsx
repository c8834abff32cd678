import { useState } from 'preact/hooks';
import { api, type Page, type Reply } from '../api.js';
import { when } from '../format.js';
import { useResource } from '../use-resource.js';
import { PanelHead } from './panel-head.js';
import { Badge, ErrorNote } from './status.js';

const CLASSIFICATIONS = ['interested', 'not_interested', 'out_of_office', 'bounce', 'unsubscribe'];

/** The campaign's replies, newest first, with how each was classified. */
export function RepliesInbox({ campaignId, refreshMs }: { campaignId: string; refreshMs: number }) {
  const [classification, setClassification] = useState('');
  const replies = useResource(() => api.get<Page<Reply>>('/replies', { campaignId, classification, limit: 20 }), [campaignId, classification], refreshMs);
  return (
    <section aria-labelledby="replies-title" class="panel">
      <PanelHead id="replies-title" title="Replies" filter={{ label: 'Classification', value: classification, options: CLASSIFICATIONS, onChange: setClassification }} />
      <ErrorNote error={replies.error} />
      {replies.data && replies.data.data.length === 0 ? <p class="muted">No replies yet.</p> : null}
      <ul class="inbox" data-testid="replies">
        {(replies.data?.data ?? []).map((r) => (
          <li key={r.id} data-email={r.email}>
            <div class="inbox-head">
              <strong>{r.email}</strong> <Badge kind="reply" value={r.classification} />
              <time dateTime={r.receivedAt} class="muted">
                {when(r.receivedAt)}
              </time>
            </div>
            {r.subject ? <div class="subject">{r.subject}</div> : null}
            <p class="snippet">{r.threadSnippet}</p>
          </li>
        ))}
      </ul>
    </section>
  );
}
