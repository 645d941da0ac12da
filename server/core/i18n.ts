import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import i18next, { type i18n as I18n, type TFunction } from 'i18next';
import type { Locale } from '../config.ts';

export type { TFunction };
export const LOCALES: readonly Locale[] = ['it', 'en'];

type Catalog = Record<string, unknown>;

const localesDir = path.join(import.meta.dirname, '..', 'locales');

/**
 * Each language is a folder of JSON files, one per feature; a file holds the
 * branches of one feature (`posts.json` → `posts.*`), so features
 * never edit each other's files.
 */
function loadCatalog(locale: Locale): Catalog {
  const catalog: Catalog = {};
  const dir = path.join(localesDir, locale);
  for (const file of readdirSync(dir).sort()) {
    if (!file.endsWith('.json')) continue;
    const content = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as Catalog;
    for (const [key, value] of Object.entries(content)) {
      if (key in catalog) throw new Error(`i18n: "${key}" is defined twice in ${locale}/ (again in ${file})`);
      catalog[key] = value;
    }
  }
  return catalog;
}

export const catalogs: Record<Locale, Catalog> = { it: loadCatalog('it'), en: loadCatalog('en') };

export function isLocale(value: unknown): value is Locale {
  return value === 'it' || value === 'en';
}

export interface I18nOptions {
  defaultLocale: Locale;
  /** Called for every key a page asks for that a catalog lacks (tests fail on it). */
  onMissingKey?: (locale: string, key: string) => void;
}

/**
 * One i18next instance for the process. Values are not HTML-escaped here:
 * Handlebars escapes every `{{t …}}` output, so escaping twice would show
 * entities to the user.
 */
export async function createI18n(options: I18nOptions): Promise<I18n> {
  const instance = i18next.createInstance();
  await instance.init({
    resources: { it: { translation: catalogs.it }, en: { translation: catalogs.en } },
    lng: options.defaultLocale,
    fallbackLng: false,
    supportedLngs: [...LOCALES],
    interpolation: { escapeValue: false },
    returnNull: false,
    saveMissing: Boolean(options.onMissingKey),
    missingKeyHandler: (lngs, _ns, key) => {
      for (const lng of lngs) options.onMissingKey?.(lng, key);
    },
  });
  return instance;
}

const MEMO_LIMIT = 20_000;
const fixedTs = new WeakMap<I18n, Map<Locale, TFunction>>();

function memoKey(key: unknown, options: unknown): string | undefined {
  if (typeof key !== 'string') return undefined;
  if (options === undefined) return key;
  if (!options || typeof options !== 'object' || Array.isArray(options)) return undefined;
  let params = '';
  for (const [name, value] of Object.entries(options)) {
    const kind = typeof value;
    if (kind !== 'string' && kind !== 'number' && kind !== 'boolean' && value != null) return undefined;
    if (name === 'returnObjects' || name === 'lng' || name === 'ns') return undefined;
    params += `\u0000${name}\u0001${String(value)}`;
  }
  return `${key}${params}`;
}

/**
 * The translate function of one language, remembering its sentences: a page
 * asks for the same few hundred (a feed page calls `t` about a thousand times,
 * with the same keys and mostly the same counts and names), and i18next's
 * lookup, plural rules and interpolation cost ~2 µs each time. Calls with
 * anything but plain values as options go to i18next every time.
 */
export function fixedT(i18n: I18n, locale: Locale): TFunction {
  let byLocale = fixedTs.get(i18n);
  if (!byLocale) {
    byLocale = new Map();
    fixedTs.set(i18n, byLocale);
  }
  let t = byLocale.get(locale);
  if (t) return t;
  const translate = i18n.getFixedT(locale) as unknown as (key: unknown, options?: unknown) => unknown;
  const memo = new Map<string, unknown>();
  const memoized = (key: unknown, options?: unknown): unknown => {
    const id = memoKey(key, options);
    if (id === undefined) return translate(key, options);
    const known = memo.get(id);
    if (known !== undefined) return known;
    const value = translate(key, options);
    // A missing key comes back as itself: not remembered, so it is reported each time.
    if (value === key) return value;
    if (memo.size >= MEMO_LIMIT) memo.clear();
    memo.set(id, value);
    return value;
  };
  t = Object.assign(memoized, translate) as unknown as TFunction;
  byLocale.set(locale, t);
  return t;
}
