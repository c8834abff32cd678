/** Sends and the harm they did, for a campaign or a workspace's last days. */
export type Counts = { sent: number; bounced: number; complained: number };
export type Limits = { bounceRate: number; complaintRate: number };
export type Verdict = { kind: 'bounce' | 'complaint'; rate: number; threshold: number };

/** The guard's verdict on counts: a rate past its limit (bounces first), or null. */
export function judge(counts: Counts, limits: Limits): Verdict | null {
  if (counts.sent === 0) return null;
  const bounceRate = counts.bounced / counts.sent;
  if (bounceRate > limits.bounceRate) return { kind: 'bounce', rate: bounceRate, threshold: limits.bounceRate };
  const complaintRate = counts.complained / counts.sent;
  if (complaintRate > limits.complaintRate) return { kind: 'complaint', rate: complaintRate, threshold: limits.complaintRate };
  return null;
}

/**
 * SPEC §10: the workspace as a whole, over its last 7 days, pauses every campaign past Resend's own
 * lines (4 % bounces, 0.08 % complaints), once it has sent enough for a share to mean something.
 */
export const WORKSPACE_LIMITS: Limits & { minSent: number; days: number } = { bounceRate: 0.04, complaintRate: 0.0008, minSent: 100, days: 7 };
