const numbers = new Intl.NumberFormat('en');
const percents = new Intl.NumberFormat('en', { style: 'percent', maximumFractionDigits: 1 });

export const count = (n: number) => numbers.format(n);
export const percent = (ratio: number) => percents.format(ratio);

/** A time as the reader reads it: in their own zone, with the date when it is not today. */
export function when(iso: string | null, now = new Date()): string {
  if (!iso) return '—';
  const at = new Date(iso);
  const sameDay = at.toDateString() === now.toDateString();
  return at.toLocaleString('en', sameDay ? { hour: '2-digit', minute: '2-digit' } : { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}

/** `out_of_office` → "out of office": the API's codes as words. */
export const words = (code: string | null) => (code ? code.replaceAll('_', ' ') : '—');

/** Today's date (YYYY-MM-DD) in a time zone, and the day `days` before it. */
export function dayIn(timeZone: string, daysBefore = 0, now = Date.now()): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(now));
  const [y, m, d] = parts.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d - daysBefore)).toISOString().slice(0, 10);
}
