import type { NextFunction, Request, Response } from 'express';
import type { i18n as I18n } from 'i18next';
import type { Locale } from '../config.ts';
import { fixedT, isLocale, LOCALES } from '../core/i18n.ts';

export const LANG_COOKIE = 'pp.lang';

/** Hook for features that know the signed-in user's own choice (identity sets it). */
export type UserLocaleResolver = (req: Request) => Locale | undefined;

/**
 * Picks the page language: the signed-in user's saved choice, else the
 * language cookie set by the switcher, else the browser's Accept-Language,
 * else the organisation default.
 */
export function localeMiddleware(
  i18n: I18n,
  defaultLocale: Locale,
  userLocale: UserLocaleResolver = () => undefined,
) {
  return (req: Request, res: Response, next: NextFunction) => {
    const cookie = req.cookies?.[LANG_COOKIE] as unknown;
    let locale: Locale | undefined = userLocale(req) ?? (isLocale(cookie) ? cookie : undefined);
    if (!locale && req.headers['accept-language']) {
      const accepted = req.acceptsLanguages(...LOCALES);
      if (isLocale(accepted)) locale = accepted;
    }
    locale ??= defaultLocale;
    req.locale = locale;
    req.t = fixedT(i18n, locale);
    res.locals.lang = locale;
    res.locals.t = req.t;
    res.locals.otherLocales = LOCALES.filter((l) => l !== locale);
    res.setHeader('Content-Language', locale);
    next();
  };
}
