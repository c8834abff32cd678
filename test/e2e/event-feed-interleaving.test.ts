import fc from 'fast-check';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createApp } from '../../src/api/app.js';
import { newId } from '../../src/domain/ids.js';
import { apiClient, newWorkspace, testDeps } from '../helpers/deps.js';

/**
 * SPEC §9 "the event feed loses nothing", against orderings built step by step on separate
 * PostgreSQL connections: which transaction takes its xid first, which takes its seq first, which
 * commits first. The reader is the real route, following `after` as a client does.
 */
const clients: pg.Client[] = [];
afterAll(() => Promise.all(clients.map((c) => c.end())));

async function connection(): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: inject('databaseUrl') });
  await client.connect();
  clients.push(client);
  return client;
}

/** Inserts one event the way emitEvent does (the columns' defaults fill in the rest). */
async function insertEvent(client: pg.Client, workspaceId: string, type = 'lead.completed') {
  const id = newId('evt');
  const { rows } = await client.query<{ seq: string; txid: string }>(
    `INSERT INTO "Event" (id, "workspaceId", type, data) VALUES ($1, $2, $3, '{}') RETURNING seq::text, txid::text`,
    [id, workspaceId, type],
  );
  return { id, seq: BigInt(rows[0]!.seq), txid: BigInt(rows[0]!.txid) };
}

/**
 * Takes a transaction id now, as any row lock does (FOR UPDATE, or FOR SHARE here so that several
 * writers can hold it at once).
 */
async function takeXid(client: pg.Client, workspaceId: string) {
  await client.query('SELECT id FROM "Workspace" WHERE id = $1 FOR SHARE', [workspaceId]);
  return BigInt((await client.query<{ x: string }>('SELECT pg_current_xact_id()::text AS x')).rows[0]!.x);
}

/**
 * The feed serves an event once every older transaction has ended, this database's whole: other
 * test files running beside this one hold transactions too (a send holds one across its provider
 * call). Waits until every transaction with an id that began before now has ended, except this
 * file's own writers, whose open transactions the cases hold on purpose.
 */
let probe: pg.Client | null = null;
async function othersEnded() {
  probe ??= await connection();
  const ours = clients.map((c) => (c as unknown as { processID: number }).processID);
  const since = (await probe.query<{ t: Date }>('SELECT clock_timestamp() AS t')).rows[0]!.t;
  for (;;) {
    const { rows } = await probe.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM pg_stat_activity WHERE backend_xid IS NOT NULL AND xact_start < $1 AND pid <> ALL($2::int[])',
      [since, ours],
    );
    if (rows[0]!.n === 0) return;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A client that keeps the last id it saw and, once older transactions ended, reads pages of two until one comes back empty. */
function follower(apiKey: string, type?: string) {
  const api = apiClient(createApp(testDeps()), apiKey);
  let after = '';
  const seen: string[] = [];
  return {
    seen,
    async catchUp() {
      await othersEnded();
      for (;;) {
        const page = await api.get(`/v1/events?after=${after}&limit=2${type ? `&type=${type}` : ''}`);
        expect(page.status).toBe(200);
        seen.push(...page.body.data.map((e: { id: string }) => e.id));
        after = page.body.nextCursor ?? '';
        if (page.body.data.length === 0) return;
      }
    },
  };
}

describe('the event feed under interleaved writers (issue 24)', () => {
  it('serves an event whose transaction took its xid after an earlier-committing one but its seq before', async () => {
    const { workspaceId, apiKey } = await newWorkspace(testDeps().db, 'feed-xid');
    const [a, y] = [await connection(), await connection()];
    const reader = follower(apiKey);

    await a.query('BEGIN');
    const xidA = await takeXid(a, workspaceId); // A locks a row: its xid is taken early
    await y.query('BEGIN');
    const eight = await insertEvent(y, workspaceId); // Y: a later xid, the smaller seq
    const ten = await insertEvent(a, workspaceId);
    await a.query('COMMIT');
    expect(xidA < eight.txid && eight.seq < ten.seq).toBe(true);

    await reader.catchUp(); // A's event is served while Y is still open
    await y.query('COMMIT');
    await reader.catchUp();
    expect(reader.seen.toSorted()).toEqual([eight.id, ten.id].toSorted());
  });

  it('serves an event whose transaction took its xid first but its seq last', async () => {
    const { workspaceId, apiKey } = await newWorkspace(testDeps().db, 'feed-seq');
    const [r, t] = [await connection(), await connection()];
    const reader = follower(apiKey);

    await r.query('BEGIN');
    const xidR = await takeXid(r, workspaceId);
    await t.query('BEGIN');
    await t.query('SELECT pg_current_xact_id()');
    const first = await insertEvent(t, workspaceId); // T: later xid, smaller seq, commits last
    const last = await insertEvent(r, workspaceId);
    await r.query('COMMIT');
    expect(xidR < first.txid && first.seq < last.seq).toBe(true);

    await reader.catchUp();
    await t.query('COMMIT');
    await reader.catchUp();
    expect(reader.seen.toSorted()).toEqual([first.id, last.id].toSorted());
  });

  it('gives a reader following `after` every committed event exactly once, whatever the interleaving (with `type` too)', async () => {
    const writers = [await connection(), await connection(), await connection()];
    const script = fc.record({ lock: fc.boolean(), inserts: fc.integer({ min: 1, max: 2 }), commit: fc.boolean() });
    await fc.assert(
      fc.asyncProperty(fc.tuple(script, script, script), fc.infiniteStream(fc.nat(2)), async (scripts, picks) => {
        const { workspaceId, apiKey } = await newWorkspace(testDeps().db, 'feed-prop');
        const [all, sends] = [follower(apiKey), follower(apiKey, 'message.sent')];
        // The second writer's events are of another type, for the reader that filters by it.
        const type = (i: number) => (i === 1 ? 'message.sent' : 'lead.completed');
        const committed = await interleave(writers, scripts, picks, workspaceId, type, () => Promise.all([all.catchUp(), sends.catchUp()]));
        expect(all.seen.toSorted()).toEqual(committed.map((e) => e.id).toSorted());
        expect(sends.seen.toSorted()).toEqual(committed.filter((e) => e.type === 'message.sent').map((e) => e.id).toSorted());
      }),
      { numRuns: 40 },
    );
  });
});

type Script = { lock: boolean; inserts: number; commit: boolean };

/**
 * Runs each writer's script (maybe take its xid early, write its events, commit or roll back) one
 * step at a time in the order `picks` gives, calling `between` after every step; answers the
 * events that were committed.
 */
async function interleave(writers: pg.Client[], scripts: Script[], picks: Iterable<number>, workspaceId: string, type: (i: number) => string, between: () => Promise<unknown>) {
  const todo = scripts.map((s) => [...(s.lock ? ['lock'] : []), ...Array<string>(s.inserts).fill('insert'), 'end']);
  const written = writers.map(() => [] as { id: string; type: string }[]);
  const committed: { id: string; type: string }[] = [];
  await Promise.all(writers.map((w) => w.query('BEGIN')));
  for (const pick of picks) {
    const live = todo.flatMap((steps, i) => (steps.length > 0 ? [i] : []));
    if (live.length === 0) break;
    const i = live[pick % live.length]!;
    const [writer, step, { commit }] = [writers[i]!, todo[i]!.shift(), scripts[i]!];
    if (step === 'lock') await takeXid(writer, workspaceId);
    if (step === 'insert') written[i]!.push({ id: (await insertEvent(writer, workspaceId, type(i))).id, type: type(i) });
    if (step === 'end') await writer.query(commit ? 'COMMIT' : 'ROLLBACK');
    if (step === 'end' && commit) committed.push(...written[i]!);
    await between();
  }
  return committed;
}
