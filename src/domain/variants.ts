import { createHash } from 'node:crypto';

/** One version of a step's email (SPEC §12); `weight` is its share of assignments (0: none). */
export type Variant = { id: string; subject: string; bodyHtml: string; weight: number };
export type VariantInput = { id?: string | undefined; subject: string; bodyHtml: string; weight?: number | undefined };

export const MIN_VARIANTS = 2;
export const MAX_VARIANTS = 5;
export const DEFAULT_WEIGHT = 1;
const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** Variants as stored (a step's JSON column); [] for a step without variants. */
export function readVariants(raw: unknown): Variant[] {
  return Array.isArray(raw) ? (raw as Variant[]) : [];
}

/** The variant an enrollment gets for a stored step (its variants JSON and winner); null without variants. */
export function variantFor(step: { stepNumber: number; variants: unknown; winnerVariantId: string | null }, enrollmentId: string): Variant | null {
  return assignVariant(readVariants(step.variants), step.winnerVariantId, `${enrollmentId}/${step.stepNumber}`);
}

/** Gives each variant without an id the first free letter (A, B, …) and the default weight. */
export function withIds(inputs: VariantInput[], taken: string[] = []): Variant[] {
  const used = new Set([...taken, ...inputs.flatMap((v) => (v.id ? [v.id] : []))]);
  const free = [...LETTERS].filter((l) => !used.has(l));
  return inputs.map((v) => ({ id: v.id ?? free.shift()!, subject: v.subject, bodyHtml: v.bodyHtml, weight: v.weight ?? DEFAULT_WEIGHT }));
}

/**
 * The variant a lead gets for a step: the winner once one is chosen, else a weighted pick from a
 * hash of `key` (enrollment and step). The same lead gets the same variant on every retry, restart
 * or replay; the message records it, so later changes to the variants do not move a lead already
 * sent to. Answers null for a step without variants.
 */
export function assignVariant(variants: Variant[], winnerId: string | null, key: string): Variant | null {
  if (variants.length === 0) return null;
  const winner = winnerId ? variants.find((v) => v.id === winnerId) : undefined;
  if (winner) return winner;
  const live = variants.filter((v) => v.weight > 0);
  const total = live.reduce((n, v) => n + v.weight, 0);
  if (total === 0) return variants[0]!;
  let point = createHash('sha256').update(key).digest().readUInt32BE(0) % total;
  for (const v of live) {
    if (point < v.weight) return v;
    point -= v.weight;
  }
  return live[live.length - 1]!;
}
