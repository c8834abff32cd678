import { describe, expect, it } from 'vitest';
import { chooseWinner } from '../../src/domain/winner.js';

const o = (id: string, delivered: number, replied: number) => ({ id, delivered, replied });

describe('winner selection (two-proportion z-test, one-sided 95 %)', () => {
  it('chooses a variant that beats each other one with 95 % confidence', () => {
    // 15 % against 5 % over 200 deliveries each: z ≈ 3.4.
    const decision = chooseWinner([o('A', 200, 10), o('B', 200, 30)], 100);
    expect(decision?.winnerId).toBe('B');
    expect(decision!.comparisons[0]!.z).toBeGreaterThan(3);
  });

  it('chooses nothing when the difference is noise', () => {
    // 6 % against 5 % over 200 each (z ≈ 0.4), and a borderline 9 % against 5.5 % (z ≈ 1.35).
    expect(chooseWinner([o('A', 200, 10), o('B', 200, 12)], 100)).toBeNull();
    expect(chooseWinner([o('A', 200, 11), o('B', 200, 18)], 100)).toBeNull();
  });

  it('waits until every variant has the minimum deliveries, however clear the lead', () => {
    expect(chooseWinner([o('A', 99, 0), o('B', 300, 60)], 100)).toBeNull();
    expect(chooseWinner([o('A', 100, 0), o('B', 300, 60)], 100)?.winnerId).toBe('B');
  });

  it('needs the best to beat every other variant, not only the worst', () => {
    // C leads A clearly but not B.
    expect(chooseWinner([o('A', 300, 9), o('B', 300, 36), o('C', 300, 42)], 100)).toBeNull();
    expect(chooseWinner([o('A', 300, 9), o('B', 300, 15), o('C', 300, 42)], 100)?.winnerId).toBe('C');
  });

  it('chooses nothing when no one has replied', () => {
    expect(chooseWinner([o('A', 500, 0), o('B', 500, 0)], 100)).toBeNull();
  });
});
