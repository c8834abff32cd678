import { describe, expect, it } from 'vitest';
import { waitingView } from '../../src/domain/waiting.js';

const now = new Date('2026-12-01T12:00:00Z');
const later = new Date('2026-12-03T12:00:00Z');
const earlier = new Date('2026-12-01T11:00:00Z');

describe('waitingView: what a lead waits for, as the API shows it', () => {
  it('shows the wait the send path recorded for a live lead of a running campaign', () => {
    expect(waitingView({ status: 'active', waitingFor: 'capacity', nextSendAt: later }, 'running', now)).toEqual({ waitingFor: 'capacity', nextSendAt: later.toISOString(), behindPause: null });
  });

  it('puts a lead pause before a campaign pause, and both before the recorded wait', () => {
    expect(waitingView({ status: 'paused', waitingFor: 'delay', nextSendAt: later }, 'paused', now).waitingFor).toBe('lead_paused');
    expect(waitingView({ status: 'active', waitingFor: 'window', nextSendAt: later }, 'paused', now).waitingFor).toBe('campaign_paused');
  });

  it('says what a pause covers, which still holds after the resume (an out-of-office hold, a delay)', () => {
    expect(waitingView({ status: 'active', waitingFor: 'out_of_office', nextSendAt: later }, 'paused', now)).toEqual({ waitingFor: 'campaign_paused', nextSendAt: later.toISOString(), behindPause: 'out_of_office' });
    expect(waitingView({ status: 'paused', waitingFor: 'delay', nextSendAt: later }, 'running', now).behindPause).toBe('delay');
    // A claim that met the pause recorded the pause itself: nothing lies behind it.
    expect(waitingView({ status: 'active', waitingFor: 'campaign_paused', nextSendAt: null }, 'paused', now).behindPause).toBeNull();
  });

  it('keeps a paused step its time while it is still ahead, and has none once it is due', () => {
    expect(waitingView({ status: 'active', waitingFor: 'delay', nextSendAt: later }, 'paused', now).nextSendAt).toBe(later.toISOString());
    expect(waitingView({ status: 'active', waitingFor: 'delay', nextSendAt: earlier }, 'paused', now).nextSendAt).toBeNull();
  });

  it('says nothing for a finished lead or a draft campaign', () => {
    expect(waitingView({ status: 'completed', waitingFor: 'delay', nextSendAt: later }, 'running', now)).toEqual({ waitingFor: null, nextSendAt: null, behindPause: null });
    expect(waitingView({ status: 'pending', waitingFor: null, nextSendAt: null }, 'draft', now)).toEqual({ waitingFor: null, nextSendAt: null, behindPause: null });
  });
});
