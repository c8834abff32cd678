import type { Db } from '../db.js';
import { ConflictError, NotFoundError } from '../domain/errors.js';
import type { SenderAccount } from '../generated/prisma/client.js';
import { newId } from '../domain/ids.js';
import { inParallel } from '../domain/parallel.js';
import { localDay } from '../domain/schedule.js';
import { effectiveDailyLimit } from '../domain/sending-limits.js';
import type { ServiceDeps } from '../services.js';

export type RampUpInput = { startLimit: number; increasePerDay: number };
export type SenderInput = {
  email: string;
  name: string;
  dailyLimit: number;
  status?: 'active' | 'paused' | undefined;
  minGapSeconds?: number | undefined;
  jitterSeconds?: number | undefined;
  rampUp?: RampUpInput | null | undefined;
};

/**
 * Pacing for accounts created through the API when the request names none: at least 3 minutes
 * between two sends plus up to 2 more at random — about 15 an hour, so a mailbox never bursts.
 * (The account `npm start` seeds for the local transport is unthrottled.)
 */
export const DEFAULT_PACING = { minGapSeconds: 180, jitterSeconds: 120 } as const;

/** The columns a ramp-up is kept in; `null` ends it, a new one starts today. */
const rampColumns = (ramp: RampUpInput | null, now: Date) =>
  ramp ? { rampStartLimit: ramp.startLimit, rampIncreasePerDay: ramp.increasePerDay, rampStartedAt: now } : { rampStartLimit: null, rampIncreasePerDay: null, rampStartedAt: null };

const rampOf = (s: SenderAccount) =>
  s.rampStartLimit === null || !s.rampStartedAt ? null : { startLimit: s.rampStartLimit, increasePerDay: s.rampIncreasePerDay ?? 0, startedAt: s.rampStartedAt };

async function usedToday({ db, now }: ServiceDeps, workspaceId: string, senderIds: string[]) {
  const workspace = await db.workspace.findUniqueOrThrow({ where: { id: workspaceId }, select: { timezone: true } });
  const day = localDay(now(), workspace.timezone);
  const rows = await db.senderDailyUsage.findMany({ where: { senderAccountId: { in: senderIds }, day } });
  return new Map(rows.map((r) => [r.senderAccountId, r.used]));
}

function senderView(s: SenderAccount, used: number, now: Date) {
  const ramp = rampOf(s);
  const effective = effectiveDailyLimit(s.dailyLimit, ramp, now);
  return {
    id: s.id,
    email: s.email,
    name: s.name,
    dailyLimit: s.dailyLimit,
    effectiveDailyLimit: effective,
    rampUp: ramp ? { startLimit: ramp.startLimit, increasePerDay: ramp.increasePerDay, startedAt: ramp.startedAt.toISOString() } : null,
    minGapSeconds: s.minGapSeconds,
    jitterSeconds: s.jitterSeconds,
    status: s.status,
    lastError: s.lastError,
    lastErrorAt: s.lastErrorAt?.toISOString() ?? null,
    sentToday: used,
    remainingToday: s.status === 'active' ? Math.max(effective - used, 0) : 0,
    createdAt: s.createdAt.toISOString(),
  };
}

export async function listSenders(deps: ServiceDeps, workspaceId: string) {
  const senders = await deps.db.senderAccount.findMany({ where: { workspaceId }, orderBy: { id: 'asc' } });
  const used = await usedToday(deps, workspaceId, senders.map((s) => s.id));
  return senders.map((s) => senderView(s, used.get(s.id) ?? 0, deps.now()));
}

/**
 * Wakes leads that wait for what a sender change made available: those held for this account (or
 * for any active account), and as many capacity waiters as it can now send today — the earliest
 * booked first — instead of leaving them asleep until their booked day.
 */
async function wakeWaiting({ db, orchestrator }: ServiceDeps, workspaceId: string, senderId: string, capacityAdded: number) {
  const held = await db.enrollment.findMany({
    where: {
      workspaceId,
      waitingFor: 'sender_unavailable',
      status: 'active',
      workflowStartedAt: { not: null },
      OR: [{ senderAccountId: senderId }, { senderAccountId: null }],
    },
    select: { id: true },
  });
  const waiting =
    capacityAdded > 0
      ? await db.enrollment.findMany({
          where: { workspaceId, waitingFor: 'capacity', status: 'active', workflowStartedAt: { not: null }, OR: [{ senderAccountId: senderId }, { senderAccountId: null }] },
          orderBy: [{ nextSendAt: 'asc' }, { id: 'asc' }],
          take: capacityAdded,
          select: { id: true },
        })
      : [];
  await inParallel([...held, ...waiting], 32, (e) => orchestrator.signalEnrollment(e.id, { name: 'wake' }));
}

export async function createSender(deps: ServiceDeps, workspaceId: string, input: SenderInput) {
  const { db } = deps;
  const existing = await db.senderAccount.findUnique({ where: { workspaceId_email: { workspaceId, email: input.email } } });
  if (existing) throw new ConflictError('sender_exists', `A sender account for ${input.email} already exists.`);
  const { rampUp, ...fields } = input;
  const sender = await db.senderAccount.create({
    data: { id: newId('sa'), workspaceId, ...DEFAULT_PACING, ...fields, status: input.status ?? 'active', ...rampColumns(rampUp ?? null, deps.now()) },
  });
  if (sender.status === 'active') await wakeWaiting(deps, workspaceId, sender.id, effectiveDailyLimit(sender.dailyLimit, rampOf(sender), deps.now()));
  return senderView(sender, 0, deps.now());
}

/** Setting an account `active` again (after a pause or a provider error) clears its error and resumes its leads. */
export async function updateSender(deps: ServiceDeps, workspaceId: string, id: string, patch: Partial<Omit<SenderInput, 'email'>>) {
  const { db } = deps;
  const before = await db.senderAccount.findFirst({ where: { id, workspaceId } });
  if (!before) throw new NotFoundError('sender_account');
  const { rampUp, ...fields } = patch;
  const sender = await db.senderAccount.update({
    where: { id },
    data: {
      ...fields,
      ...(patch.status === 'active' ? { lastError: null, lastErrorAt: null } : {}),
      ...(rampUp !== undefined ? rampColumns(rampUp, deps.now()) : {}),
    },
  });
  const used = (await usedToday(deps, workspaceId, [id])).get(id) ?? 0;
  if (sender.status === 'active') {
    const now = deps.now();
    const remainingBefore = before.status === 'active' ? Math.max(effectiveDailyLimit(before.dailyLimit, rampOf(before), now) - used, 0) : 0;
    await wakeWaiting(deps, workspaceId, id, Math.max(effectiveDailyLimit(sender.dailyLimit, rampOf(sender), now) - used, 0) - remainingBefore);
  }
  return senderView(sender, used, deps.now());
}

/** A workspace has one default pool: all of its sender accounts. */
export async function listPools(deps: ServiceDeps, workspaceId: string) {
  return [poolOf(workspaceId, await listSenders(deps, workspaceId))];
}

/** The workspace's one pool (every account it has), summed from its accounts' views. */
export function poolOf(workspaceId: string, senders: Awaited<ReturnType<typeof listSenders>>) {
  const active = senders.filter((s) => s.status === 'active');
  return {
    id: `pool_${workspaceId.slice('ws_'.length)}`,
    name: 'Default',
    dailyCapacity: active.reduce((n, s) => n + s.effectiveDailyLimit, 0),
    remainingToday: active.reduce((n, s) => n + s.remainingToday, 0),
    senderCount: senders.length,
    senderAccountIds: senders.map((s) => s.id),
  };
}

/** The local stack works out of the box: a workspace without senders gets one from MAIL_FROM. */
export async function ensureDefaultSender(db: Db, workspaceId: string, mailbox: { email: string; name: string }) {
  if (await db.senderAccount.findFirst({ where: { workspaceId }, select: { id: true } })) return;
  await db.senderAccount.create({ data: { id: newId('sa'), workspaceId, email: mailbox.email, name: mailbox.name, dailyLimit: 500 } });
}
