import type { ZodError, ZodType } from 'zod';
import { isStorableText, toStorableText } from '../domain/text.js';
import { unstorableText } from './safe-text.js';

/** A row left out of a bulk call for failing validation (`index` counts from 0 in the request). */
export type RefusedRow = { index: number; email: string | null; errors: { field: string; message: string }[] };

// A key in the path may hold what the database cannot store; the answer is stored with its key.
const printable = (s: string) => toStorableText(s.replaceAll('\u0000', '\\u0000'));

export type SplitRows<T> = { kept: T[]; indexes: number[]; refused: RefusedRow[] };

/**
 * `onInvalid: "skip"`: each item of `body[key]` is judged alone; those that pass are kept (with
 * their index in the request), the rest are answered by index. Null when the skip does not apply:
 * the failure lies outside the items (a wrong field of the body, too many items), which no
 * skipping mends.
 */
export function splitRows<T>(body: unknown, error: ZodError | null, key: string, item: ZodType<T>): SplitRows<T> | null {
  const items = (body as Record<string, unknown> | null)?.[key];
  if (!Array.isArray(items)) return null;
  if (error && !error.issues.every((i) => i.path[0] === key && typeof i.path[1] === 'number')) return null;
  const split: SplitRows<T> = { kept: [], indexes: [], refused: [] };
  items.forEach((raw, index) => {
    const parsed = item.safeParse(raw);
    const errors = parsed.success
      ? unstorableText(parsed.data).map((e) => ({ field: e.field, message: e.message }))
      : parsed.error.issues.map((i) => ({ field: printable(i.path.map(String).join('.')) || '(the row)', message: i.message }));
    if (parsed.success && errors.length === 0) {
      split.kept.push(parsed.data);
      split.indexes.push(index);
    } else {
      const email = (raw as { email?: unknown } | null)?.email;
      split.refused.push({ index, email: typeof email === 'string' && isStorableText(email) ? email : null, errors });
    }
  });
  return split;
}
