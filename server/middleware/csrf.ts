import { doubleCsrf } from 'csrf-csrf';
import type { NextFunction, Request, Response } from 'express';
import { CsrfError } from '../core/errors.ts';
import { leadingField } from './uploads.ts';

export interface CsrfOptions {
  secret: string;
  secure: boolean;
}

/** The methods csrf-csrf leaves unchecked (its default). */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * CSRF protection for every state-changing request (csrf-csrf, tokens bound to
 * the session). Forms send `_csrf` as a field; scripts send `X-CSRF-Token`.
 * Tokens never travel in a URL (where logs, history and Referer headers keep
 * them). A multipart form sends `_csrf` as its first field: it is read here,
 * before anything else of the body, so a file without a valid token is refused
 * before a byte of it is read; the upload middleware then reads the body whole.
 */
export function createCsrf(options: CsrfOptions) {
  /** The token of a multipart request, read from its first part. */
  const multipartTokens = new WeakMap<Request, string>();
  const { doubleCsrfProtection, generateCsrfToken } = doubleCsrf({
    getSecret: () => options.secret,
    getSessionIdentifier: (req) => req.session?.id ?? '',
    cookieName: options.secure ? '__Host-pp.csrf' : 'pp.csrf',
    cookieOptions: { sameSite: 'lax', secure: options.secure, path: '/', httpOnly: true },
    size: 32,
    getCsrfTokenFromRequest: (req) => {
      const header = req.headers['x-csrf-token'];
      if (typeof header === 'string') return header;
      const fromBody = (req.body as Record<string, unknown> | undefined)?._csrf;
      if (typeof fromBody === 'string') return fromBody;
      return multipartTokens.get(req);
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

  async function protect(req: Request, res: Response, next: NextFunction) {
    if (!SAFE_METHODS.has(req.method) && req.is('multipart/*') && req.headers['x-csrf-token'] === undefined) {
      try {
        const token = await leadingField(req, '_csrf');
        if (token !== undefined) multipartTokens.set(req, token);
      } catch (err) {
        return next(err);
      }
    }
    doubleCsrfProtection(req, res, (err?: unknown) => {
      if (err) next(new CsrfError());
      else next();
    });
  }

  return { exposeToken, protect, generateToken: generateCsrfToken };
}
