import type { TFunction } from 'i18next';
import type { Locale } from './config.ts';

declare global {
  namespace Express {
    interface Request {
      /** Language of this response: the user's choice, else Accept-Language, else the default. */
      locale: Locale;
      t: TFunction;
    }
  }
}

declare module 'express-session' {
  interface SessionData {
    /** Set when a CSRF token was issued, so an anonymous session is kept. */
    csrf?: boolean;
    /** Flash messages shown once on the next page (post/redirect/get). */
    flash?: Array<{
      type: 'success' | 'info' | 'error';
      key: string;
      params?: Record<string, string | number>;
    }>;
    /** Field errors and the submitted values of a form that failed validation. */
    form?: {
      id: string;
      values: Record<string, unknown>;
      errors: Record<string, { key: string; params?: Record<string, string | number> }>;
    };
  }
}
