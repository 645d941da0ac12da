import type { TFunction } from 'i18next';
import type { SessionUser } from './auth/session-user.ts';
import type { Locale } from './config.ts';

declare global {
  namespace Express {
    // The signed-in person, as passport puts it on the request.
    interface User extends SessionUser {}
    interface Request {
      /** Language of this response: the user's choice, else Accept-Language, else the default. */
      locale: Locale;
      t: TFunction;
    }
  }
}

declare module 'express-session' {
  interface SessionData {
    /** When the person signed in (ms), for the absolute session timeout. */
    authAt?: number;
    /** Where to go after single sign-on. */
    returnTo?: string;
    passport?: { user?: string };
    /** Set when a CSRF token was issued, so an anonymous session is kept. */
    csrf?: boolean;
    /** Flash messages shown once on the next page (post/redirect/get). */
    flash?: Array<{
      type: 'success' | 'info' | 'error';
      key: string;
      params?: Record<string, string | number>;
    }>;
    /** The one-time links of the last import (name, email, link), downloadable once as a CSV. */
    importLinks?: { at: number; rows: string[][] };
    /** Field errors and the submitted values of a form that failed validation. */
    form?: {
      id: string;
      values: Record<string, unknown>;
      errors: Record<string, { key: string; params?: Record<string, string | number> }>;
    };
  }
}
