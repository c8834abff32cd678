import { describe, expect, it } from 'vitest';
import { assignVariant, withIds, type Variant } from '../../src/domain/variants.js';

const v = (id: string, weight: number): Variant => ({ id, subject: `s${id}`, bodyHtml: `b${id}`, weight });
const keys = Array.from({ length: 4000 }, (_, i) => `enr_${i.toString(36).padStart(6, '0')}/1`);
const tally = (variants: Variant[], winner: string | null = null) => {
  const counts: Record<string, number> = {};
  for (const key of keys) {
    const id = assignVariant(variants, winner, key)!.id;
    counts[id] = (counts[id] ?? 0) + 1;
  }
  return counts;
};

describe('variant assignment', () => {
  it('is a function of the lead and step: the same key always gets the same variant', () => {
    const variants = [v('A', 1), v('B', 1), v('C', 1)];
    const first = keys.map((k) => assignVariant(variants, null, k)!.id);
    expect(keys.map((k) => assignVariant(variants.map((x) => ({ ...x })), null, k)!.id)).toEqual(first);
    // Another step of the same lead is drawn on its own.
    const step2 = keys.map((k) => assignVariant(variants, null, k.replace('/1', '/2'))!.id);
    expect(step2.filter((id, i) => id !== first[i]).length).toBeGreaterThan(2000);
  });

  it('follows the weights, and a weight of 0 gets no one', () => {
    const counts = tally([v('A', 3), v('B', 1), v('C', 0)]);
    expect(counts.C).toBeUndefined();
    expect(counts.A! / keys.length).toBeGreaterThan(0.72);
    expect(counts.A! / keys.length).toBeLessThan(0.78);
    expect(counts.A! + counts.B!).toBe(keys.length);
  });

  it('gives every lead the winner once one is chosen, and nothing for a step without variants', () => {
    expect(tally([v('A', 1), v('B', 1)], 'B')).toEqual({ B: keys.length });
    expect(assignVariant([], null, 'x')).toBeNull();
  });

  it('names variants without an id by the first free letters', () => {
    expect(withIds([{ subject: 'a', bodyHtml: 'b' }, { id: 'A', subject: 'c', bodyHtml: 'd' }], ['B']).map((x) => [x.id, x.weight])).toEqual([['C', 1], ['A', 1]]);
  });
});
