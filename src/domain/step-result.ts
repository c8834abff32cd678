/**
 * What a step's claim and delivery answer (the send path's services, and through the activities the
 * workflows that call them): types only, safe in the workflow sandbox.
 */
import type { TerminalStatus, WaitReason } from './enrollment-status.js';

export type Deferred = {
  kind: 'deferred';
  reason: WaitReason;
  /** When it can succeed; null means "when told" (a resume, a fixed sender), re-checked now and then. */
  until: string | null;
};
export type Ended = { kind: 'ended'; status: TerminalStatus; reason: string };
/**
 * The step is done: sent now or before. `unknown` when the provider's answer to it never came and
 * no retry may follow (SPEC §9: never resend blind); the sequence goes on as if it was sent.
 */
export type Sent = {
  kind: 'sent';
  messageId: string;
  sentAt: string;
  unknown?: boolean;
  /** The last step: the enrollment was completed in the transaction that recorded it (with its event). */
  completed?: boolean;
};

/** What one attempt at a step came to. */
export type SendStepResult = Sent | Deferred | Ended;

/** The guard's answer before any provider call: go ahead (`attempt`), or why not. */
export type ClaimResult = { kind: 'attempt'; messageId: string } | SendStepResult;
