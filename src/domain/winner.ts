/** One variant's outcome so far: replies (first counted reply per lead) over deliveries. */
export type VariantOutcome = { id: string; delivered: number; replied: number };
export type WinnerDecision = { winnerId: string; comparisons: { against: string; z: number }[] };

/** One-sided 95 % (the normal quantile at 0.95). */
export const Z_95 = 1.6449;

/**
 * SPEC §12: a variant wins when every variant has at least `minDelivered` deliveries and its reply
 * rate beats each other's with 95 % confidence, by a one-sided two-proportion z-test with the
 * pooled rate. Answers null while that is not so: too little data, or a difference that noise
 * explains as well.
 */
export function chooseWinner(outcomes: VariantOutcome[], minDelivered: number): WinnerDecision | null {
  if (outcomes.length < 2 || outcomes.some((o) => o.delivered < Math.max(minDelivered, 1))) return null;
  const rate = (o: VariantOutcome) => o.replied / o.delivered;
  const best = [...outcomes].sort((a, b) => rate(b) - rate(a) || a.id.localeCompare(b.id))[0]!;
  const comparisons = outcomes.filter((o) => o !== best).map((o) => ({ against: o.id, z: zScore(best, o) }));
  return comparisons.every((c) => c.z > Z_95) ? { winnerId: best.id, comparisons } : null;
}

function zScore(a: VariantOutcome, b: VariantOutcome): number {
  const pooled = (a.replied + b.replied) / (a.delivered + b.delivered);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / a.delivered + 1 / b.delivered));
  return se === 0 ? 0 : (a.replied / a.delivered - b.replied / b.delivered) / se;
}
