import { type NextFunction, type Request, type Response, Router } from 'express';
import type { Config } from '../config.ts';
import { NotFoundError, ServiceUnavailableError } from '../core/errors.ts';
import { safeRedirectPath, wantsJson } from '../core/http.ts';
import { parseInput } from '../core/validation.ts';
import { loginSchema, resetPasswordSchema } from './auth.schemas.ts';
import type { AuthService } from './auth.service.ts';
import { guard, publicRoute } from './guard.ts';
import { createLoginLimiters } from './login-limits.ts';
import { OIDC_STRATEGY, type OidcLogin } from './oidc.ts';
import type { AppPassport } from './passport.ts';
import type { SessionUser } from './session-user.ts';

export interface AuthRouteDeps {
  config: Config;
  auth: AuthService;
  passport: AppPassport;
  oidc: OidcLogin | undefined;
}

/** Signs the person in on this session (new session id) and applies "remember me". */
function signIn(req: Request, user: SessionUser, remember: boolean, idleMinutes: number): Promise<void> {
  return new Promise((resolve, reject) => {
    req.login(user, { session: true, keepSessionInfo: false }, (err) => {
      if (err) return reject(err);
      req.session.authAt = Date.now();
      // Without "remember me" the cookie ends with the browser; the server-side
      // idle timeout applies either way.
      req.session.cookie.maxAge = remember ? idleMinutes * 60_000 : undefined;
      req.session.save((saveErr) => (saveErr ? reject(saveErr) : resolve()));
    });
  });
}

export function authRoutes(deps: AuthRouteDeps): Router {
  const { config, auth, passport, oidc } = deps;
  const router = Router();
  const limiters = createLoginLimiters(config);

  const renderLogin = (req: Request, res: Response, extra: Record<string, unknown> = {}) => {
    const query = req.query as Record<string, unknown>;
    res.render('pages/auth/login', {
      title: req.t('auth.login.title'),
      next: safeRedirectPath(extra.next ?? query.next, '/'),
      expired: query.expired === '1',
      signedOut: query.signedOut === '1',
      ssoError: typeof query.sso === 'string' ? `auth.sso.${query.sso}` : undefined,
      ssoLabel: oidc?.label,
      ...extra,
    });
  };

  router.get('/login', publicRoute(), (req, res) => {
    if (req.user) return res.redirect(303, safeRedirectPath((req.query as Record<string, unknown>).next));
    renderLogin(req, res);
  });

  router.post(
    '/login',
    publicRoute(),
    ...limiters,
    async (req: Request, res: Response, next: NextFunction) => {
      const input = parseInput(loginSchema, req.body);
      passport.authenticate('local', { session: false }, async (err: unknown, user: SessionUser | false) => {
        try {
          if (err) return next(err);
          if (!user) {
            res.status(401);
            if (wantsJson(req)) {
              res.json({
                error: { status: 401, code: 'invalid_credentials', message: req.t('auth.login.failed') },
              });
              return;
            }
            return renderLogin(req, res, {
              email: input.email,
              failed: true,
              remember: input.remember,
              next: input.next,
            });
          }
          await signIn(req, user, input.remember, config.sessionIdleMinutes);
          if (wantsJson(req)) {
            res.json({ user: { id: user.id, displayName: user.displayName } });
            return;
          }
          res.redirect(303, safeRedirectPath(input.next));
        } catch (caught) {
          next(caught);
        }
      })(req, res, next);
    },
  );

  router.post('/logout', guard('app.use'), (req: Request, res: Response, next: NextFunction) => {
    const user = req.user!;
    req.logout({ keepSessionInfo: false }, (err) => {
      if (err) return next(err);
      req.session.destroy((destroyErr) => {
        if (destroyErr) return next(destroyErr);
        res.clearCookie(config.cookieSecure ? '__Host-pp.sid' : 'pp.sid', { path: '/' });
        auth.recordSignOut(user, req.ip ?? '').then(
          () => res.redirect(303, '/login?signedOut=1'),
          (auditErr: unknown) => next(auditErr),
        );
      });
    });
  });

  /** Who am I: for scripts and the small client modules. */
  router.get('/api/me', guard('app.use'), (req: Request, res: Response) => {
    const { id, displayName, email, roles, teamId, locale, avatarUrl } = req.user!;
    res
      .set('Cache-Control', 'no-store')
      .json({ user: { id, displayName, email, roles, teamId, locale: locale ?? req.locale, avatarUrl } });
  });

  if (oidc) {
    router.get('/auth/oidc', publicRoute(), async (req: Request, res: Response, next: NextFunction) => {
      try {
        await oidc.ensureReady();
      } catch (err) {
        return next(new ServiceUnavailableError('auth.sso.unavailable', { cause: err }));
      }
      req.session.returnTo = safeRedirectPath((req.query as Record<string, unknown>).next);
      passport.authenticate(OIDC_STRATEGY)(req, res, next);
    });

    router.get(
      '/auth/oidc/callback',
      publicRoute(),
      async (req: Request, res: Response, next: NextFunction) => {
        try {
          await oidc.ensureReady();
        } catch (err) {
          return next(new ServiceUnavailableError('auth.sso.unavailable', { cause: err }));
        }
        passport.authenticate(
          OIDC_STRATEGY,
          { session: false },
          async (err: unknown, user: SessionUser | false, info?: { message?: string }) => {
            try {
              if (err) {
                req.log?.warn({ err }, 'single sign-on failed');
                return res.redirect(303, '/login?sso=failed');
              }
              if (!user)
                return res.redirect(303, `/login?sso=${encodeURIComponent(info?.message ?? 'failed')}`);
              const returnTo = req.session.returnTo;
              await signIn(req, user, false, config.sessionIdleMinutes);
              res.redirect(303, safeRedirectPath(returnTo));
            } catch (caught) {
              next(caught);
            }
          },
        )(req, res, next);
      },
    );
  }

  router.get('/password/reset/:token', publicRoute(), async (req: Request, res: Response) => {
    const target = await auth.checkResetToken(String(req.params.token));
    if (!target) {
      res.status(410);
      return res.render('pages/auth/reset-invalid', { title: req.t('auth.reset.invalidTitle') });
    }
    res.render('pages/auth/reset-password', {
      title: req.t('auth.reset.title'),
      target,
      token: req.params.token,
    });
  });

  router.post('/password/reset/:token', publicRoute(), async (req: Request, res: Response) => {
    const token = String(req.params.token);
    if (!(await auth.checkResetToken(token))) {
      res.status(410);
      return res.render('pages/auth/reset-invalid', { title: req.t('auth.reset.invalidTitle') });
    }
    const input = parseInput(resetPasswordSchema, req.body);
    const done = await auth.resetPassword(token, input.password, req.ip ?? '');
    if (!done) throw new NotFoundError();
    req.session.flash = [{ type: 'success', key: 'auth.reset.done' }];
    res.redirect(303, '/login');
  });

  return router;
}
