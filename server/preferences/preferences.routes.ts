import { type Request, type Response, Router } from 'express';
import { publicRoute } from '../auth/guard.ts';
import type { Config } from '../config.ts';
import { ValidationError } from '../core/errors.ts';
import { safeRedirectPath } from '../core/http.ts';
import { isLocale } from '../core/i18n.ts';
import { LANG_COOKIE } from '../middleware/locale.ts';
import type { PeopleService } from '../people/people.service.ts';

/**
 * The language switcher, which also works before signing in: a cookie for the
 * browser and, for a signed-in person, their saved choice.
 */
export function preferencesRoutes(config: Config, people: PeopleService): Router {
  const router = Router();

  router.post('/preferences/language', publicRoute(), async (req: Request, res: Response) => {
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
    if (req.user) await people.setLocale(req.user.id, body.locale);
    res.redirect(303, safeRedirectPath(body.next));
  });

  return router;
}
