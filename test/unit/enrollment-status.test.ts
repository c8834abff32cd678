import { describe, expect, it } from 'vitest';
import {
  ENROLLMENT_STATUSES,
  isLive,
  isTerminal,
  LIVE_STATUSES,
  TERMINAL_STATUSES,
  WAIT_REASONS,
  type EnrollmentStatus,
  type WaitReason,
} from '../../src/domain/enrollment-status.js';
import { EnrollmentStatus as DbEnrollmentStatus, WaitReason as DbWaitReason } from '../../src/generated/prisma/enums.js';

/** `true` exactly when A and B are the same set of values. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

// src/domain may not import the generated client, so the tie is made here, where tsc (`npm run
// typecheck`) sees both: a value added to or dropped from a Prisma enum without its list in
// src/domain/enrollment-status.ts (or the other way round) makes one of these `false`, a type error.
const statusesAgree: Same<DbEnrollmentStatus, EnrollmentStatus> = true;
const waitReasonsAgree: Same<DbWaitReason, WaitReason> = true;

describe('a lead\'s states: one vocabulary, the database enums\'', () => {
  it('lists the enrollment statuses and wait reasons of the Prisma enums, in their order', () => {
    expect([statusesAgree, waitReasonsAgree]).toEqual([true, true]);
    expect(ENROLLMENT_STATUSES).toEqual(Object.values(DbEnrollmentStatus));
    expect(WAIT_REASONS).toEqual(Object.values(DbWaitReason));
  });

  it('splits every status into live or terminal, never both', () => {
    for (const status of ENROLLMENT_STATUSES) expect(isLive(status)).toBe(!isTerminal(status));
    expect(new Set([...LIVE_STATUSES, ...TERMINAL_STATUSES]).size).toBe(ENROLLMENT_STATUSES.length);
  });
});
