import { describe, expect, it } from 'vitest';
import { carriedTurn, type Turn } from '../../src/delivery/carried.js';

const at = (s: number) => new Date(Date.UTC(2026, 11, 7, 12, 0, s));
const noJitter = () => 0;
const account = (state: { nextSlotAt?: number; lastSendAt?: number }) => ({
  minGapSeconds: 2,
  jitterSeconds: 0,
  nextSlotAt: state.nextSlotAt === undefined ? null : at(state.nextSlotAt),
  lastSendAt: state.lastSendAt === undefined ? null : at(state.lastSendAt),
});
const lead = (reservedAt: number, now: number, heldSlot?: number) => ({ reservedAt: at(reservedAt), heldSlot: heldSlot === undefined ? null : at(heldSlot), now: at(now) });
const when = (t: Turn) => ({ kind: t.kind, ...('until' in t ? { until: t.until.getTime() } : {}), next: t.nextSlotAt?.getTime() });

/** SPEC §10 pacing for a step whose slot was taken long ago (src/delivery/carried.ts). */
describe('the turn of a carried step', () => {
  it('goes now when nothing was reserved on its account since its own reservation', () => {
    expect(when(carriedTurn(account({ nextSlotAt: 2, lastSendAt: 0 }), lead(0, 30), noJitter))).toEqual({ kind: 'go', next: at(32).getTime() });
  });

  it('takes the next slot, no closer than the gap to the last send, when another send was reserved since', () => {
    expect(when(carriedTurn(account({ nextSlotAt: 34, lastSendAt: 30 }), lead(0, 30), noJitter))).toEqual({ kind: 'wait', until: at(34).getTime(), next: at(36).getTime() });
    expect(when(carriedTurn(account({ nextSlotAt: 8, lastSendAt: 30 }), lead(0, 31), noJitter))).toEqual({ kind: 'wait', until: at(32).getTime(), next: at(34).getTime() });
    expect(when(carriedTurn(account({ nextSlotAt: 8, lastSendAt: 6 }), lead(0, 30), noJitter))).toEqual({ kind: 'go', next: at(32).getTime() });
  });

  it('keeps a slot it was given, and goes at it unless a send since came closer than the gap', () => {
    expect(when(carriedTurn(account({ nextSlotAt: 36, lastSendAt: 30 }), lead(0, 31, 34), noJitter))).toEqual({ kind: 'wait', until: at(34).getTime() });
    expect(when(carriedTurn(account({ nextSlotAt: 36, lastSendAt: 30 }), lead(0, 34, 34), noJitter))).toEqual({ kind: 'go', next: at(36).getTime() });
    expect(when(carriedTurn(account({ nextSlotAt: 36, lastSendAt: 33 }), lead(0, 34, 34), noJitter))).toEqual({ kind: 'wait', until: at(35).getTime() });
  });

  it('spreads four steps that come back together at the end of an outage one gap apart', () => {
    // Claimed at 0, 2, 4 and 6 (each took its slot and was the last send then); all back at 30.
    let state = account({ nextSlotAt: 8, lastSendAt: 6 });
    const turns = [0, 2, 4, 6].map((reservedAt) => {
      const turn = carriedTurn(state, lead(reservedAt, 30), noJitter);
      state = { ...state, nextSlotAt: turn.nextSlotAt ?? state.nextSlotAt, lastSendAt: turn.kind === 'go' ? at(30) : state.lastSendAt };
      return turn.kind === 'go' ? 30 : (turn.until.getTime() - at(0).getTime()) / 1000;
    });
    expect(turns).toEqual([30, 32, 34, 36]);
  });
});
