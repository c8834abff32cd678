/**
 * The oracles: each reads the history's record (what every call got back and when), the provider's
 * record (every POST /emails as it arrived, every email it accepted) and the database, and names
 * every way a promise of SPEC §2–§10 was broken. An empty list is a history that kept them all.
 */
import { Client, Connection } from '@temporalio/client';
import proto, { type temporal } from '@temporalio/proto';
import { isLive } from '../../src/domain/enrollment-status.js';
import { enrollmentWorkflowId, stateQuery } from '../../src/workflows/contract.js';
import type { Stack } from '../faults/stack.js';
import type { Received } from './receiver.js';
import { ZONES, type Observed, type Run, type World } from './run-history.js';

type Facts = Awaited<ReturnType<typeof gather>>;

const SENT_LIKE = new Set(['sent', 'delivered', 'bounced']);
const WORKSPACE_LIMITS = { bounceRate: 0.04, complaintRate: 0.0008, minSent: 100 };

export async function gather(stack: Stack, run: Run) {
  const db = stack.db;
  const where = { workspaceId: run.workspaceId };
  const [messages, enrollments, replies, events, campaigns] = await Promise.all([
    db.message.findMany({ where, select: { id: true, enrollmentId: true, campaignId: true, stepNumber: true, status: true, providerId: true, idempotencyKey: true, sentAt: true, deliveredAt: true, complainedAt: true, fromEmail: true, unconfirmedSince: true } }),
    db.enrollment.findMany({ where, select: { id: true, campaignId: true, status: true, waitingFor: true, nextSendAt: true, repliedAt: true, lead: { select: { email: true } } } }),
    db.reply.findMany({ where, select: { leadId: true, campaignId: true, classification: true, email: true } }),
    db.event.findMany({ where, select: { id: true, type: true, txid: true, seq: true, data: true }, orderBy: [{ txid: 'asc' }, { seq: 'asc' }] }),
    db.campaign.findMany({ where, select: { id: true, status: true, pauseReason: true } }),
  ]);
  const suppressions = await db.suppression.findMany({ where, select: { email: true } });
  const stats = new Map<string, any>();
  for (const id of run.campaignIds) stats.set(id, (await run.api.get(`/v1/campaigns/${id}/stats`)).body.data);
  // Keys are `<enrollmentId>/<step>`: a request is this workspace's if its enrollment is.
  const ids = new Set(enrollments.map((e) => e.id));
  const mine = (key: string | null) => key !== null && ids.has(key.split('/')[0]!);
  const posts = stack.resend.posts.filter((p) => mine(p.idempotencyKey));
  const accepted = stack.resend.accepted.filter((a) => a.tags.some((t) => t.name === 'workspace_id' && t.value === run.workspaceId));
  return { messages, enrollments, replies, events, campaigns, suppressions, stats, posts, accepted };
}

export function checkAll(world: World, run: Run, facts: Facts, stranded: string[]): string[] {
  return [
    ...atMostOncePerStep(facts),
    ...sentMailIsKnown(facts),
    ...nothingAfterAnEnd(run, facts),
    ...nothingWhilePaused(run, facts),
    ...countersMatch(facts),
    ...capsHold(run, facts),
    ...pacingHolds(run, facts),
    ...feedExactlyOnce(run, facts),
    ...changesRecordedOnce(facts),
    ...webhooksExactlyOnce(facts, world.receiver.received),
    ...workspaceGuardJudged(run, facts),
    ...stranded,
  ];
}

/**
 * Each change an agent follows is in the feed exactly once: one `lead.enrolled` per enrollment,
 * one `suppression.added` per address on the list, however often the calls were retried or raced.
 */
function changesRecordedOnce({ events, enrollments, suppressions }: Facts): string[] {
  const count = (type: string, key: string) => {
    const seen = new Map<string, number>();
    for (const e of events) {
      if (e.type !== type) continue;
      const k = String((e.data as Record<string, unknown>)[key]);
      seen.set(k, (seen.get(k) ?? 0) + 1);
    }
    return seen;
  };
  const enrolled = count('lead.enrolled', 'enrollmentId');
  const suppressed = count('suppression.added', 'email');
  return [
    ...enrollments.filter((e) => enrolled.get(e.id) !== 1).map((e) => `changes: enrollment ${e.id} has ${enrolled.get(e.id) ?? 0} lead.enrolled events`),
    ...suppressions.filter((s) => suppressed.get(s.email) !== 1).map((s) => `changes: suppressed ${s.email} has ${suppressed.get(s.email) ?? 0} suppression.added events`),
    ...[...enrolled.keys()].filter((id) => !enrollments.some((e) => e.id === id)).map((id) => `changes: lead.enrolled for ${id}, which is no enrollment`),
  ];
}

/** At most one mail per (enrollment, step) reached anyone. */
function atMostOncePerStep({ accepted }: Facts): string[] {
  const seen = new Map<string, number>();
  for (const a of accepted) {
    const step = `${tag(a, 'enrollment_id')}/${a.idempotencyKey?.split('/')[1]}`;
    seen.set(step, (seen.get(step) ?? 0) + 1);
  }
  return [...seen].filter(([, n]) => n > 1).map(([step, n]) => `at most once: step ${step} accepted ${n} times by the provider`);
}

/**
 * A mail the provider took is recorded as sent (or unknown), never cancelled or failed; one whose
 * answer never came may still be `sending` and marked unconfirmed while its lead lives and waits
 * (its retry goes under the same key). And a recorded send is one the provider took.
 */
function sentMailIsKnown({ accepted, messages, enrollments }: Facts): string[] {
  const out: string[] = [];
  const byKey = new Map(messages.map((m) => [m.idempotencyKey, m]));
  const live = new Set(enrollments.filter((e) => isLive(e.status)).map((e) => e.id));
  for (const a of accepted) {
    const m = byKey.get(a.idempotencyKey ?? '');
    const pending = m?.status === 'sending' && m.unconfirmedSince !== null && live.has(m.enrollmentId);
    if (!m) out.push(`recorded: the provider accepted ${a.idempotencyKey} but no message has that key`);
    else if (!SENT_LIKE.has(m.status) && m.status !== 'unknown' && !pending) out.push(`recorded: ${a.idempotencyKey} went out but its message is ${m.status}${m.status === 'sending' ? ' and not marked unconfirmed' : ''}`);
  }
  const acceptedKeys = new Set(accepted.map((a) => a.idempotencyKey));
  for (const m of messages) {
    if (SENT_LIKE.has(m.status) && !acceptedKeys.has(m.idempotencyKey)) out.push(`recorded: message ${m.idempotencyKey} is ${m.status} but the provider never accepted it`);
  }
  return out;
}

const ENDS_LEAD = (o: Observed) =>
  o.status >= 200 && o.status < 300 &&
  (o.op.kind === 'unsubscribe' || o.op.kind === 'suppress' || o.op.kind === 'leadStop' ||
    (o.op.kind === 'reply' && o.op.classification !== 'out_of_office') ||
    (o.op.kind === 'providerEvent' && (o.op.type === 'bounced' || o.op.type === 'complained')));

/** No provider request for a lead begins after the call that ended it answered. */
function nothingAfterAnEnd(run: Run, { posts, enrollments }: Facts): string[] {
  const out: string[] = [];
  for (const o of run.observed.filter(ENDS_LEAD)) {
    const email = run.history.emails[(o.op as { lead: number }).lead]!;
    const ended = new Set(enrollments.filter((e) => e.lead.email === email && (o.op.kind !== 'leadStop' || e.campaignId === run.campaignIds[o.op.campaign])).map((e) => e.id));
    // A bounce or complaint ends the lead only if the event was for one of its mails.
    for (const p of posts) {
      if (p.at > o.ackedAt && ended.has(p.idempotencyKey!.split('/')[0]!)) {
        out.push(`after an end: ${p.idempotencyKey} reached the provider ${p.at - o.ackedAt} ms after ${o.op.kind} ${JSON.stringify(o.op)} answered ${o.status}`);
      }
    }
  }
  return out;
}

/** Between a pause's answer and the next start (or the lead's resume) no provider request begins. */
function nothingWhilePaused(run: Run, { posts, enrollments }: Facts): string[] {
  const out: string[] = [];
  const sorted = [...run.observed].sort((a, b) => a.startedAt - b.startedAt);
  for (const o of sorted) {
    if (o.status !== 200 || (o.op.kind !== 'pause' && o.op.kind !== 'leadPause')) continue;
    const op = o.op;
    // Held until the first resume that may have committed after this pause did: any that answered
    // after the pause began (one racing the pause can land on either side of it).
    const resumes = sorted.filter((n) => n.ackedAt > o.startedAt && (op.kind === 'pause' ? n.op.kind === 'start' && n.op.campaign === op.campaign : n.op.kind === 'leadResume' && n.op.lead === op.lead));
    const until = Math.min(Infinity, ...resumes.map((n) => n.startedAt));
    const campaignId = run.campaignIds[op.campaign];
    const held = new Set(enrollments.filter((e) => e.campaignId === campaignId && (op.kind === 'pause' || e.lead.email === run.history.emails[op.lead])).map((e) => e.id));
    for (const p of posts) {
      if (p.at > o.ackedAt && p.at < until && held.has(p.idempotencyKey!.split('/')[0]!)) {
        out.push(`while paused: ${p.idempotencyKey} reached the provider ${p.at - o.ackedAt} ms after ${JSON.stringify(op)} answered`);
      }
    }
  }
  return out;
}

/** Stats equal the rows they count, and replies count each lead once. */
function countersMatch({ stats, messages, enrollments, replies }: Facts): string[] {
  const out: string[] = [];
  for (const [campaignId, s] of stats) {
    const ms = messages.filter((m) => m.campaignId === campaignId);
    const counted = {
      sent: ms.filter((m) => m.sentAt).length,
      delivered: ms.filter((m) => m.deliveredAt && m.status !== 'bounced').length,
      bounced: ms.filter((m) => m.status === 'bounced').length,
      complained: ms.filter((m) => m.complainedAt).length,
      replied: new Set(replies.filter((r) => r.campaignId === campaignId && r.classification !== 'out_of_office' && r.classification !== 'bounce').map((r) => r.leadId)).size,
    };
    const enrolled = enrollments.filter((e) => e.campaignId === campaignId);
    for (const [name, value] of Object.entries(counted)) {
      if (s.metrics[name] !== value) out.push(`counters: ${campaignId} ${name} is ${s.metrics[name]}, the rows say ${value}`);
    }
    if (s.enrolledLeads !== enrolled.length) out.push(`counters: ${campaignId} enrolledLeads is ${s.enrolledLeads}, the rows say ${enrolled.length}`);
  }
  return out;
}

/**
 * No sender account's mail reaching the provider on one day exceeds its daily limit: the workspace's
 * day when the mail left (after a day turn, the new one), whenever it was claimed. A mail that left
 * while the turn was being answered could be on either day and is not counted.
 */
function capsHold(run: Run, { accepted }: Facts): string[] {
  const turn = run.observed.find((o) => o.op.kind === 'dayTurn' && o.status === 200);
  const perDay = new Map<string, string[]>();
  for (const a of accepted) {
    const at = Date.parse(a.createdAt);
    if (turn && at >= turn.startedAt && at <= turn.ackedAt) continue;
    const zone = turn && at > turn.ackedAt ? ZONES.after : ZONES.before;
    const day = `${a.from} ${new Intl.DateTimeFormat('en-CA', { timeZone: zone }).format(at)}`;
    perDay.set(day, [...(perDay.get(day) ?? []), `${a.idempotencyKey} at ${turn ? `turn${at > turn.ackedAt ? '+' : ''}${at - (at > turn.ackedAt ? turn.ackedAt : turn.startedAt)} ms` : a.createdAt}`]);
  }
  // Each mail with its time from the turn, so a failing seed shows which mails crossed it.
  return [...perDay].filter(([, mails]) => mails.length > run.history.dailyLimit).map(([day, mails]) => `caps: ${day} sent ${mails.length}, the limit is ${run.history.dailyLimit} (${mails.join(', ')})`);
}

/** Paced mail reaches the provider at least minGapSeconds apart, after an outage as before it. */
function pacingHolds(run: Run, { accepted }: Facts): string[] {
  const gapMs = run.history.minGapSeconds * 1000;
  if (!gapMs) return [];
  const times = accepted.map((a) => Date.parse(a.createdAt)).sort((x, y) => x - y);
  // 100 ms of slack: a slot is kept by the claim's clock, the arrival is stamped by the provider's.
  return times.slice(1).flatMap((t, i) => (t - times[i]! < gapMs - 100 ? [`pacing: two mails ${t - times[i]!} ms apart at the provider, the gap is ${gapMs} ms`] : []));
}

/** A reader following `after` got every event of the workspace exactly once. */
function feedExactlyOnce(run: Run, { events }: Facts): string[] {
  const out: string[] = [];
  const counts = new Map<string, number>();
  for (const id of run.feed) counts.set(id, (counts.get(id) ?? 0) + 1);
  for (const [id, n] of counts) if (n > 1) out.push(`feed: ${id} served ${n} times`);
  for (const e of events) if (!counts.has(e.id)) out.push(`feed: ${e.type} ${e.id} (txid ${e.txid}, seq ${e.seq}) never served to a reader following after`);
  if (out.length) out.push(`feed: order ${events.map((e) => `${e.id.slice(-4)}:${e.txid}/${e.seq}${counts.has(e.id) ? '' : '!'}`).join(' ')}; read ${run.feed.map((id) => id.slice(-4)).join(' ')}`);
  return out;
}

/** Every event reached the webhook, signed, under one delivery id. */
function webhooksExactlyOnce({ events }: Facts, received: Received[]): string[] {
  const out: string[] = [];
  const ids = new Set(events.map((e) => e.id));
  const byEvent = new Map<string, Set<string>>();
  for (const r of received) {
    if (!ids.has(r.eventId)) continue;
    if (!r.valid) out.push(`webhooks: a delivery of ${r.eventId} failed signature verification`);
    byEvent.set(r.eventId, (byEvent.get(r.eventId) ?? new Set()).add(r.webhookId));
  }
  for (const e of events) {
    const deliveries = byEvent.get(e.id)?.size ?? 0;
    if (deliveries !== 1) out.push(`webhooks: ${e.type} ${e.id} arrived under ${deliveries} delivery ids`);
  }
  return out;
}

/**
 * Past the workspace's lines (over its sends, at least 100) every campaign that was not started by
 * hand after the last bounce or complaint is paused, whatever state the campaign the harm came from was in.
 */
function workspaceGuardJudged(run: Run, { messages, campaigns }: Facts): string[] {
  const sent = messages.filter((m) => m.sentAt).length;
  const bounced = messages.filter((m) => m.status === 'bounced').length;
  const complained = messages.filter((m) => m.complainedAt).length;
  if (sent < WORKSPACE_LIMITS.minSent) return [];
  if (bounced / sent <= WORKSPACE_LIMITS.bounceRate && complained / sent <= WORKSPACE_LIMITS.complaintRate) return [];
  const harm = run.observed.filter((o) => o.op.kind === 'providerEvent' && o.op.type !== 'delivered' && o.status === 200);
  const lastHarm = Math.max(...harm.map((o) => o.ackedAt));
  return campaigns
    .filter((c) => c.status === 'running')
    .filter((c) => !run.observed.some((o) => o.op.kind === 'start' && run.campaignIds[o.op.campaign] === c.id && o.startedAt > lastHarm))
    .map((c) => `workspace guard: ${c.id} still running at ${bounced}/${sent} bounced, ${complained} complained`);
}

/**
 * The barrier a history ends on: every enrollment has ended, or waits for something that will come
 * by itself (a later day's capacity, an out-of-office return) or for a pause the guard made. Answers
 * what is still unsettled; empty once settled.
 */
export async function unsettled(stack: Stack, run: Run): Promise<string[]> {
  const now = new Date();
  const [enrollments, campaigns, sending] = await Promise.all([
    stack.db.enrollment.findMany({ where: { workspaceId: run.workspaceId }, select: { id: true, campaignId: true, status: true, waitingFor: true, nextSendAt: true } }),
    stack.db.campaign.findMany({ where: { workspaceId: run.workspaceId }, select: { id: true, status: true } }),
    stack.db.message.findMany({ where: { workspaceId: run.workspaceId, status: 'sending', enrollment: { status: { notIn: ['active', 'pending', 'paused'] } } }, select: { idempotencyKey: true } }),
  ]);
  const status = new Map(campaigns.map((c) => [c.id, c.status]));
  const out = enrollments
    .filter((e) => isLive(e.status))
    .filter((e) => {
      const campaign = status.get(e.campaignId);
      if (campaign !== 'running') return false;
      const later = e.nextSendAt && e.nextSendAt > now;
      return !(later && (e.waitingFor === 'capacity' || e.waitingFor === 'out_of_office' || e.waitingFor === 'daily_new_leads'));
    })
    .map((e) => `stranded: enrollment ${e.id} ${e.status} waiting for ${e.waitingFor} until ${e.nextSendAt?.toISOString() ?? 'never'}`);
  return [...out, ...sending.map((m) => `stranded: message ${m.idempotencyKey} left sending after its lead ended`)];
}

/**
 * A stranded lead's workflow as Temporal has it: its run's status, its state query, and the last
 * events of its history (signals by name): what a replay cannot show once the race is gone.
 */
export async function explainStranded(stack: Stack, stranded: string[]): Promise<string[]> {
  const ids = stranded.flatMap((line) => line.match(/^stranded: enrollment (\S+)/)?.[1] ?? []).slice(0, 3);
  if (ids.length === 0) return [];
  const connection = await Connection.connect({ address: stack.env.TEMPORAL_ADDRESS });
  try {
    const client = new Client({ connection });
    return await Promise.all(ids.map(async (id) => {
      const handle = client.workflow.getHandle(enrollmentWorkflowId(id));
      const described = await handle.describe().catch((err: Error) => ({ status: { name: `no workflow (${err.message})` } }));
      const state = await handle.query(stateQuery).catch(() => null);
      const history = await handle.fetchHistory().catch(() => null);
      const last = (history?.events ?? []).slice(-12).map((e) => eventName(e)).join(' ');
      return `  workflow of ${id}: ${described.status.name}, state ${JSON.stringify(state)}; last events: ${last}`;
    }));
  } finally {
    await connection.close();
  }
}

function eventName(e: temporal.api.history.v1.IHistoryEvent): string {
  const type = (proto.temporal.api.enums.v1.EventType[e.eventType ?? 0] ?? String(e.eventType)).replace('EVENT_TYPE_', '');
  const signal = e.workflowExecutionSignaledEventAttributes?.signalName;
  const activity = e.activityTaskScheduledEventAttributes?.activityType?.name;
  const timer = e.timerStartedEventAttributes?.startToFireTimeout?.seconds;
  return signal ? `${type}(${signal})` : activity ? `${type}(${activity})` : timer ? `${type}(${String(timer)}s)` : type;
}

const tag = (a: { tags: { name: string; value: string }[] }, name: string) => a.tags.find((t) => t.name === name)?.value;
