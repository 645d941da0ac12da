import type { Request } from 'express';

/** JSON for the API and for clients that prefer it; HTML pages otherwise. */
export function wantsJson(req: Request): boolean {
  if (req.path.startsWith('/api/')) return true;
  if (req.xhr) return true;
  return req.accepts(['html', 'json']) === 'json';
}

/** A same-site path to go back to after a form, never an open redirect. */
export function safeRedirectPath(value: unknown, fallback = '/'): string {
  if (typeof value !== 'string') return fallback;
  if (!value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return fallback;
  if (/[\r\n]/.test(value)) return fallback;
  return value;
}
