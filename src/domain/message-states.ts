/**
 * The send path's message states and every legal move between them (SPEC §9). A message row is
 * created `sending` by its claim; each later write of its status is one of these moves, named by
 * what happened. PostgreSQL enforces the same table (the `Message_status_moves` trigger), and
 * test/db/message-states.test.ts holds the two together, pair by pair.
 */
export const MESSAGE_STATES = ['sending', 'sent', 'delivered', 'bounced', 'failed', 'cancelled', 'unknown'] as const;
export type MessageState = (typeof MESSAGE_STATES)[number];

type Move = { readonly from: readonly MessageState[]; readonly to: readonly MessageState[] };

export const MESSAGE_MOVES = {
  /** The provider answered the call with its id (the local transport answers "delivered" at once). */
  accepted: { from: ['sending'], to: ['sent', 'delivered'] },
  /** The provider refused the mail for good: it never went out. */
  refused: { from: ['sending'], to: ['failed'] },
  /**
   * A call may have sent it and no retry may follow: its lead ended, the provider's key window
   * passed, or the provider saw the key with another payload. Sent or not, nobody knows.
   */
  outcomeLost: { from: ['sending'], to: ['unknown'] },
  /**
   * Its lead ended before any call began, so it never went out. From `unknown` only when the one
   * attempt that marked it finds, under the lock, that it never called (withdrawOwnMark).
   */
  withdrawn: { from: ['sending', 'unknown'], to: ['cancelled'] },
  /** A provider event about it: it went out, whatever the row believed. */
  provenSent: { from: ['sending', 'unknown', 'cancelled', 'failed'], to: ['sent'] },
  /** The provider delivered it. */
  delivered: { from: ['sent'], to: ['delivered'] },
  /** A hard bounce (a provider event, or a bounce notice that came back as a reply). */
  bounced: { from: ['sent', 'delivered'], to: ['bounced'] },
} as const satisfies Record<string, Move>;

export type MessageMove = keyof typeof MESSAGE_MOVES;

/** The states a move may start from: the `status` filter of the write that makes it. */
export function movesFrom(move: MessageMove): MessageState[] {
  return [...MESSAGE_MOVES[move].from];
}

/** Whether a row may go from one state to another (staying is always allowed: other columns change). */
export function canMove(from: MessageState, to: MessageState): boolean {
  if (from === to) return true;
  return Object.values(MESSAGE_MOVES).some((m: Move) => m.from.includes(from) && m.to.includes(to));
}

/** States no move leaves. */
export const FINAL_STATES: readonly MessageState[] = MESSAGE_STATES.filter((s) => MESSAGE_STATES.every((t) => t === s || !canMove(s, t)));
