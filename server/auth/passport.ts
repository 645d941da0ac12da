import type { NextFunction, Request, Response } from 'express';
import { Passport } from 'passport';
import { Strategy as LocalStrategy } from 'passport-local';
import type { Config } from '../config.ts';
import type { AuthService } from './auth.service.ts';
import type { SessionUser } from './session-user.ts';

/**
 * Passport, wired once: the local strategy checks email and password through
 * the AuthService; sessions hold only the user id, and each request loads the
 * person again, so a deactivated account is signed out at its next request.
 */
export function createPassport(auth: AuthService) {
  const passport = new Passport();

  passport.use(
    'local',
    new LocalStrategy(
      { usernameField: 'email', passwordField: 'password', passReqToCallback: true },
      (req, email, password, done) => {
        auth.verifyCredentials(email, password, req.ip ?? '').then(
          (user) => done(null, user ?? false),
          (err: unknown) => done(err),
        );
      },
    ),
  );

  passport.serializeUser((user, done) => done(null, (user as SessionUser).id));
  passport.deserializeUser((id: string, done) => {
    auth.findSessionUser(id).then(
      (user) => done(null, user ?? false),
      (err: unknown) => done(err),
    );
  });

  return passport;
}

export type AppPassport = ReturnType<typeof createPassport>;

/**
 * Idle and absolute session limits. Idle expiry is the session's own (rolling
 * cookie, store expiry); this ends sessions older than SESSION_ABSOLUTE_HOURS
 * since sign-in, whatever the activity.
 */
export function sessionLimits(config: Config) {
  const absoluteMs = config.sessionAbsoluteHours * 3600_000;
  return (req: Request, res: Response, next: NextFunction) => {
    if (!req.user || !req.session) return next();
    const authAt = req.session.authAt ?? 0;
    if (Date.now() - authAt <= absoluteMs) return next();
    req.logout({ keepSessionInfo: false }, (err) => {
      if (err) return next(err);
      req.session.destroy(() => {
        res.clearCookie(config.cookieSecure ? '__Host-pp.sid' : 'pp.sid', { path: '/' });
        if (req.method === 'GET' && req.accepts(['html', 'json']) === 'html') {
          res.redirect(303, `/login?expired=1&next=${encodeURIComponent(req.originalUrl)}`);
        } else {
          res
            .status(401)
            .json({ error: { status: 401, code: 'session_expired', message: req.t('auth.sessionExpired') } });
        }
      });
    });
  };
}
