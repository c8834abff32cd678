import { describe, expect, it } from 'vitest';
import { canMove, FINAL_STATES, MESSAGE_MOVES, MESSAGE_STATES, movesFrom, type MessageState } from '../../src/domain/message-states.js';
import { newId } from '../../src/domain/ids.js';
import { newWorkspace, testDeps } from '../helpers/deps.js';
import { seedEnrollment } from '../helpers/fixtures.js';

const PAIRS = MESSAGE_STATES.flatMap((from) => MESSAGE_STATES.map((to) => [from, to] as [MessageState, MessageState]));

/**
 * The message state table (src/domain/message-states.ts) and the database's trigger
 * (Message_status_moves) are one rule: every pair of states is tried on a real row, and the
 * database lets exactly the table's moves through.
 */
describe('message states: the table and the database agree on every move', () => {
  it('PostgreSQL refuses exactly the moves the table does not name (all 49 pairs)', async () => {
    const { db } = testDeps();
    const { workspaceId } = await newWorkspace(db);
    const { campaign, lead, enrollment } = await seedEnrollment(db, workspaceId, { steps: [{ delayDays: 0, subject: 's', bodyHtml: 'b' }] });
    const rows = PAIRS.map(([from], i) => ({
      id: newId('msg'), workspaceId, campaignId: campaign.id, enrollmentId: enrollment.id, leadId: lead.id, stepNumber: i + 1, status: from,
      idempotencyKey: `${enrollment.id}/${i + 1}`, toEmail: lead.email, fromEmail: 'x@y.z', subject: 's', bodyHtml: 'b',
    }));
    await db.message.createMany({ data: rows });
    const allowed: string[] = [];
    for (const [i, [from, to]] of PAIRS.entries()) {
      const moved = await db.message.update({ where: { id: rows[i]!.id }, data: { status: to } }).then(() => true, (e: Error) => {
        expect(e.message).toContain(`may not move from ${from} to ${to}`);
        return false;
      });
      if (moved) allowed.push(`${from}→${to}`);
    }
    expect(allowed).toEqual(PAIRS.filter(([from, to]) => canMove(from, to)).map(([from, to]) => `${from}→${to}`));
    // Twelve moves between distinct states: widening the table is a decision, not a slip.
    expect(allowed.filter((p) => new Set(p.split('→')).size === 2)).toHaveLength(12);
  });
});

describe('message states: the table', () => {
  it('reaches every state from `sending`, and a bounce is final', () => {
    const reached = new Set<MessageState>(['sending']);
    for (let grew = true; grew; ) {
      grew = false;
      for (const s of [...reached]) {
        for (const t of MESSAGE_STATES) {
          if (reached.has(t) || !canMove(s, t)) continue;
          reached.add(t);
          grew = true;
        }
      }
    }
    expect([...reached].sort()).toEqual([...MESSAGE_STATES].sort());
    expect(FINAL_STATES).toEqual(['bounced']);
  });

  it('never moves a row back to `sending`, and only a provider event moves a settled one to `sent`', () => {
    for (const s of MESSAGE_STATES) if (s !== 'sending') expect(canMove(s, 'sending'), `${s}→sending`).toBe(false);
    const intoSent = MESSAGE_STATES.filter((s) => s !== 'sent' && canMove(s, 'sent'));
    expect(intoSent.sort()).toEqual(movesFrom('provenSent').sort());
    expect(Object.entries(MESSAGE_MOVES).filter(([, m]) => (m.to as readonly string[]).includes('sent')).map(([name]) => name).sort()).toEqual(['accepted', 'provenSent']);
  });
});
