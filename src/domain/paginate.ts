/**
 * Callers fetch `limit + 1` rows in cursor order; the extra row only tells whether another page
 * exists, and the last returned row's key is the next cursor.
 */
export function paginate<T>(rows: T[], limit: number, keyOf: (row: T) => string): { page: T[]; nextCursor: string | null } {
  const page = rows.slice(0, limit);
  return { page, nextCursor: rows.length > limit && page.length > 0 ? keyOf(page.at(-1)!) : null };
}
