import type { ServerResponse } from 'node:http';
import type { Request } from 'express';
import { type DestinationStream, type Logger, type LoggerOptions, pino } from 'pino';

export type { Logger };

/**
 * One structured logger for the process; request loggers are its children.
 * `destination` (default: standard output) lets tests read the lines.
 */
export function createLogger(
  level: string,
  base: Record<string, unknown> = {},
  destination?: DestinationStream,
): Logger {
  const options: LoggerOptions = {
    level,
    base: { app: 'passaparola', ...base },
    redact: {
      paths: ['req.headers.cookie', 'req.headers.authorization', 'res.headers["set-cookie"]', '*.password'],
      censor: '[redacted]',
    },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return destination ? pino(options, destination) : pino(options);
}

/** Query parameters whose values are secrets (tokens, the codes of a single sign-on callback). */
const SECRET_PARAM = /^(_csrf|token|code|state|password|secret)$/i;
/** Paths that carry a secret: one-time password links. */
const SECRET_PATHS = [/^(\/password\/reset\/)[^/?#]+/];

/** A URL as it may be logged: secret query values and path segments replaced by `[redacted]`. */
export function loggableUrl(url: string): string {
  const at = url.indexOf('?');
  let path = at < 0 ? url : url.slice(0, at);
  for (const pattern of SECRET_PATHS) path = path.replace(pattern, '$1[redacted]');
  if (at < 0) return path;
  const query = url
    .slice(at + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const name = eq < 0 ? pair : pair.slice(0, eq);
      let decoded = name;
      try {
        decoded = decodeURIComponent(name.replace(/\+/g, ' '));
      } catch {
        // not percent-encoded properly: judge the raw name
      }
      return eq >= 0 && SECRET_PARAM.test(decoded) ? `${name}=[redacted]` : pair;
    })
    .join('&');
  return `${path}?${query}`;
}

/**
 * The one line logged per request (with the request id of its logger): method,
 * URL without secrets, status, milliseconds, who asked, and the error code of a
 * refused request.
 */
export function requestLine(req: Request, res: ServerResponse, ms: number) {
  const code = (res as ServerResponse & { locals?: { errorCode?: string } }).locals?.errorCode;
  return {
    method: req.method,
    url: loggableUrl(req.originalUrl ?? req.url),
    status: res.statusCode,
    ms,
    ...(req.user?.id ? { userId: req.user.id } : {}),
    ...(code ? { error: code } : {}),
  };
}
