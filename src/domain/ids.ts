import { monotonicFactory } from 'ulid';

export const ID_PREFIXES = ['ws', 'key', 'camp', 'lead', 'enr', 'msg', 'rpl', 'pool', 'sa', 'wh', 'evt', 'whd'] as const;
export type IdPrefix = (typeof ID_PREFIXES)[number];

// Monotonic so ids minted in one millisecond still sort in creation order (cursor pagination relies on it).
const nextUlid = monotonicFactory();

export function newId<P extends IdPrefix>(prefix: P): `${P}_${string}` {
  return `${prefix}_${nextUlid().toLowerCase()}`;
}

const ULID_BODY = '[0-9a-hjkmnp-tv-z]{26}';

export function isId(prefix: IdPrefix, value: string): boolean {
  return new RegExp(`^${prefix}_${ULID_BODY}$`).test(value);
}
