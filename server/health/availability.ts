import type { NextFunction, Request, Response } from 'express';
import mongoose from 'mongoose';
import { ServiceUnavailableError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';

export type DatabaseState = 'up' | 'down';

/**
 * Once a request has been answered on its handler's behalf, what the handler
 * still writes when its database call returns is dropped: headers after the
 * answer, and writes after its end (either would throw, or emit an error no
 * one listens to, outside any request context).
 */
function muteAfterAnswer(res: Response): void {
  const setHeader = res.setHeader.bind(res);
  const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => Response;
  const write = res.write.bind(res) as (...args: unknown[]) => boolean;
  const end = res.end.bind(res) as (...args: unknown[]) => Response;
  res.setHeader = ((name: string, value: number | string | readonly string[]) =>
    res.headersSent ? res : setHeader(name, value)) as Response['setHeader'];
  res.writeHead = ((...args: unknown[]) =>
    res.headersSent ? res : writeHead(...args)) as Response['writeHead'];
  res.write = ((...args: unknown[]) => (res.writableEnded ? true : write(...args))) as Response['write'];
  res.end = ((...args: unknown[]) => (res.writableEnded ? res : end(...args))) as Response['end'];
}

/**
 * Whether this instance can serve: it is not stopping, and its database answers.
 *
 * The database is watched by a ping every `unresponsiveMs / 2` (at most one in
 * flight): a ping unanswered for `unresponsiveMs`, a failed ping or a dropped
 * connection makes it "down" until a ping answers again. While it is down,
 * readiness is red and requests are answered 503 at once instead of waiting
 * on a database that does not answer (a write refused this way never reaches
 * it), and the requests already waiting when it stops answering are answered
 * 503 then, saying that what they were saving may or may not have been saved
 * (the database may apply it when it answers again). Without `watch()`
 * (tests, scripts) the database counts as up and readiness pings it itself.
 */
export class Availability {
  readonly #logger: Logger | undefined;
  readonly #unresponsiveMs: number;
  #state: DatabaseState = 'up';
  #stopping = false;
  #timer: NodeJS.Timeout | undefined;
  readonly #intervalMs: number;
  #lastTick: number | undefined;
  /** When the ping in flight was sent (undefined: none in flight). */
  #pingSentAt: number | undefined;
  /** Requests being served, with the function that answers one of them 503. */
  readonly #inFlight = new Map<Response, () => void>();

  constructor(options: { unresponsiveMs: number; logger?: Logger }) {
    this.#unresponsiveMs = options.unresponsiveMs;
    this.#intervalMs = Math.max(100, Math.floor(options.unresponsiveMs / 2));
    this.#logger = options.logger;
  }

  get watching(): boolean {
    return this.#timer !== undefined;
  }

  get stopping(): boolean {
    return this.#stopping;
  }

  get database(): DatabaseState {
    return this.#state;
  }

  /** Starts watching the database. */
  watch(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => this.#tick(), this.#intervalMs);
    this.#timer.unref();
    this.#tick();
  }

  /** Readiness turns red: the instance is shutting down (load balancers stop sending). */
  markStopping(): void {
    this.#stopping = true;
  }

  close(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #set(state: DatabaseState, reason: string): void {
    if (state === this.#state) return;
    this.#state = state;
    if (state === 'down') {
      this.#logger?.error(
        { reason, waiting: this.#inFlight.size },
        'the database does not answer: requests are answered 503',
      );
      for (const [res, answer] of [...this.#inFlight]) {
        this.#inFlight.delete(res);
        if (!res.headersSent) answer();
      }
    } else this.#logger?.info('the database answers again');
  }

  #tick(): void {
    const now = Date.now();
    // Time this process itself was too busy to run the tick (a long page on a
    // loaded machine) is not held against the database: its answer may be
    // waiting, unread, in the socket.
    const lag = this.#lastTick === undefined ? 0 : Math.max(0, now - this.#lastTick - this.#intervalMs);
    this.#lastTick = now;
    if (this.#pingSentAt !== undefined) {
      this.#pingSentAt += lag;
      // Decided after this turn's I/O has been read (a check-phase callback runs after the poll phase).
      setImmediate(() => {
        const waited = this.#pingSentAt === undefined ? 0 : Date.now() - this.#pingSentAt;
        if (waited >= this.#unresponsiveMs) this.#set('down', `no answer to a ping for ${waited} ms`);
      });
      return;
    }
    const db = mongoose.connection.db;
    if (!db || mongoose.connection.readyState !== mongoose.ConnectionStates.connected) {
      this.#set('down', 'not connected');
      return;
    }
    this.#pingSentAt = now;
    db.command({ ping: 1 }).then(
      () => {
        this.#pingSentAt = undefined;
        this.#set('up', 'ping answered');
      },
      (err: unknown) => {
        this.#pingSentAt = undefined;
        this.#set('down', (err as Error).message);
      },
    );
  }

  /**
   * Answers 503 at once while the watched database does not answer, and the
   * requests waiting when it stops answering (health probes and static files
   * are mounted before it). A request answered this way is marked
   * `res.locals.abandoned`: what its handler does afterwards is dropped.
   */
  middleware() {
    return (_req: Request, res: Response, next: NextFunction) => {
      if (this.#state === 'down') return next(new ServiceUnavailableError('errors.unavailable.database'));
      if (this.#timer) {
        this.#inFlight.set(res, () => {
          res.locals.abandoned = true;
          muteAfterAnswer(res);
          // The error handlers that follow this middleware answer it (the route's own work is still pending).
          next(new ServiceUnavailableError('errors.unavailable.databaseLate'));
        });
        // 'close' follows every response: finished, or its connection gone.
        res.once('close', () => this.#inFlight.delete(res));
      }
      next();
    };
  }
}
