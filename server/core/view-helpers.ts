import type { HelperOptions } from 'handlebars';
import type { Locale } from '../config.ts';
import type { AssetManifest } from './assets.ts';
import type { TFunction } from './i18n.ts';

interface RootContext {
  t?: TFunction;
  lang?: Locale;
}

function root(options: HelperOptions): RootContext {
  return (options.data?.root ?? {}) as RootContext;
}

function toDate(value: unknown): Date | undefined {
  if (value instanceof Date) return value;
  if (typeof value === 'string' || typeof value === 'number') {
    const d = new Date(value);
    return Number.isNaN(d.getTime()) ? undefined : d;
  }
  return undefined;
}

const RELATIVE_STEPS: Array<[Intl.RelativeTimeFormatUnit, number]> = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['week', 7 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
  ['second', 1],
];

export function relativeTime(date: Date, lang: Locale, now = Date.now()): string {
  const seconds = Math.round((date.getTime() - now) / 1000);
  const format = new Intl.RelativeTimeFormat(lang, { numeric: 'auto' });
  for (const [unit, size] of RELATIVE_STEPS) {
    if (Math.abs(seconds) >= size || unit === 'second')
      return format.format(Math.round(seconds / size), unit);
  }
  return format.format(0, 'second');
}

/** Handlebars helpers; translation and formatting follow the page's language. */
export function createViewHelpers(assets: AssetManifest) {
  return {
    /** {{t "key" name=value count=n}} or {{t key paramsObject}} */
    t(key: string, ...rest: unknown[]): string {
      const options = rest.pop() as HelperOptions;
      const params = (rest[0] && typeof rest[0] === 'object' ? rest[0] : {}) as Record<string, unknown>;
      const t = root(options).t;
      if (!t) return key;
      return t(key, { ...params, ...(options.hash as Record<string, unknown>) }) as string;
    },
    concat: (...args: unknown[]) => args.slice(0, -1).map(String).join(''),
    asset(logical: string): string {
      return assets.url(logical);
    },
    eq: (a: unknown, b: unknown) => String(a) === String(b),
    ne: (a: unknown, b: unknown) => String(a) !== String(b),
    gt: (a: number, b: number) => a > b,
    and: (...args: unknown[]) => args.slice(0, -1).every(Boolean),
    or: (...args: unknown[]) => args.slice(0, -1).some(Boolean),
    not: (a: unknown) => !a,
    includes: (list: unknown, value: unknown) =>
      Array.isArray(list) && list.map(String).includes(String(value)),
    formatNumber(value: number, options: HelperOptions): string {
      return new Intl.NumberFormat(root(options).lang ?? 'it').format(Number(value) || 0);
    },
    formatDate(value: unknown, options: HelperOptions): string {
      const d = toDate(value);
      if (!d) return '';
      const style = (options.hash.style as 'short' | 'medium' | 'long' | undefined) ?? 'medium';
      return new Intl.DateTimeFormat(root(options).lang ?? 'it', { dateStyle: style }).format(d);
    },
    formatDateTime(value: unknown, options: HelperOptions): string {
      const d = toDate(value);
      if (!d) return '';
      return new Intl.DateTimeFormat(root(options).lang ?? 'it', {
        dateStyle: 'medium',
        timeStyle: 'short',
      }).format(d);
    },
    isoDate(value: unknown): string {
      return toDate(value)?.toISOString() ?? '';
    },
    relativeTime(value: unknown, options: HelperOptions): string {
      const d = toDate(value);
      return d ? relativeTime(d, root(options).lang ?? 'it') : '';
    },
    year: () => new Date().getFullYear(),
    json: (value: unknown) => JSON.stringify(value ?? null),
  };
}
