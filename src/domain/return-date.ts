import { DateTime } from 'luxon';

/**
 * When an out-of-office reply says its writer is back (SPEC §12), from its text in English,
 * German, French or Spanish: explicit dates ("12 March", "March 12th", "12.03.", "12/03/2026",
 * "2026-03-12", "am 12. März", "le 12 mars", "el 12 de marzo"), weekdays ("until Monday", "bis
 * Freitag", "jusqu'à lundi", "hasta el lunes"), and "tomorrow" / "next week". Of every date
 * mentioned, the latest one not before the reply counts: an absence is announced as "from X to Y"
 * or "until Y", and a date in the past is the start of it. Answers a calendar day (YYYY-MM-DD) or
 * null when the text names none.
 */
export function parseReturnDate(text: string, receivedAt: Date, timezone = 'UTC'): string | null {
  const today = DateTime.fromJSDate(receivedAt, { zone: timezone }).startOf('day');
  const body = normalize(text);
  const found = [...explicitDates(body, today), ...weekdays(body, today), ...relative(body, today)].filter((d) => d.isValid && d >= today);
  if (found.length === 0) return null;
  return DateTime.max(...found)!.toISODate();
}

/**
 * The day the sequence resumes: the first working day (Monday to Friday) after the return date,
 * or `fallbackDays` after the reply when the text names none.
 */
export function resumeDay(returnDate: string | null, receivedAt: Date, timezone = 'UTC', fallbackDays = 7): string {
  const start = returnDate ? DateTime.fromISO(returnDate, { zone: timezone }) : DateTime.fromJSDate(receivedAt, { zone: timezone }).startOf('day').plus({ days: fallbackDays - 1 });
  let day = start.plus({ days: 1 });
  while (day.weekday > 5) day = day.plus({ days: 1 });
  return day.toISODate()!;
}

// Lower case, no accents, quoted history cut off: "jusqu'au 12 août" → "jusqu'au 12 aout".
function normalize(text: string): string {
  const own = text.split(/\n\s*(?:>|on .{0,80} wrote:|am .{0,80} schrieb|le .{0,80} a ecrit|el .{0,80} escribio|-{2,}\s*original)/i)[0] ?? text;
  return own.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
}

const MONTHS: Record<string, number> = {};
const monthNames: [number, string[]][] = [
  [1, ['january', 'jan', 'januar', 'janner', 'janvier', 'janv', 'enero', 'ene']],
  [2, ['february', 'feb', 'februar', 'fevrier', 'fevr', 'febrero']],
  [3, ['march', 'mar', 'marz', 'mars', 'marzo']],
  [4, ['april', 'apr', 'avril', 'avr', 'abril', 'abr']],
  [5, ['may', 'mai', 'mayo']],
  [6, ['june', 'jun', 'juni', 'juin', 'junio']],
  [7, ['july', 'jul', 'juli', 'juillet', 'juil', 'julio']],
  [8, ['august', 'aug', 'aout', 'agosto', 'ago']],
  [9, ['september', 'sep', 'sept', 'septembre', 'septiembre', 'setiembre']],
  [10, ['october', 'oct', 'oktober', 'okt', 'octobre', 'octubre']],
  [11, ['november', 'nov', 'novembre', 'noviembre']],
  [12, ['december', 'dec', 'dezember', 'dez', 'decembre', 'diciembre', 'dic']],
];
for (const [n, names] of monthNames) for (const name of names) MONTHS[name] = n;
const MONTH = `(${Object.keys(MONTHS).sort((a, b) => b.length - a.length).join('|')})\\.?(?![a-z])`;
const DAY = '(\\d{1,2})(?:st|nd|rd|th|er|\\.|º|o)?';
const YEAR = '(?:,?\\s*(\\d{4}))?';

/**
 * A day and month (and maybe year). Without a year: this year's, unless that is more than two
 * months gone (then next year's: "back on 5 January" written in December). A date a few weeks past
 * is the start of the absence ("from 18 July") and is left in the past.
 */
function onOrAfter(today: DateTime, day: number, month: number, year?: number): DateTime {
  if (year) return today.set({ year, month, day });
  const candidate = today.set({ month, day });
  return candidate.isValid && candidate < today.minus({ months: 2 }) ? candidate.plus({ years: 1 }) : candidate;
}

function explicitDates(body: string, today: DateTime): DateTime[] {
  const out: DateTime[] = [];
  const year = (y: string | undefined) => (y ? Number(y) : undefined);
  for (const m of body.matchAll(/\b(\d{4})-(\d{2})-(\d{2})\b/g)) out.push(today.set({ year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) }));
  // 12 March, 12. März 2026, 12 de marzo de 2026, 12th of March
  for (const m of body.matchAll(new RegExp(`\\b${DAY}\\s*(?:of\\s+|de\\s+)?${MONTH}(?:\\s+de)?${YEAR}`, 'g'))) {
    out.push(onOrAfter(today, Number(m[1]), MONTHS[m[2]!]!, year(m[3])));
  }
  // March 12, March 12th 2026
  for (const m of body.matchAll(new RegExp(`\\b${MONTH}\\s+${DAY}(?!\\d)${YEAR}`, 'g'))) out.push(onOrAfter(today, Number(m[2]), MONTHS[m[1]!]!, year(m[3])));
  // 12.03., 12.03.2026, 12/03, 12/03/26: day first, as in every language here but US English.
  for (const m of body.matchAll(/\b(\d{1,2})[./](\d{1,2})(?:[./](\d{2,4}))?\b/g)) {
    const y = m[3] ? (m[3].length === 2 ? 2000 + Number(m[3]) : Number(m[3])) : undefined;
    if (Number(m[2]) <= 12) out.push(onOrAfter(today, Number(m[1]), Number(m[2]), y));
  }
  // "du 3 au 12 mars", "vom 3. bis 12. März", "del 3 al 12 de marzo", "March 3-12": the range's end.
  for (const m of body.matchAll(new RegExp(`\\b${MONTH}\\s+\\d{1,2}\\s*[-–]\\s*${DAY}`, 'g'))) out.push(onOrAfter(today, Number(m[2]), MONTHS[m[1]!]!));
  return out;
}

const WEEKDAYS: Record<string, number> = {};
const weekdayNames: [number, string[]][] = [
  [1, ['monday', 'montag', 'lundi', 'lunes']],
  [2, ['tuesday', 'dienstag', 'mardi', 'martes']],
  [3, ['wednesday', 'mittwoch', 'mercredi', 'miercoles']],
  [4, ['thursday', 'donnerstag', 'jeudi', 'jueves']],
  [5, ['friday', 'freitag', 'vendredi', 'viernes']],
  [6, ['saturday', 'samstag', 'samedi', 'sabado']],
  [7, ['sunday', 'sonntag', 'dimanche', 'domingo']],
];
for (const [n, names] of weekdayNames) for (const name of names) WEEKDAYS[name] = n;

/** A weekday named on its own (not as part of a date): the next one after today. */
function weekdays(body: string, today: DateTime): DateTime[] {
  const out: DateTime[] = [];
  const pattern = new RegExp(`\\b(${Object.keys(WEEKDAYS).join('|')})\\b(?![,\\s]*\\d)`, 'g');
  for (const m of body.matchAll(pattern)) {
    const target = WEEKDAYS[m[1]!]!;
    out.push(today.plus({ days: ((target - today.weekday + 6) % 7) + 1 }));
  }
  return out;
}

function relative(body: string, today: DateTime): DateTime[] {
  const out: DateTime[] = [];
  // Not "guten Morgen" or "por la mañana" (morning).
  if (/\b(tomorrow|(?<!guten )morgen|demain|(?<!la )manana)\b/.test(body)) out.push(today.plus({ days: 1 }));
  // Back next week: on its Monday.
  if (/\b(next week|nachste woche|nachster woche|kommende woche|kommender woche|semaine prochaine|proxima semana|semana que viene)\b/.test(body)) {
    out.push(today.plus({ weeks: 1 }).startOf('week'));
  }
  return out;
}
