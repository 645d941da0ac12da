import type { Request } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import type { Config } from '../config.ts';
import { TooManyRequestsError } from '../core/errors.ts';
import { DatabaseRateLimitStore } from './rate-limit-store.ts';

function accountKey(req: Request): string {
  const email = (req.body as Record<string, unknown> | undefined)?.email;
  return typeof email === 'string' ? email.trim().toLowerCase().slice(0, 254) : '(none)';
}

function limitExceeded(req: Request, _res: unknown, next: (err: unknown) => void): void {
  const resetTime = (req as Request & { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime;
  const seconds = resetTime ? Math.max(1, Math.ceil((resetTime.getTime() - Date.now()) / 1000)) : 60;
  next(new TooManyRequestsError(seconds, 'errors.tooManyRequests.login'));
}

/**
 * Sign-in throttling. Only failed attempts count (a successful sign-in takes
 * its hit back). Per account: after `maxFailures` failures in the window the
 * account is locked until the window ends, whatever the password. Per address:
 * a coarse limit, high enough for a whole contact-center floor behind one IP
 * signing in at the start of a shift.
 */
export function createLoginLimiters(config: Config) {
  const windowMs = config.login.windowMinutes * 60_000;
  const common = {
    windowMs,
    skipSuccessfulRequests: true,
    standardHeaders: 'draft-8' as const,
    legacyHeaders: false,
    handler: limitExceeded,
    requestWasSuccessful: (_req: Request, res: { statusCode: number }) => res.statusCode < 400,
  };
  const perAccount = rateLimit({
    ...common,
    limit: config.login.maxFailures,
    keyGenerator: accountKey,
    store: new DatabaseRateLimitStore('login-account'),
  });
  const perAddress = rateLimit({
    ...common,
    limit: config.login.ipMaxFailures,
    keyGenerator: (req) => ipKeyGenerator(req.ip ?? 'unknown'),
    store: new DatabaseRateLimitStore('login-ip'),
  });
  return [perAddress, perAccount];
}
