import { isLive, type WaitReason } from './enrollment-status.js';

/**
 * What a reader is told an enrollment waits for: a lead or campaign pause (from their rows) over
 * the wait the send path last recorded; nothing once it has ended or before its campaign starts.
 * During a pause a step not yet due keeps its time (it goes then if resumed before); one already
 * due, or whose claim met the pause, has none until the resume.
 */
export function waitingView(
  e: { status: string; waitingFor: WaitReason | null; nextSendAt: Date | null },
  campaignStatus: string,
  now: Date,
  /** The sending window's next opening at or after a time, for this lead; absent: always open. */
  opening: (at: Date) => Date = (at) => at,
): { waitingFor: WaitReason | null; nextSendAt: string | null; behindPause: WaitReason | null } {
  if (!isLive(e.status) || campaignStatus === 'draft') return { waitingFor: null, nextSendAt: null, behindPause: null };
  // A delay or a hold ends at a time the window may not allow: the step goes at the opening then.
  // Deferrals (window, capacity, pacing) were already planned by the claim.
  if (e.nextSendAt && (e.waitingFor === 'delay' || e.waitingFor === 'out_of_office')) e = { ...e, nextSendAt: opening(e.nextSendAt) };
  const paused = e.status === 'paused' ? 'lead_paused' : campaignStatus === 'paused' ? 'campaign_paused' : null;
  if (!paused) return { waitingFor: e.waitingFor, nextSendAt: e.nextSendAt?.toISOString() ?? null, behindPause: null };
  // The wait the pause covers still holds after a resume (an out-of-office hold, a delay): say it.
  const behindPause = e.waitingFor === 'campaign_paused' || e.waitingFor === 'lead_paused' ? null : e.waitingFor;
  return { waitingFor: paused, nextSendAt: e.nextSendAt && e.nextSendAt > now ? e.nextSendAt.toISOString() : null, behindPause };
}
