import { type Request, type Response, Router } from 'express';
import type { Config } from '../config.ts';
import { ValidationError } from '../core/errors.ts';
import { safeRedirectPath } from '../core/http.ts';
import { isLocale } from '../core/i18n.ts';
import { LANG_COOKIE } from '../middleware/locale.ts';

/** Personal preferences that also work before signing in (the language switcher). */
export function preferencesRoutes(config: Config): Router {
  const router = Router();

  router.post('/preferences/language', (req: Request, res: Response) => {
    const body = req.body as Record<string, unknown>;
    if (!isLocale(body.locale)) {
      throw new ValidationError({ locale: { key: 'validation.locale' } });
    }
    res.cookie(LANG_COOKIE, body.locale, {
      httpOnly: true,
      sameSite: 'lax',
      secure: config.cookieSecure,
      maxAge: 365 * 24 * 3600 * 1000,
      path: '/',
    });
    res.redirect(303, safeRedirectPath(body.next));
  });

  return router;
}
