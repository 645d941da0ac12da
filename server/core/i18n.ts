import i18next, { type i18n as I18n, type TFunction } from 'i18next';
import type { Locale } from '../config.ts';
import en from '../locales/en.json' with { type: 'json' };
import it from '../locales/it.json' with { type: 'json' };

export type { TFunction };
export const LOCALES: readonly Locale[] = ['it', 'en'];
export const catalogs = { it, en } as const;

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
    resources: { it: { translation: it }, en: { translation: en } },
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
