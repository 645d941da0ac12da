import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { ForbiddenError, UnauthorizedError } from '../core/errors.ts';
import { wantsJson } from '../core/http.ts';
import { type Action, can, rolesFor } from './permissions.ts';

/** A middleware marked with the permission it enforces (the route-matrix test reads it). */
export type Guard = RequestHandler & { permission?: Action; isPublic?: true };

function loginRedirect(req: Request, res: Response): void {
  const next = req.method === 'GET' ? req.originalUrl : '/';
  res.redirect(303, `/login?next=${encodeURIComponent(next)}`);
}

/**
 * Requires a signed-in, active user allowed to perform `action`. Anonymous page
 * requests go to the sign-in page (API requests get 401 JSON); users without
 * the permission get a 403 that names the roles that have it.
 */
export function guard(action: Action): Guard {
  const middleware: Guard = (req: Request, res: Response, next: NextFunction) => {
    if (!req.user) {
      if (wantsJson(req)) return next(new UnauthorizedError());
      return loginRedirect(req, res);
    }
    if (!can(req.user, action)) {
      const allowed = rolesFor(action);
      const roles = allowed.map((role) => req.t(`roles.${role}`)).join(', ');
      return next(
        new ForbiddenError('errors.forbidden.missingPermission', {
          action: req.t(`permissions.${action}`),
          roles,
          count: allowed.length,
        }),
      );
    }
    next();
  };
  middleware.permission = action;
  return middleware;
}

/** Marks a route as open to everyone, signed in or not (sign-in, health, reset links). */
export function publicRoute(): Guard {
  const middleware: Guard = (_req, _res, next) => next();
  middleware.isPublic = true;
  return middleware;
}
