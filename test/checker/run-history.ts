/**
 * Runs one history against the real stack and records what each operation got back and when, what
 * a feed reader following `after` saw, and what a webhook endpoint received. The oracles judge
 * these records against the provider's record and the database afterwards.
 */
import type { Child } from '../../scripts/lib/children.js';
import type { Stack } from '../faults/stack.js';
import { EVENT_TYPES } from '../../src/webhooks/events.js';
import { eventually } from '../helpers/worker.js';
import replies from '../fixtures/replies.json' with { type: 'json' };
import type { History, Op, ReplyClass } from './history.js';
import type { Receiver } from './receiver.js';

export type Observed = { op: Op; lane: number; startedAt: number; ackedAt: number; status: number; skipped?: string };

export type Api = {
  get: (url: string) => Promise<{ status: number; body: any }>;
  post: (url: string, body?: unknown) => Promise<{ status: number; body: any }>;
  patch: (url: string, body?: unknown) => Promise<{ status: number; body: any }>;
};

export type Run = {
  history: History;
  workspaceId: string;
  api: Api;
  campaignIds: string[];
  senderId: string;
  observed: Observed[];
  /** Event ids in the order a reader following `after` got them. */
  feed: string[];
  /** Stops the feed reader once it has read up to the workspace's last event (call after the history settled). */
  stopReader: () => Promise<void>;
};

/** The stack every history of a run shares. */
export type World = { stack: Stack; worker: { current: Child }; receiver: Receiver; webhookSecret: string };

/** The workspace's zone before a day turn, and after it: 25 hours ahead. */
export const ZONES = { before: 'Pacific/Pago_Pago', after: 'Pacific/Kiritimati' };

export async function runHistory(world: World, history: History): Promise<Run> {
  const { stack } = world;
  const { api, workspaceId } = await stack.newWorkspace(`h${history.seed}`);
  await must(api.patch('/v1/workspace', { timezone: ZONES.before }), 'workspace zone');
  const sender = (await api.get('/v1/sender-accounts')).body.data[0];
  await must(api.patch(`/v1/sender-accounts/${sender.id}`, { dailyLimit: history.dailyLimit, minGapSeconds: history.minGapSeconds }), 'sender limit');
  const hook = await must(api.post('/v1/webhooks', { url: world.receiver.url, events: [...EVENT_TYPES] }), 'webhook');
  world.receiver.trust(hook.body.data.secret);
  const campaignIds: string[] = [];
  for (const [i, c] of history.campaigns.entries()) {
    const steps = Array.from({ length: c.steps }, (_, s) => ({ delayDays: 0, subject: `S${s + 1} {{firstName}}`, bodyHtml: `<p>Step ${s + 1}</p>` }));
    const created = await must(api.post('/v1/campaigns', { name: `h${history.seed}-c${i}`, sequenceSteps: steps }), 'campaign');
    campaignIds.push(created.body.data.id);
  }
  const run: Run = { history, workspaceId, api, campaignIds, senderId: sender.id, observed: [], feed: [], stopReader: async () => undefined };
  const reader = followFeed(run, stack);
  run.stopReader = () => reader.stop();
  await Promise.all(history.lanes.map((lane, i) => runLane(world, run, lane, i)));
  await finale(world, run);
  return run;
}

async function runLane(world: World, run: Run, lane: History['lanes'][number], index: number) {
  for (const { op, gapMs } of lane) {
    if (gapMs) await new Promise((r) => setTimeout(r, gapMs));
    const startedAt = Date.now();
    // A call that got no answer may or may not have acted: the oracles judge only answered calls.
    const { status, skipped, lead } = await perform(world, run, op).catch((err: Error): Outcome => ({ status: -1, skipped: `no answer: ${err.message}` }));
    const reached = lead !== undefined && 'lead' in op ? { ...op, lead } : op;
    run.observed.push({ op: reached, lane: index, startedAt, ackedAt: Date.now(), status, ...(skipped ? { skipped } : {}) });
  }
}

/** `lead`: the lead the operation actually reached, when it differs from the drawn one. */
type Outcome = { status: number; skipped?: string; lead?: number };

async function perform(world: World, run: Run, op: Op): Promise<Outcome> {
  const { stack } = world;
  const { api, history } = run;
  const camp = (i: number) => run.campaignIds[i]!;
  switch (op.kind) {
    case 'bulk': {
      const leads = op.leads.map((i) => ({ email: history.emails[i]!, firstName: `L${i}` }));
      return api.post(`/v1/campaigns/${camp(op.campaign)}/leads/bulk`, { leads });
    }
    case 'start':
      return api.post(`/v1/campaigns/${camp(op.campaign)}/start`);
    case 'pause':
      return api.post(`/v1/campaigns/${camp(op.campaign)}/pause`);
    case 'leadPause':
    case 'leadResume':
    case 'leadStop': {
      const leadId = await leadIdOf(run, op.lead);
      if (!leadId) return { status: 0, skipped: 'not enrolled yet' };
      const action = { leadPause: 'pause', leadResume: 'resume', leadStop: 'stop' }[op.kind];
      return api.post(`/v1/campaigns/${camp(op.campaign)}/leads/${leadId}/${action}`);
    }
    case 'reply': {
      const sample = replyText(op.classification);
      return api.post('/v1/replies', { email: history.emails[op.lead], campaignId: camp(op.campaign), subject: sample.subject, text: sample.text });
    }
    case 'suppress':
      return api.post('/v1/suppression-list', { emails: [history.emails[op.lead]] });
    case 'unsubscribe': {
      const mail = lastMailTo(world, run, op.lead);
      const link = mail?.headers['List-Unsubscribe']?.match(/<(https?:\/\/[^>]+\/u\/[^>]+)>/)?.[1];
      if (!link) return { status: 0, skipped: 'no mail with a link yet' };
      const res = await fetch(`${stack.base}${new URL(link).pathname}`, { method: 'POST', body: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      return { status: res.status };
    }
    case 'providerEvent': {
      const mail = lastMailTo(world, run, op.lead) ?? anyMailOfCampaign(world, run, op.lead);
      if (!mail) return { status: 0, skipped: 'no mail yet' };
      return { ...(await postProviderEvent(world, mail, op.type)), lead: run.history.emails.indexOf(mail.to[0]!) };
    }
    case 'fault':
      injectFault(stack, op.fault, op.count);
      return { status: 200 };
    case 'replyDuringRetries':
      return replyDuringRetries(world, run, op);
    case 'heal':
      stack.resend.clearFailures();
      stack.resend.answerLate(0);
      return { status: 200 };
    case 'senderError':
      stack.resend.failNext(1, { status: 403, name: 'validation_error', message: 'The sequent.test domain is not verified.' });
      return { status: 200 };
    case 'fixSender': {
      return api.patch(`/v1/sender-accounts/${run.senderId}`, { status: 'active' });
    }
    case 'killWorker': {
      // No drain: calls in flight are cut off, their answers lost.
      world.worker.current.process.kill('SIGKILL');
      await world.worker.current.exited;
      world.worker.current = await stack.startWorker();
      return { status: 200 };
    }
    case 'dayTurn':
      return api.patch('/v1/workspace', { timezone: ZONES.after });
  }
}

function injectFault(stack: Stack, fault: Op & { kind: 'fault' } extends { fault: infer F } ? F : never, count: number) {
  const { resend } = stack;
  if (fault === '500') resend.failNext(count, { status: 500, name: 'internal_server_error' });
  if (fault === '429') resend.failNext(count, { status: 429, name: 'rate_limit_exceeded', retryAfter: '1' });
  if (fault === 'concurrent') resend.failNext(count, { status: 409, name: 'concurrent_idempotent_requests', message: 'Same idempotency key used while original request is still in progress.' });
  if (fault === 'lost') resend.loseNext(count);
  if (fault === 'lostThenRefused') {
    resend.loseNext(1);
    let refusals = count;
    const sent = (key: string | null) => key !== null && resend.accepted.some((a) => a.idempotencyKey === key);
    resend.failWhen((key) => sent(key) && refusals-- > 0, { status: 429, name: 'rate_limit_exceeded', retryAfter: '1' });
  }
  // Each answer its own delay: calls begun in one order are answered, and recorded, in another.
  if (fault === 'slow') resend.answerLate(() => Math.random() * 300 * count);
}

/** After the operations: the provider recovers, the sender is fixed, every pause is lifted. */
async function finale(world: World, run: Run) {
  const { stack } = world;
  stack.resend.clearFailures();
  stack.resend.answerLate(0);
  await run.api.patch(`/v1/sender-accounts/${run.senderId}`, { status: 'active' });
  for (const [i, id] of run.campaignIds.entries()) {
    const campaign = await run.api.get(`/v1/campaigns/${id}`);
    // A pause the guard made stays: lifting it would undo what the guard is judged on.
    if (campaign.body.data.status === 'paused' && campaign.body.data.pauseReason === 'manual') {
      const startedAt = Date.now();
      const res = await run.api.post(`/v1/campaigns/${id}/start`);
      run.observed.push({ op: { kind: 'start', campaign: i }, lane: -1, startedAt, ackedAt: Date.now(), status: res.status });
    }
    const paused = await stack.db.enrollment.findMany({ where: { campaignId: id, status: 'paused' }, select: { leadId: true, lead: { select: { email: true } } } });
    for (const p of paused) {
      const lead = run.history.emails.indexOf(p.lead.email);
      const startedAt = Date.now();
      const res = await run.api.post(`/v1/campaigns/${id}/leads/${p.leadId}/resume`);
      run.observed.push({ op: { kind: 'leadResume', campaign: i, lead }, lane: -1, startedAt, ackedAt: Date.now(), status: res.status });
    }
  }
}

/**
 * Polls the feed with `after` as an agent would. Stopped, it reads on until it has passed the
 * workspace's last event (the feed serves an event once every older transaction has ended), or
 * until 30 s tell that it never will.
 */
function followFeed(run: Run, stack: Stack) {
  let stopped = false;
  let cursor = '';
  const readOnce = async () => {
    const page = await run.api.get(`/v1/events?after=${cursor}&limit=100`);
    if (page.status !== 200) throw new Error(`feed answered ${page.status}: ${JSON.stringify(page.body)}`);
    for (const e of page.body.data) run.feed.push(e.id);
    cursor = page.body.nextCursor ?? page.body.data.at(-1)?.id ?? cursor;
    return page.body.data.length as number;
  };
  const loop = (async () => {
    while (!stopped) {
      // A failed read (the API busy past fetch's patience) keeps its cursor and asks again.
      await readOnce().catch(() => undefined);
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      const last = await stack.db.event.findFirst({ where: { workspaceId: run.workspaceId }, orderBy: [{ txid: 'desc' }, { seq: 'desc' }], select: { id: true } });
      if (!last) return;
      await eventually(async () => (await readOnce()) >= 0 && run.feed.includes(last.id), 30_000, 'the feed reader passed the last event').catch(() => undefined);
    },
  };
}

async function leadIdOf(run: Run, lead: number): Promise<string | null> {
  const page = await run.api.get(`/v1/campaigns/${run.campaignIds[0]}/leads?limit=100`);
  return page.body.data?.find((e: { email: string }) => e.email === run.history.emails[lead])?.leadId ?? null;
}

/** Another lead's mail of the same campaign, when this one has none yet (so the guard's harm lands). */
function anyMailOfCampaign(world: World, run: Run, lead: number) {
  const campaign = run.history.campaigns.find((c) => c.leads.includes(lead));
  const emails = new Set(campaign?.leads.map((i) => run.history.emails[i]));
  const mails = world.stack.resend.accepted.filter((m) => emails.has(m.to[0]));
  return mails.length ? mails[lead % mails.length] : undefined;
}

/**
 * Loses the next accepted mail's answer and refuses its retries; once a retry has been refused,
 * the lead that mail went to replies. The reply is recorded as the ending it is.
 */
async function replyDuringRetries(world: World, run: Run, op: Extract<Op, { kind: 'replyDuringRetries' }>): Promise<Outcome> {
  const { resend } = world.stack;
  const from = resend.posts.length;
  injectFault(world.stack, 'lostThenRefused', op.count);
  const refused = await eventually(async () => resend.posts.slice(from).find((p) => p.status === 429), 8_000, 'a retry refused').catch(() => null);
  const mail = refused && resend.accepted.find((a) => a.idempotencyKey === refused.idempotencyKey);
  const lead = mail ? run.history.emails.indexOf(mail.to[0]!) : -1;
  if (lead < 0) return { status: 0, skipped: 'no mail lost in time' };
  const reply: Op = { kind: 'reply', campaign: 0, lead, classification: op.classification };
  const startedAt = Date.now();
  const { status } = await perform(world, run, reply);
  run.observed.push({ op: reply, lane: -1, startedAt, ackedAt: Date.now(), status });
  return { status };
}

function lastMailTo(world: World, run: Run, lead: number) {
  const email = run.history.emails[lead];
  return world.stack.resend.accepted.filter((m) => m.to[0] === email).at(-1);
}

async function postProviderEvent(world: World, mail: { id: string; to: string[]; subject: string; createdAt: string; tags: { name: string; value: string }[] }, type: string) {
  const data = { email_id: mail.id, to: mail.to, subject: mail.subject, created_at: mail.createdAt, tags: Object.fromEntries(mail.tags.map((t) => [t.name, t.value])) };
  const event =
    type === 'delivered'
      ? { type: 'email.delivered', created_at: new Date().toISOString(), data }
      : type === 'complained'
        ? { type: 'email.complained', created_at: new Date().toISOString(), data }
        : { type: 'email.bounced', created_at: new Date().toISOString(), data: { ...data, bounce: type === 'bounced' ? { type: 'Permanent', subType: 'General', message: '550 5.1.1 no such user' } : { type: 'Transient', subType: 'MailboxFull', message: '452 mailbox full' } } };
  const signed = world.stack.resend.signEvent(world.webhookSecret, event);
  const res = await fetch(`${world.stack.base}/v1/providers/resend/events`, { method: 'POST', headers: signed.headers, body: signed.body });
  return { status: res.status };
}

function replyText(classification: ReplyClass) {
  const sample = replies.find((r) => r.lang === 'en' && r.expected === classification && !('from' in r));
  return sample ?? replies.find((r) => r.expected === classification)!;
}

async function must<T extends { status: number; body: any }>(p: Promise<T>, what: string): Promise<T> {
  const res = await p;
  if (res.status >= 300) throw new Error(`${what}: ${res.status} ${JSON.stringify(res.body)}`);
  return res;
}
