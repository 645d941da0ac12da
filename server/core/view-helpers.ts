import Handlebars, { type HelperOptions } from 'handlebars';
import { type Action, can } from '../auth/permissions.ts';
import type { SessionUser } from '../auth/session-user.ts';
import type { Locale } from '../config.ts';
import type { AssetManifest } from './assets.ts';
import { fieldMessageText } from './errors.ts';
import type { TFunction } from './i18n.ts';

interface RootContext {
  t?: TFunction;
  lang?: Locale;
  user?: SessionUser;
  currentPath?: string;
  form?: {
    values: Record<string, unknown>;
    errors: Record<string, { key: string; params?: Record<string, string | number> }>;
  };
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

/**
 * The regional format behind each interface language: Passaparola's people
 * work in Italy, so English dates read "23 November 2026, 14:05" (en-GB), not
 * the US order.
 */
export const FORMAT_LOCALE: Record<Locale, string> = { it: 'it-IT', en: 'en-GB' };

function formatLocale(options: HelperOptions): string {
  return FORMAT_LOCALE[root(options).lang ?? 'it'] ?? 'it-IT';
}

/**
 * One formatter per locale and options, made once: building an Intl formatter
 * costs far more than using it (a feed page formats a hundred dates).
 */
function cached<F>(make: (locale: string, key: string) => F) {
  const made = new Map<string, F>();
  return (locale: string, key = ''): F => {
    const id = `${locale}|${key}`;
    let formatter = made.get(id);
    if (!formatter) {
      formatter = make(locale, key);
      made.set(id, formatter);
    }
    return formatter;
  };
}

const relativeFormat = cached((locale) => new Intl.RelativeTimeFormat(locale, { numeric: 'auto' }));
const numberFormat = cached((locale) => new Intl.NumberFormat(locale));
const dateFormat = cached(
  (locale, style) => new Intl.DateTimeFormat(locale, { dateStyle: style as 'short' | 'medium' | 'long' }),
);
const dateTimeFormat = cached(
  (locale) => new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }),
);
const pluralCategories = cached((locale) => new Intl.PluralRules(locale).resolvedOptions().pluralCategories);

/**
 * Remembers what a formatter wrote for a value (bounded): a page writes the
 * same "3 days ago" and the same minutes many times, and formatting costs
 * microseconds each time where a lookup costs nanoseconds.
 */
function remembered(limit = 20_000) {
  const known = new Map<string, string>();
  return (id: string, make: () => string): string => {
    let text = known.get(id);
    if (text === undefined) {
      text = make();
      if (known.size >= limit) known.clear();
      known.set(id, text);
    }
    return text;
  };
}

const relativeTexts = remembered();
const dateTexts = remembered();

export function relativeTime(date: Date, lang: Locale, now = Date.now()): string {
  const seconds = Math.round((date.getTime() - now) / 1000);
  const locale = FORMAT_LOCALE[lang] ?? lang;
  for (const [unit, size] of RELATIVE_STEPS) {
    if (Math.abs(seconds) >= size || unit === 'second') {
      const value = Math.round(seconds / size);
      return relativeTexts(`${locale}|${unit}|${value}`, () => relativeFormat(locale).format(value, unit));
    }
  }
  return relativeTexts(`${locale}|second|0`, () => relativeFormat(locale).format(0, 'second'));
}

const SCRIPT_UNSAFE: Record<string, string> = {
  '<': '\\u003c',
  '>': '\\u003e',
  '&': '\\u0026',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
};

/**
 * JSON that can sit inside an HTML `<script>` element: `<`, `>` and `&` are
 * written as `\u003c`, `\u003e`, `\u0026`, so no text (a name such as
 * `</script><meta …>`, or `<!--<script>`) can end the element or change how the
 * browser reads the rest of the page; U+2028 and U+2029 are escaped too, for
 * readers that treat the text as JavaScript. JSON.parse gives back the same value.
 */
export function inlineJson(value: unknown): string {
  return (JSON.stringify(value ?? null) ?? 'null').replace(/[<>&\u2028\u2029]/g, (c) => SCRIPT_UNSAFE[c]!);
}

const FRAGMENT_LIMIT = 4_000;
const fragments = new Map<string, Handlebars.SafeString>();

/**
 * The HTML of a fragment rendered before from the same context, language and
 * relative time, or undefined. Most-recently used ones are kept.
 */
function knownFragment(key: string): Handlebars.SafeString | undefined {
  const html = fragments.get(key);
  if (html) {
    fragments.delete(key);
    fragments.set(key, html);
  }
  return html;
}

function keepFragment(key: string, html: Handlebars.SafeString): void {
  if (fragments.size >= FRAGMENT_LIMIT) fragments.delete(fragments.keys().next().value!);
  fragments.set(key, html);
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
    /**
     * {{livePlural "posts.card.votes" name=value}}: the sentences of a plural
     * key for a live counter (`data-rt-one`, `data-rt-many`, `data-rt-other`,
     * with `{count}` where the number goes), for the plural categories of the
     * page's language. public/js/realtime.js picks one per value.
     */
    /**
     * {{#fragment at=createdAt}}…{{/fragment}}: a block rendered once for each
     * distinct context, page language and relative time of `at`, then given
     * from memory (a feed page shows the same cards to everyone all day). The
     * block may read only its context, the language and the time — never the
     * viewer (`@root.user`) or the page; what it shows must follow from them.
     */
    fragment(this: unknown, options: HelperOptions): Handlebars.SafeString {
      const lang = root(options).lang ?? 'it';
      const at = toDate(options.hash.at);
      const key = `${lang}\u0000${at ? relativeTime(at, lang) : ''}\u0000${JSON.stringify(this)}`;
      let html = knownFragment(key);
      if (!html) {
        html = new Handlebars.SafeString(options.fn(this));
        keepFragment(key, html);
      }
      return html;
    },
    livePlural(key: string, options: HelperOptions): Handlebars.SafeString {
      const { t, lang } = root(options);
      if (!t) return new Handlebars.SafeString('');
      const categories = pluralCategories(lang ?? 'it');
      const attributes = (['one', 'many', 'other'] as const)
        .filter((category) => categories.includes(category))
        .map((category) => {
          const sentence = t(`${key}_${category}`, {
            ...(options.hash as Record<string, unknown>),
            count: '{count}',
          }) as string;
          return `data-rt-${category}="${Handlebars.escapeExpression(sentence)}"`;
        });
      return new Handlebars.SafeString(attributes.join(' '));
    },
    concat: (...args: unknown[]) => args.slice(0, -1).map(String).join(''),
    asset(logical: string): string {
      return assets.url(logical);
    },
    /** The page's module scripts (see AssetManifest.scripts). */
    pageScripts: () => assets.scripts(),
    eq: (a: unknown, b: unknown) => String(a) === String(b),
    ne: (a: unknown, b: unknown) => String(a) !== String(b),
    gt: (a: number, b: number) => a > b,
    and: (...args: unknown[]) => args.slice(0, -1).every(Boolean),
    or: (...args: unknown[]) => args.slice(0, -1).find(Boolean) ?? false,
    not: (a: unknown) => !a,
    includes: (list: unknown, value: unknown) =>
      Array.isArray(list) && list.map(String).includes(String(value)),
    formatNumber(value: number, options: HelperOptions): string {
      return numberFormat(formatLocale(options)).format(Number(value) || 0);
    },
    formatDate(value: unknown, options: HelperOptions): string {
      const d = toDate(value);
      if (!d) return '';
      const style = (options.hash.style as 'short' | 'medium' | 'long' | undefined) ?? 'medium';
      const locale = formatLocale(options);
      // Days are whole in the server's time zone: one text per day and style.
      const day = Math.floor((d.getTime() - d.getTimezoneOffset() * 60_000) / 86_400_000);
      return dateTexts(`${locale}|${style}|${day}`, () => dateFormat(locale, style).format(d));
    },
    formatDateTime(value: unknown, options: HelperOptions): string {
      const d = toDate(value);
      if (!d) return '';
      const locale = formatLocale(options);
      // The text shows minutes: one text per minute.
      const minute = Math.floor(d.getTime() / 60_000);
      return dateTexts(`${locale}|minute|${minute}`, () => dateTimeFormat(locale).format(d));
    },
    /** A date as YYYY-MM-DD (for <input type="date">). */
    isoDay(value: unknown): string {
      return toDate(value)?.toISOString().slice(0, 10) ?? '';
    },
    isoDate(value: unknown): string {
      return toDate(value)?.toISOString() ?? '';
    },
    relativeTime(value: unknown, options: HelperOptions): string {
      const d = toDate(value);
      return d ? relativeTime(d, root(options).lang ?? 'it') : '';
    },
    year: () => new Date().getFullYear(),
    /** {{#if (can "users.manage")}} — the permission matrix, as the routes apply it. */
    can(action: Action, options: HelperOptions): boolean {
      return can(root(options).user, action);
    },
    /** A form field's value: what was typed before a failed submit, else the stored value. */
    formValue(name: string, fallback: unknown, options?: HelperOptions): unknown {
      const opts = (options ?? fallback) as HelperOptions;
      const values = root(opts).form?.values;
      if (values && name in values) return values[name];
      return options ? fallback : '';
    },
    /** Several values of a repeated field (checkboxes, multi-selects), as strings. */
    formValues(name: string, fallback: unknown, options?: HelperOptions): string[] {
      const opts = (options ?? fallback) as HelperOptions;
      const form = root(opts).form;
      const value = form && name in form.values ? form.values[name] : options ? fallback : [];
      if (value === undefined || value === null || value === '') return [];
      return (Array.isArray(value) ? value : [value]).map(String);
    },
    /** The translated error of a field after a failed submit, or nothing. */
    formError(name: string, options: HelperOptions): string | undefined {
      const { form, t } = root(options);
      const error = form?.errors[name];
      if (!error) return undefined;
      return fieldMessageText(t, error);
    },
    /** The field errors of a failed submit, translated, for the summary at the top of a form. */
    formErrorList(options: HelperOptions): Array<{ field: string; message: string }> {
      const { form, t } = root(options);
      return Object.entries(form?.errors ?? {}).map(([field, e]) => ({
        field,
        message: fieldMessageText(t, e),
      }));
    },
    /** The current page's URL with one query parameter replaced (pagination, filters). */
    withParam(name: string, value: unknown, options: HelperOptions): string {
      const url = new URL(root(options).currentPath ?? '/', 'http://x');
      url.searchParams.set(name, String(value));
      return `${url.pathname}${url.search}`;
    },
    /** A topic's name in the page's language. */
    topicName(
      topic: { names?: { it?: string; en?: string }; slug?: string } | undefined,
      options: HelperOptions,
    ): string {
      if (!topic) return '';
      const lang = root(options).lang ?? 'it';
      return topic.names?.[lang] ?? topic.names?.it ?? topic.slug ?? '';
    },
    add: (a: number, b: number) => Number(a) + Number(b),
    array: (...args: unknown[]) => args.slice(0, -1),
    /** A file size for people: 532 KB, 2,4 MB. */
    fileSize(bytes: number, options: HelperOptions): string {
      const lang = root(options).lang ?? 'it';
      const n = Number(bytes) || 0;
      const [value, unit] = n >= 1_000_000 ? [n / 1_000_000, 'MB'] : n >= 1000 ? [n / 1000, 'KB'] : [n, 'B'];
      return `${new Intl.NumberFormat(lang, { maximumFractionDigits: value < 10 ? 1 : 0 }).format(value)} ${unit}`;
    },
    startsWith: (value: unknown, prefix: string) => typeof value === 'string' && value.startsWith(prefix),
    /**
     * {{json value}}: a value as JSON for the inside of a `<script type="application/json">`
     * (the only way inline JSON enters a page). Not for attributes: there, `"` ends the value.
     */
    json: (value: unknown) => new Handlebars.SafeString(inlineJson(value)),
  };
}
