/**
 * Score periods. A fact counts in the all-time total and in the ISO week,
 * month, quarter and year it happened in, read on the organisation's clock
 * (SCORES_TIME_ZONE): a vote cast at 00:30 in Rome on 1 January belongs to the
 * new year even though it is still 31 December in UTC.
 */

export const PERIOD_KINDS = ['week', 'month', 'quarter', 'year', 'all'] as const;
export type PeriodKind = (typeof PERIOD_KINDS)[number];

export interface LocalDay {
  year: number;
  month: number; // 1–12
  day: number; // 1–31
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The calendar day of `at` in the time zone. */
export function localDay(at: Date, timeZone: string): LocalDay {
  let fmt = formatters.get(timeZone);
  if (!fmt) {
    fmt = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    formatters.set(timeZone, fmt);
  }
  const parts = fmt.formatToParts(at);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return { year: get('year'), month: get('month'), day: get('day') };
}

/** ISO 8601 week: weeks start on Monday; week 1 holds the year's first Thursday. */
export function isoWeek({ year, month, day }: LocalDay): { year: number; week: number } {
  const date = new Date(Date.UTC(year, month - 1, day));
  const weekday = date.getUTCDay() || 7; // Monday 1 … Sunday 7
  date.setUTCDate(date.getUTCDate() + 4 - weekday); // the Thursday of this week
  const weekYear = date.getUTCFullYear();
  const firstDay = Date.UTC(weekYear, 0, 1);
  const week = Math.ceil(((date.getTime() - firstDay) / 86_400_000 + 1) / 7);
  return { year: weekYear, week };
}

const pad = (n: number) => String(n).padStart(2, '0');

/** The key of the day (caps count per day): `2026-11-23`. */
export function dayKey(at: Date, timeZone: string): string {
  const d = localDay(at, timeZone);
  return `${d.year}-${pad(d.month)}-${pad(d.day)}`;
}

/** The key of the period of kind `kind` holding `at`: `2026-W48`, `2026-11`, `2026-Q4`, `2026`, `all`. */
export function periodKey(kind: PeriodKind, at: Date, timeZone: string): string {
  if (kind === 'all') return 'all';
  const d = localDay(at, timeZone);
  switch (kind) {
    case 'week': {
      const w = isoWeek(d);
      return `${w.year}-W${pad(w.week)}`;
    }
    case 'month':
      return `${d.year}-${pad(d.month)}`;
    case 'quarter':
      return `${d.year}-Q${Math.ceil(d.month / 3)}`;
    case 'year':
      return String(d.year);
  }
}

const keysCache = new Map<string, string[]>();
const QUARTER_HOUR = 15 * 60_000;

/**
 * Every period key `at` counts in, one per kind. Remembered per quarter hour
 * (every time zone's offset is a multiple of 15 minutes), since a rebuild asks
 * for them once per ledger line.
 */
export function periodKeys(at: Date, timeZone: string): string[] {
  const cacheKey = `${timeZone}|${Math.floor(at.getTime() / QUARTER_HOUR)}`;
  let keys = keysCache.get(cacheKey);
  if (!keys) {
    if (keysCache.size > 200_000) keysCache.clear();
    keys = PERIOD_KINDS.map((kind) => periodKey(kind, at, timeZone));
    keysCache.set(cacheKey, keys);
  }
  return keys;
}

/** The keys of the `count` ISO weeks ending with the one holding `at` (oldest first). */
export function lastWeeks(at: Date, count: number, timeZone: string): string[] {
  const keys: string[] = [];
  for (let i = count - 1; i >= 0; i--)
    keys.push(periodKey('week', new Date(at.getTime() - i * 7 * 86_400_000), timeZone));
  return keys;
}

/** Is `key` a well-formed key of `kind` (for query parameters)? */
export function isPeriodKey(kind: PeriodKind, key: string): boolean {
  switch (kind) {
    case 'all':
      return key === 'all';
    case 'week':
      return /^\d{4}-W(0[1-9]|[1-4]\d|5[0-3])$/.test(key);
    case 'month':
      return /^\d{4}-(0[1-9]|1[0-2])$/.test(key);
    case 'quarter':
      return /^\d{4}-Q[1-4]$/.test(key);
    case 'year':
      return /^\d{4}$/.test(key);
  }
}
