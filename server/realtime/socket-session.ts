import cookieParser from 'cookie-parser';
import type { AuthService } from '../auth/auth.service.ts';
import { can } from '../auth/permissions.ts';
import type { SessionUser } from '../auth/session-user.ts';
import type { Config } from '../config.ts';
import type { DatabaseSessionStore } from '../middleware/session-store.ts';

/** Name of the session cookie (set by express-session in server/app.ts). */
export function sessionCookieName(config: Config): string {
  return config.cookieSecure ? '__Host-pp.sid' : 'pp.sid';
}

/** The value of one cookie in a Cookie header, decoded, or undefined. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    const raw = part.slice(eq + 1).trim();
    try {
      return decodeURIComponent(raw.startsWith('"') && raw.endsWith('"') ? raw.slice(1, -1) : raw);
    } catch {
      return undefined;
    }
  }
  return undefined;
}

export type SessionCheck =
  | { ok: true; user: SessionUser; sid: string; expiresAt: number }
  | { ok: false; reason: 'no_session' | 'signed_out' | 'expired' | 'inactive' | 'forbidden' };

/**
 * The page session, read for sockets: the same signed cookie, the same
 * DatabaseSessionStore, the same person lookup (a deactivated account has no
 * person) and the same absolute limit as the pages.
 */
export class SocketSessions {
  readonly #store: DatabaseSessionStore;
  readonly #auth: AuthService;
  readonly #cookieName: string;
  readonly #secret: string;
  readonly #absoluteMs: number;

  constructor(deps: { config: Config; store: DatabaseSessionStore; auth: AuthService; secret: string }) {
    this.#store = deps.store;
    this.#auth = deps.auth;
    this.#cookieName = sessionCookieName(deps.config);
    this.#secret = deps.secret;
    this.#absoluteMs = deps.config.sessionAbsoluteHours * 3600_000;
  }

  /** The session id of a Cookie header when its signature is valid. */
  sessionId(cookieHeader: string | undefined): string | null {
    const value = readCookie(cookieHeader, this.#cookieName);
    if (!value?.startsWith('s:')) return null;
    const sid = cookieParser.signedCookie(value, this.#secret);
    return typeof sid === 'string' && sid.length > 0 && sid.length <= 200 ? sid : null;
  }

  /** Authenticates a handshake from its Cookie header. */
  async fromCookie(cookieHeader: string | undefined): Promise<SessionCheck> {
    const sid = this.sessionId(cookieHeader);
    if (!sid) return { ok: false, reason: 'no_session' };
    return this.check(sid);
  }

  /** Checks that a session is still signed in, with an active person allowed to use the app. */
  async check(sid: string, expectedUserId?: string): Promise<SessionCheck> {
    const stored = await this.#store.read(sid);
    const data = stored?.data;
    const userId = data?.passport?.user;
    if (!stored || !data || typeof userId !== 'string') return { ok: false, reason: 'signed_out' };
    if (expectedUserId && userId !== expectedUserId) return { ok: false, reason: 'signed_out' };
    const absoluteEnd = (data.authAt ?? 0) + this.#absoluteMs;
    if (Date.now() >= absoluteEnd) return { ok: false, reason: 'expired' };
    const user = await this.#auth.findSessionUser(userId);
    if (!user) return { ok: false, reason: 'inactive' };
    if (!can(user, 'app.use')) return { ok: false, reason: 'forbidden' };
    // Sessions roll with page activity; the socket checks again when this one would end.
    return { ok: true, user, sid, expiresAt: Math.min(stored.expires.getTime(), absoluteEnd) };
  }
}
