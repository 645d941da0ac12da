import session from 'express-session';
import { Types } from 'mongoose';
import { Session } from '../../models/session.ts';
import type { Logger } from '../core/logger.ts';
import { op } from '../db/query.ts';

type Callback = (err?: unknown) => void;

/** express-session keeps the request on each session object (not enumerable). */
function responseStarted(sess: session.SessionData): boolean {
  const req = (sess as unknown as { req?: { res?: { headersSent?: boolean } } }).req;
  return req?.res?.headersSent === true;
}

function expiryOf(sess: session.SessionData, fallbackMs: number): Date {
  const expires = sess.cookie?.expires;
  if (expires) return new Date(expires);
  return new Date(Date.now() + fallbackMs);
}

function userOf(sess: session.SessionData): Types.ObjectId | null {
  const id = (sess as { passport?: { user?: unknown } }).passport?.user;
  return typeof id === 'string' && Types.ObjectId.isValid(id) ? new Types.ObjectId(id) : null;
}

export interface SessionStoreOptions {
  logger: Logger;
  /** Minutes between deletions of expired sessions; 0 disables them (tests). */
  cleanupMinutes: number;
  /**
   * How long a session read or written is given from memory (default 2 s); 0
   * reads every request's session from the database (tests that change
   * sessions in the database directly, as another instance would).
   */
  freshMs?: number;
  /** Lifetime of sessions whose cookie has no expiry. */
  fallbackTtlMs?: number;
}

/**
 * Sessions in the database, shared by every app instance.
 *
 * Every read and write addresses one session by its id (`_id`), the one lookup
 * every supported engine answers from an index. Expiry is checked here, and
 * expired sessions are deleted on an interval (no TTL indexes everywhere).
 *
 * express-session saves or touches the session while ending each response and
 * hands a failure to `next`; by then the page (often the "database
 * unavailable" page itself) is half-written and Express can only drop the
 * connection. Such late failures are logged instead; saves that code waits
 * for (sign-in) still fail loudly.
 */
/** An expiry that moves by less than this is not written again (sessions last hours). */
const EXPIRY_SLACK_MS = 60_000;
const KNOWN_SESSIONS_MAX = 50_000;
/**
 * A session read or written less than this ago is given from memory (the
 * default of `freshMs`): a page and the requests it makes at once (fragments,
 * the badge, a vote) read the store once. Another instance's change (a
 * sign-out there) is seen after at most this long; this instance's own at once.
 */
const SESSION_FRESH_MS = 2_000;

export class DatabaseSessionStore extends session.Store {
  readonly #logger: Logger;
  readonly #fallbackTtlMs: number;
  readonly #timer: NodeJS.Timeout | undefined;
  /**
   * What this instance last read or wrote of each session. A session whose
   * data is unchanged and whose expiry moves by less than a minute is not
   * written again: most requests change nothing but the expiry, and a write
   * per page view was the costliest thing a page did on the embedded engine.
   */
  readonly #known = new Map<string, { data: string; expires: number; seenAt: number }>();
  /** Sessions ended so far: a read that one overtook keeps nothing in memory. */
  #ended = 0;
  readonly #freshMs: number;

  constructor(options: SessionStoreOptions) {
    super();
    this.#logger = options.logger;
    this.#freshMs = options.freshMs ?? SESSION_FRESH_MS;
    this.#fallbackTtlMs = options.fallbackTtlMs ?? 24 * 3600 * 1000;
    if (options.cleanupMinutes > 0) {
      this.#timer = setInterval(() => {
        void this.removeExpired().catch((err: unknown) =>
          this.#logger.warn({ err }, 'expired session cleanup failed'),
        );
      }, options.cleanupMinutes * 60_000);
      this.#timer.unref();
    }
  }

  override get(sid: string, callback: (err: unknown, session?: session.SessionData | null) => void): void {
    const known = this.#known.get(sid);
    const now = Date.now();
    if (known && now - known.seenAt < this.#freshMs && known.expires > now) {
      callback(null, JSON.parse(known.data) as session.SessionData);
      return;
    }
    const ended = this.#ended;
    Session.findById(sid)
      .lean()
      .then(
        (doc) => {
          if (!doc || doc.expires.getTime() <= Date.now()) return callback(null, null);
          if (ended !== this.#ended) {
            // A session was ended while this one was read: it may be this one.
            return void Session.exists({ _id: sid }).then(
              (still) => callback(null, still ? (JSON.parse(doc.data) as session.SessionData) : null),
              (err: unknown) => callback(err),
            );
          }
          this.#remember(sid, doc.data, doc.expires.getTime());
          callback(null, JSON.parse(doc.data) as session.SessionData);
        },
        (err: unknown) => callback(err),
      );
  }

  override set(sid: string, sess: session.SessionData, callback?: Callback): void {
    const doc = {
      _id: sid,
      data: JSON.stringify(sess),
      expires: expiryOf(sess, this.#fallbackTtlMs),
      user: userOf(sess),
    };
    const known = this.#known.get(sid);
    if (
      known &&
      known.data === doc.data &&
      Math.abs(doc.expires.getTime() - known.expires) < EXPIRY_SLACK_MS
    ) {
      callback?.();
      return;
    }
    Session.replaceOne({ _id: sid }, doc, { upsert: true }).then(
      () => {
        this.#remember(sid, doc.data, doc.expires.getTime());
        callback?.();
      },
      (err: unknown) => {
        if (responseStarted(sess)) {
          this.#logger.warn({ err }, 'session not saved: the database is unavailable');
          callback?.();
        } else callback?.(err);
      },
    );
  }

  override touch(sid: string, sess: session.SessionData, callback?: Callback): void {
    // Touching only extends the expiry; losing one during an outage is harmless.
    const expires = expiryOf(sess, this.#fallbackTtlMs);
    const known = this.#known.get(sid);
    if (known && Math.abs(expires.getTime() - known.expires) < EXPIRY_SLACK_MS) {
      callback?.();
      return;
    }
    Session.updateOne({ _id: sid }, { $set: { expires } }).then(
      () => {
        if (known) this.#remember(sid, known.data, expires.getTime());
        callback?.();
      },
      (err: unknown) => {
        this.#logger.warn({ err }, 'session expiry not extended: the database is unavailable');
        callback?.();
      },
    );
  }

  #remember(sid: string, data: string, expires: number): void {
    this.#known.delete(sid);
    this.#known.set(sid, { data, expires, seenAt: Date.now() });
    // Oldest first: forget the least recently seen sessions beyond the bound.
    while (this.#known.size > KNOWN_SESSIONS_MAX) this.#known.delete(this.#known.keys().next().value!);
  }

  override destroy(sid: string, callback?: Callback): void {
    this.#ended++;
    this.#known.delete(sid);
    Session.deleteOne({ _id: sid }).then(
      () => callback?.(),
      (err: unknown) => callback?.(err),
    );
  }

  /** A live session with its expiry, or null (sockets check their session again when it would end). */
  async read(sid: string): Promise<{ data: session.SessionData; expires: Date } | null> {
    const doc = await Session.findById(sid).lean();
    if (!doc || doc.expires.getTime() <= Date.now()) return null;
    return { data: JSON.parse(doc.data) as session.SessionData, expires: doc.expires };
  }

  /** Ends every session of a user (deactivation, password reset). Returns how many. */
  async destroyForUser(userId: string | Types.ObjectId, exceptSid?: string): Promise<number> {
    const filter: Record<string, unknown> = { user: new Types.ObjectId(String(userId)) };
    if (exceptSid) filter._id = op({ $ne: exceptSid });
    const user = String(userId);
    const forget = () => {
      for (const [sid, known] of this.#known)
        if (
          sid !== exceptSid &&
          (JSON.parse(known.data) as { passport?: { user?: unknown } }).passport?.user === user
        )
          this.#known.delete(sid);
    };
    // Forgotten before and after: no read in between gives a session being ended.
    this.#ended++;
    forget();
    const result = await Session.deleteMany(filter);
    forget();
    return result.deletedCount;
  }

  async removeExpired(now = new Date()): Promise<number> {
    const result = await Session.deleteMany({ expires: op({ $lte: now }) });
    return result.deletedCount;
  }

  /** Stops the cleanup interval (the database connection belongs to the app). */
  close(): void {
    if (this.#timer) clearInterval(this.#timer);
  }
}
