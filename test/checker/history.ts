/**
 * A history: what one seed makes happen to one fresh workspace. Two lanes of operations run side by
 * side (API calls, provider events, replies, faults at the provider, a worker SIGKILLed), so calls
 * interleave with each other and with the sends they race. The same seed draws the same history.
 */
import { rng, type Rng } from './rng.js';

export type ReplyClass = 'interested' | 'not_interested' | 'out_of_office' | 'bounce' | 'unsubscribe';
export type ProviderEventType = 'delivered' | 'bounced' | 'soft_bounced' | 'complained';
/**
 * `lost`: accepted, the answer cut off. `lostThenRefused`: one answer lost, then the retries of that
 * mail refused (429) a few times: an answered error after an attempt that may have sent.
 */
export type Fault = '500' | '429' | 'concurrent' | 'lost' | 'lostThenRefused' | 'slow';

export type Op =
  | { kind: 'bulk'; campaign: number; leads: number[] }
  | { kind: 'start'; campaign: number }
  | { kind: 'pause'; campaign: number }
  | { kind: 'leadPause' | 'leadResume' | 'leadStop'; campaign: number; lead: number }
  | { kind: 'reply'; campaign: number; lead: number; classification: ReplyClass }
  | { kind: 'unsubscribe'; lead: number }
  | { kind: 'suppress'; lead: number }
  | { kind: 'providerEvent'; lead: number; type: ProviderEventType }
  | { kind: 'fault'; fault: Fault; count: number }
  /**
   * A mail's answer is lost and its retries refused (429) `count` times; meanwhile the lead it went
   * to replies: the moment an ending meets a step that may have been sent.
   */
  | { kind: 'replyDuringRetries'; count: number; classification: ReplyClass }
  | { kind: 'heal' }
  | { kind: 'senderError' }
  | { kind: 'fixSender' }
  | { kind: 'killWorker' }
  /**
   * The workspace's day turns at once: its time zone moves from UTC−11 to UTC+14, a day or two ahead.
   * Every process sees it together (it is data, not a clock), so it is how a history crosses a
   * midnight within seconds: sends claimed on one day leave on the next.
   */
  | { kind: 'dayTurn' };

export type Timed = { op: Op; gapMs: number };

export type History = {
  seed: number;
  /** Each campaign's steps (all delay 0: a history runs in seconds) and leads (indexes into `emails`). */
  campaigns: { steps: number; leads: number[] }[];
  emails: string[];
  dailyLimit: number;
  /** The sender's pacing: at least this many seconds between two of its mails at the provider. */
  minGapSeconds: number;
  lanes: Timed[][];
};

const REPLIES: ReplyClass[] = ['interested', 'not_interested', 'out_of_office', 'bounce', 'unsubscribe'];
const EVENTS: ProviderEventType[] = ['delivered', 'delivered', 'bounced', 'soft_bounced', 'complained'];
const FAULTS: Fault[] = ['500', '429', 'concurrent', 'lost', 'lostThenRefused', 'lostThenRefused', 'slow'];

/**
 * Most histories are one small campaign where every operation lands on few leads; one in four is the
 * guard's: two campaigns with enough sends (over 100) for the workspace's bounce guard to judge.
 */
export function generateHistory(seed: number): History {
  const r = rng(seed);
  const guard = r.chance(0.25);
  const campaigns = guard
    ? [
        { steps: 1, leads: range(0, 55) },
        { steps: 1, leads: range(55, 110) },
      ]
    : [{ steps: r.int(2, 3), leads: range(0, r.int(5, 9)) }];
  const leadCount = campaigns.reduce((n, c) => n + c.leads.length, 0);
  const emails = range(0, leadCount).map((i) => `l${i}-s${seed}@h${seed}.example.com`);
  const dailyLimit = guard ? 100_000 : r.pick([3, 5, 8, 100_000]);
  const minGapSeconds = guard ? 0 : r.pick([0, 0, 0, 1]);
  const lanes: Timed[][] = [[], []];
  const setup = lanes[0]!;
  campaigns.forEach((c, campaign) => {
    const first = c.leads.slice(0, Math.max(1, Math.floor(c.leads.length * (guard ? 1 : r.next()))));
    setup.push({ op: { kind: 'bulk', campaign, leads: first }, gapMs: 0 });
    if (first.length < c.leads.length) lanes[1]!.push({ op: { kind: 'bulk', campaign, leads: c.leads.slice(first.length) }, gapMs: r.int(0, 400) });
    setup.push({ op: { kind: 'start', campaign }, gapMs: r.int(0, 100) });
  });
  const count = guard ? 14 : r.int(12, 22);
  let restarts = 0;
  for (let i = 0; i < count; i++) {
    const op = guard ? guardOp(r, campaigns) : anyOp(r, campaigns, restarts);
    if (op.kind === 'killWorker' || op.kind === 'dayTurn') restarts++;
    r.pick(lanes).push({ op, gapMs: r.int(0, guard ? 600 : 350) });
  }
  return { seed, campaigns, emails, dailyLimit, minGapSeconds, lanes };
}

/** At most one SIGKILL (each costs the worker's start-up) and one day turn a history. */
function anyOp(r: Rng, campaigns: History['campaigns'], restarts: number): Op {
  const campaign = 0;
  const lead = r.pick(campaigns[0]!.leads);
  const roll = r.next();
  if (roll < 0.1) return { kind: 'pause', campaign };
  if (roll < 0.2) return { kind: 'start', campaign };
  if (roll < 0.26) return { kind: r.pick(['leadPause', 'leadResume', 'leadStop'] as const), campaign, lead };
  if (roll < 0.4) return { kind: 'reply', campaign, lead, classification: r.pick(REPLIES) };
  if (roll < 0.45) return { kind: 'unsubscribe', lead };
  if (roll < 0.49) return { kind: 'suppress', lead };
  if (roll < 0.62) return { kind: 'providerEvent', lead, type: r.pick(EVENTS) };
  if (roll < 0.76) return { kind: 'fault', fault: r.pick(FAULTS), count: r.int(1, 4) };
  if (roll < 0.8) return { kind: 'replyDuringRetries', count: r.int(3, 6), classification: r.pick(REPLIES.filter((c) => c !== 'out_of_office')) };
  if (roll < 0.86) return { kind: 'heal' };
  if (roll < 0.9) return { kind: 'senderError' };
  if (roll < 0.94) return { kind: 'fixSender' };
  if (roll < 0.955 && restarts === 0) return { kind: 'killWorker' };
  if (roll < 0.985 && restarts === 0) return { kind: 'dayTurn' };
  return { kind: 'bulk', campaign, leads: [lead] };
}

/** The guard's history: the first campaign is paused while its mail bounces. */
function guardOp(r: Rng, campaigns: History['campaigns']): Op {
  const roll = r.next();
  if (roll < 0.15) return { kind: 'pause', campaign: 0 };
  if (roll < 0.75) return { kind: 'providerEvent', lead: r.pick(campaigns[0]!.leads), type: r.chance(0.8) ? 'bounced' : 'complained' };
  if (roll < 0.85) return { kind: 'fault', fault: r.pick(FAULTS), count: r.int(1, 3) };
  return { kind: 'reply', campaign: 1, lead: r.pick(campaigns[1]!.leads), classification: r.pick(REPLIES) };
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i);
}

export const describeOp = (op: Op) => JSON.stringify(op);
