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
