import type { ClientRateLimitInfo, Options, Store } from 'express-rate-limit';
import { RateLimitCounter } from '../../models/rate-limit-counter.ts';
import { op } from '../db/query.ts';

/**
 * express-rate-limit store in the database, so every app instance counts the
 * same attempts. A counter is one document per key (looked up by id) that
 * restarts when its window has passed.
 */
export class DatabaseRateLimitStore implements Store {
  windowMs = 60_000;
  readonly prefix: string;
  readonly localKeys = false;

  constructor(prefix: string) {
    this.prefix = prefix;
  }

  init(options: Options): void {
    this.windowMs = options.windowMs;
  }

  #id(key: string): string {
    return `${this.prefix}:${key}`;
  }

  async get(key: string): Promise<ClientRateLimitInfo | undefined> {
    const doc = await RateLimitCounter.findById(this.#id(key)).lean();
    if (!doc || doc.resetAt.getTime() <= Date.now()) return undefined;
    return { totalHits: doc.hits, resetTime: doc.resetAt };
  }

  async increment(key: string): Promise<ClientRateLimitInfo> {
    const id = this.#id(key);
    const now = new Date();
    const current = await RateLimitCounter.findOneAndUpdate(
      { _id: id, resetAt: op({ $gt: now }) },
      { $inc: { hits: 1 } },
      { returnDocument: 'after' },
    ).lean();
    if (current) return { totalHits: current.hits, resetTime: current.resetAt };
    const resetAt = new Date(now.getTime() + this.windowMs);
    const fresh = await RateLimitCounter.findOneAndUpdate(
      { _id: id },
      { $set: { hits: 1, resetAt } },
      { returnDocument: 'after', upsert: true },
    ).lean();
    return { totalHits: fresh?.hits ?? 1, resetTime: fresh?.resetAt ?? resetAt };
  }

  async decrement(key: string): Promise<void> {
    await RateLimitCounter.updateOne({ _id: this.#id(key), hits: op({ $gt: 0 }) }, { $inc: { hits: -1 } });
  }

  async resetKey(key: string): Promise<void> {
    await RateLimitCounter.deleteOne({ _id: this.#id(key) });
  }

  /** Deletes counters whose window has passed (run on an interval). */
  static async removeExpired(now = new Date()): Promise<number> {
    const result = await RateLimitCounter.deleteMany({ resetAt: op({ $lte: now }) });
    return result.deletedCount;
  }
}
