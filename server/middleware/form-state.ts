import type { NextFunction, Request, Response } from 'express';

/** Body fields never echoed back into a form. */
const SECRET_FIELD = /password|secret|token|^_csrf$/i;

export function keepableValues(body: unknown): Record<string, unknown> {
  if (!body || typeof body !== 'object') return {};
  const values: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
    if (SECRET_FIELD.test(key)) continue;
    if (typeof value === 'string') values[key] = value.slice(0, 20_000);
    else if (Array.isArray(value)) values[key] = value.filter((v) => typeof v === 'string').slice(0, 200);
  }
  return values;
}

/**
 * Whether a request draws a page the person reads, as opposed to a script's
 * fetch in the background (a live-update fragment, "search first" suggestions,
 * an in-place vote). Browsers mark fetches `Sec-Fetch-Dest: empty`; a client
 * that sends no such header (curl, tests) is taken to be reading a page.
 * Messages kept for the next page (flash, a failed form) wait for such a
 * request, so a fetch that happens to arrive first does not swallow them.
 */
export function drawsPage(req: Request): boolean {
  const dest = req.get('sec-fetch-dest');
  return dest === undefined || dest === 'document';
}

/**
 * The one-time messages of the previous action ("Saved.", an error of a
 * redirect), shown by the next page drawn and then forgotten.
 */
export function flashMessages(req: Request, res: Response, next: NextFunction) {
  const flash = drawsPage(req) ? req.session?.flash : undefined;
  res.locals.flash = flash ?? [];
  if (flash) delete req.session.flash;
  next();
}

/**
 * Post/redirect/get for forms: a failed POST stores its field errors and the
 * typed values in the session (see the error handler); the next GET of the
 * form's page shows them once. Views read `form.values` and `form.errors`.
 */
export function formState(req: Request, res: Response, next: NextFunction) {
  const form = req.session?.form;
  if (form && req.method === 'GET' && drawsPage(req)) {
    delete req.session.form;
    if (form.id === req.path) {
      res.locals.form = form;
      res.locals.formErrorCount = Object.keys(form.errors).length;
    }
  }
  next();
}
