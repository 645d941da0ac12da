import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { DatabaseRateLimitStore } from './auth/rate-limit-store.ts';
import type { Logger } from './core/logger.ts';
import type { Leases } from './db/leases.ts';
import type { Services } from './services.ts';

export const HOUSEKEEPING_LEASE = 'housekeeping';

/**
 * Scheduled work, every `intervalMs` (and at start), done by one instance of
 * several: spent rate-limit windows and expired password links deleted,
 * articles past their review date announced to knowledge managers, the
 * serial-voting check (points of vote runs from one voter to one author
 * reversed), expired daily caps removed.
 *
 * Each round takes the `housekeeping` lease for a little less than the
 * interval: the instance that took it keeps it round after round, the others
 * skip; if it stops (it gives the lease back) or dies (the lease expires),
 * another one takes over at its next round.
 */
export class Housekeeping {
  readonly holder: string;
  readonly #services: Services;
  readonly #leases: Leases;
  readonly #logger: Logger;
  readonly #intervalMs: number;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<unknown> | undefined;

  constructor(deps: {
    services: Services;
    leases: Leases;
    logger: Logger;
    intervalMs?: number;
    holder?: string;
  }) {
    this.#services = deps.services;
    this.#leases = deps.leases;
    this.#logger = deps.logger;
    this.#intervalMs = deps.intervalMs ?? 15 * 60_000;
    this.holder = deps.holder ?? `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  }

  /** One round: 'ran' when this instance held the lease and did the work, else 'skipped'. */
  async runOnce(now = new Date()): Promise<'ran' | 'skipped'> {
    const ttl = Math.max(1000, this.#intervalMs - Math.min(60_000, Math.floor(this.#intervalMs / 10)));
    if (!(await this.#leases.acquire(HOUSEKEEPING_LEASE, this.holder, ttl, now))) return 'skipped';
    const { auth, kb, scoring } = this.#services;
    await Promise.all([
      DatabaseRateLimitStore.removeExpired(),
      auth.removeExpiredResetLinks(),
      kb.announceOverdue(),
      scoring.checkSerialVoting(),
      scoring.removeExpiredCaps(),
    ]);
    return 'ran';
  }

  start(): void {
    const round = () => {
      this.#running ??= this.runOnce()
        .catch((err: unknown) => this.#logger.warn({ err }, 'housekeeping failed'))
        .finally(() => {
          this.#running = undefined;
        });
    };
    this.#timer = setInterval(round, this.#intervalMs);
    this.#timer.unref();
    round();
  }

  /**
   * Stops the rounds and gives the lease back. A round under way is not waited
   * for (at scale one can take longer than a shutdown may): each of its tasks
   * is idempotent, and the next round does what it left.
   */
  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#leases
      .release(HOUSEKEEPING_LEASE, this.holder)
      .catch((err: unknown) => this.#logger.warn({ err }, 'housekeeping lease not released'));
  }
}
