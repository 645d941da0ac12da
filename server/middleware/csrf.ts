import { doubleCsrf } from 'csrf-csrf';
import type { NextFunction, Request, Response } from 'express';
import { CsrfError } from '../core/errors.ts';

export interface CsrfOptions {
  secret: string;
  secure: boolean;
}

/**
 * CSRF protection for every state-changing request (csrf-csrf, tokens bound to
 * the session). Forms send `_csrf` as a field; scripts send `X-CSRF-Token`.
 * Multipart forms put the token in the action's query string, because their
 * body is read only by the upload middleware, after this check.
 */
export function createCsrf(options: CsrfOptions) {
  const { doubleCsrfProtection, generateCsrfToken } = doubleCsrf({
    getSecret: () => options.secret,
    getSessionIdentifier: (req) => req.session?.id ?? '',
    cookieName: options.secure ? '__Host-pp.csrf' : 'pp.csrf',
    cookieOptions: { sameSite: 'lax', secure: options.secure, path: '/', httpOnly: true },
    size: 32,
    getCsrfTokenFromRequest: (req) => {
      const fromBody = (req.body as Record<string, unknown> | undefined)?._csrf;
      if (typeof fromBody === 'string') return fromBody;
      const header = req.headers['x-csrf-token'];
      if (typeof header === 'string') return header;
      if (req.is('multipart/form-data') && typeof req.query._csrf === 'string') return req.query._csrf;
      return undefined;
    },
  });

  /** Makes `csrfToken` available to every view (issued lazily, once per request). */
  function exposeToken(req: Request, res: Response, next: NextFunction) {
    let token: string | undefined;
    Object.defineProperty(res.locals, 'csrfToken', {
      enumerable: true,
      configurable: true,
      get: () => {
        if (!token) {
          // Keep the session (and so the token's binding) for anonymous visitors too.
          if (req.session && !req.session.csrf) req.session.csrf = true;
          token = generateCsrfToken(req, res, { overwrite: false });
        }
        return token;
      },
    });
    next();
  }

  function protect(req: Request, res: Response, next: NextFunction) {
    doubleCsrfProtection(req, res, (err?: unknown) => {
      if (err) next(new CsrfError());
      else next();
    });
  }

  return { exposeToken, protect, generateToken: generateCsrfToken };
}
