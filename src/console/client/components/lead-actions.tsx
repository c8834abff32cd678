import { useState } from 'preact/hooks';
import { isLive } from '../../../domain/enrollment-status.js';
import { api, ApiFailure, type Enrollment } from '../api.js';

type Props = { campaignId: string; lead: Enrollment; onDone: (message: string) => void; onError: (error: ApiFailure) => void };

/** Pause, resume or stop one lead; stopping is for good, so it asks once more. */
export function LeadActions({ campaignId, lead, onDone, onError }: Props) {
  const [busy, setBusy] = useState(false);
  const [confirmingStop, setConfirmingStop] = useState(false);
  if (!isLive(lead.status)) return null;
  const act = async (action: 'pause' | 'resume' | 'stop') => {
    setBusy(true);
    try {
      await api.post(`/campaigns/${campaignId}/leads/${lead.leadId}/${action}`);
      onDone(`${lead.email}: ${action === 'stop' ? 'stopped' : action === 'pause' ? 'paused' : 'resumed'}.`);
    } catch (err) {
      onError(err as ApiFailure);
    } finally {
      setBusy(false);
      setConfirmingStop(false);
    }
  };
  const label = (verb: string) => `${verb} ${lead.email}`;
  if (confirmingStop) {
    return (
      <span class="actions">
        <button type="button" class="danger" disabled={busy} aria-label={label('Confirm: stop')} onClick={() => void act('stop')}>
          Stop for good
        </button>
        <button type="button" disabled={busy} onClick={() => setConfirmingStop(false)}>
          Cancel
        </button>
      </span>
    );
  }
  const paused = lead.waitingFor === 'lead_paused';
  return (
    <span class="actions">
      <button type="button" disabled={busy} aria-label={label(paused ? 'Resume' : 'Pause')} onClick={() => void act(paused ? 'resume' : 'pause')}>
        {paused ? 'Resume' : 'Pause'}
      </button>
      <button type="button" disabled={busy} aria-label={label('Stop')} onClick={() => setConfirmingStop(true)}>
        Stop
      </button>
    </span>
  );
}
