import { existsSync } from 'node:fs';
import path from 'node:path';
import type { NextFunction, Request, Response } from 'express';
import type { i18n as I18n } from 'i18next';
import mongoose from 'mongoose';
import type { Locale } from '../config.ts';
import {
  AppError,
  fieldMessageText,
  NotFoundError,
  ServiceUnavailableError,
  TooManyRequestsError,
  ValidationError,
} from '../core/errors.ts';
import { safeRedirectPath, wantsJson } from '../core/http.ts';
import { fixedT, isLocale, LOCALES } from '../core/i18n.ts';
import type { Logger } from '../core/logger.ts';
import { keepableValues } from './form-state.ts';

/** Errors of the database driver that mean "the database is away right now". */
function isDatabaseUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const names = [
    'MongoServerSelectionError',
    'MongoNetworkError',
    'MongoNetworkTimeoutError',
    'MongoNotConnectedError',
  ];
  if (names.includes(err.name)) return true;
  if (err instanceof mongoose.Error && /buffering timed out/.test(err.message)) return true;
  return false;
}

/** Body-parser and similar libraries signal client mistakes with `status` / `type`. */
function fromHttpError(err: unknown): AppError | undefined {
  if (!(err instanceof Error)) return undefined;
  const status = (err as { status?: unknown }).status ?? (err as { statusCode?: unknown }).statusCode;
  if (typeof status !== 'number' || status < 400 || status >= 500) return undefined;
  if (status === 413) return new AppError(413, 'payload_too_large', 'errors.payloadTooLarge.explain');
  if (status === 404) return new NotFoundError();
  return new AppError(status, 'bad_request', 'errors.badRequest.explain');
}

/** Where a failed form goes back to: its `_return` field, else the page it was sent from. */
function formReturnPath(req: Request): string {
  const body = req.body as Record<string, unknown> | undefined;
  if (typeof body?._return === 'string') return safeRedirectPath(body._return, req.path);
  const referer = req.get('Referer');
  if (referer) {
    try {
      const url = new URL(referer);
      if (url.host === req.get('Host')) return safeRedirectPath(`${url.pathname}${url.search}`, req.path);
    } catch {
      // not a URL: ignore
    }
  }
  return req.path;
}

export function notFoundHandler(req: Request, _res: Response, next: NextFunction) {
  next(new NotFoundError('errors.notFound.explain', { path: req.path }));
}

/**
 * The one place errors become responses: a page for browsers, JSON for API
 * clients. Templates fall back errors/<status> → errors/4xx → errors/error.
 */
/**
 * The language for an error raised before the locale middleware ran (the
 * session store failing, say): the language cookie, else Accept-Language.
 */
function fallbackLocale(req: Request, defaultLocale: Locale): Locale {
  const cookie = /(?:^|;\s*)pp\.lang=(it|en)\b/.exec(req.headers.cookie ?? '')?.[1];
  if (isLocale(cookie)) return cookie;
  if (req.headers['accept-language']) {
    const accepted = req.acceptsLanguages(...LOCALES);
    if (isLocale(accepted)) return accepted;
  }
  return defaultLocale;
}

export function createErrorHandler(viewsDir: string, logger: Logger, i18n: I18n, defaultLocale: Locale) {
  const hasView = new Map<string, boolean>();
  const viewExists = (name: string) => {
    let known = hasView.get(name);
    if (known === undefined) {
      known = existsSync(path.join(viewsDir, `${name}.hbs`));
      hasView.set(name, known);
    }
    return known;
  };

  return (err: unknown, req: Request, res: Response, _next: NextFunction) => {
    let appError: AppError;
    if (err instanceof AppError) appError = err;
    else if (isDatabaseUnavailable(err))
      appError = new ServiceUnavailableError('errors.unavailable.database', { cause: err });
    else appError = fromHttpError(err) ?? new AppError(500, 'internal_error', 'errors.internal.explain');

    const status = appError.status;
    const log = (req as Request & { log?: Logger }).log ?? logger;
    // The request's own log line (app.ts) carries the status and this code; a server
    // fault also gets its stack.
    res.locals.errorCode = appError.code;
    // A request already answered 503 because the database stopped answering
    // (health/availability.ts): whatever its handler does afterwards is dropped.
    if (res.headersSent && res.locals.abandoned) return;
    if (status >= 500) log.error({ err }, 'request failed');

    if (res.headersSent) {
      res.end();
      return;
    }
    if (appError instanceof TooManyRequestsError)
      res.setHeader('Retry-After', String(appError.retryAfterSeconds));
    if (status === 503) res.setHeader('Retry-After', '5');

    // A browser form that failed validation goes back to the form, which shows
    // the errors next to the fields and keeps what was typed (post/redirect/get).
    if (appError instanceof ValidationError && req.method === 'POST' && req.session && !wantsJson(req)) {
      const returnTo = formReturnPath(req);
      req.session.form = {
        id: new URL(returnTo, 'http://x').pathname,
        values: keepableValues(req.body),
        errors: appError.fields,
      };
      res.redirect(303, returnTo);
      return;
    }

    // A signed-in person's refused action from a page (409: "the team still
    // has members", "you just posted the same"; 429: "wait a few seconds")
    // goes back to that page with the explanation on top and what was typed
    // kept in its form. A locked sign-in keeps its 429 and Retry-After.
    if (
      (appError.status === 409 || appError instanceof TooManyRequestsError) &&
      req.user &&
      req.method === 'POST' &&
      req.session &&
      !wantsJson(req)
    ) {
      const returnTo = formReturnPath(req);
      req.session.form = {
        id: new URL(returnTo, 'http://x').pathname,
        values: keepableValues(req.body),
        errors: {},
      };
      req.session.flash = [{ type: 'error', key: appError.messageKey, params: appError.params }];
      res.redirect(303, returnTo);
      return;
    }

    if (!req.t) {
      const locale = fallbackLocale(req, defaultLocale);
      req.locale = locale;
      req.t = fixedT(i18n, locale);
      res.locals.lang = locale;
      res.locals.t = req.t;
      res.locals.otherLocales = LOCALES.filter((l) => l !== locale);
      res.locals.currentPath ??= req.originalUrl;
    }
    const t = req.t;
    const message = t ? t(appError.messageKey, appError.params) : appError.messageKey;
    const fields =
      appError instanceof ValidationError
        ? Object.fromEntries(
            Object.entries(appError.fields).map(([field, m]) => [field, fieldMessageText(t, m)]),
          )
        : undefined;
    const requestId = String(req.id ?? '');

    res.status(status);
    if (wantsJson(req)) {
      res.json({ error: { status, code: appError.code, message, ...(fields ? { fields } : {}), requestId } });
      return;
    }
    const view = viewExists(`errors/${status}`)
      ? `errors/${status}`
      : status < 500
        ? 'errors/4xx'
        : 'errors/error';
    res.render(
      view,
      {
        title: t(`errors.status.${status}`, { defaultValue: t('errors.status.generic') }),
        status,
        message,
        fields,
        requestId,
        path: req.path,
      },
      (renderErr: Error | null, html?: string) => {
        if (renderErr) {
          log.error({ err: renderErr }, 'error page failed to render');
          res.type('text/plain').send(`${status} ${message}`);
          return;
        }
        res.send(html);
      },
    );
  };
}
