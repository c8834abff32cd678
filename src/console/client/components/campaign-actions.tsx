import { useState } from 'preact/hooks';
import { api, ApiFailure, type Campaign } from '../api.js';
import { ErrorNote } from './status.js';

/** Pause a running campaign or resume a paused one; the answer says what happened. */
export function CampaignActions({ campaign, onDone }: { campaign: Campaign; onDone: (message: string) => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiFailure>();
  const action = campaign.status === 'running' ? 'pause' : campaign.status === 'paused' ? 'resume' : null;
  if (!action) return null;
  const run = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await api.post(`/campaigns/${campaign.id}/${action}`);
      onDone(action === 'pause' ? 'Campaign paused: nothing more is sent until it is resumed.' : 'Campaign resumed.');
    } catch (err) {
      setError(err as ApiFailure);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="campaign-actions">
      <button type="button" class={action === 'pause' ? 'danger' : 'primary'} disabled={busy} onClick={() => void run()}>
        {action === 'pause' ? 'Pause campaign' : 'Resume campaign'}
      </button>
      <ErrorNote error={error} />
    </div>
  );
}
