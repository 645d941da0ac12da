import type { ClientRateLimitInfo, Options, Store } from 'express-rate-limit';
import { RateLimitCounter } from '../../models/rate-limit-counter.ts';
import { op } from '../db/query.ts';

/**
 * express-rate-limit store in the database, so every app instance counts the
 * same attempts. A counter is one document per key and window (looked up by
 * id); a new window starts a new document, and passed ones are removed.
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

  /** The window a moment falls in: windows are fixed, one after the other, as in express-rate-limit's memory store. */
  #window(at = Date.now()): { id: (key: string) => string; resetAt: Date } {
    const index = Math.floor(at / this.windowMs);
    return {
      id: (key) => `${this.prefix}:${key}:${index}`,
      resetAt: new Date((index + 1) * this.windowMs),
    };
  }

  async get(key: string): Promise<ClientRateLimitInfo | undefined> {
    const window = this.#window();
    const doc = await RateLimitCounter.findById(window.id(key)).lean();
    if (!doc) return undefined;
    return { totalHits: doc.hits, resetTime: window.resetAt };
  }

  /**
   * Counts a hit with one atomic upsert by `_id` (the key and its window):
   * concurrent hits from several instances are all counted, and an `_id`
   * equality is what every engine answers from its primary key.
   */
  async increment(key: string): Promise<ClientRateLimitInfo> {
    const window = this.#window();
    const doc = await RateLimitCounter.findOneAndUpdate(
      { _id: window.id(key) },
      { $inc: { hits: 1 }, $setOnInsert: { resetAt: window.resetAt } },
      { returnDocument: 'after', upsert: true, setDefaultsOnInsert: false },
    ).lean();
    return { totalHits: doc?.hits ?? 1, resetTime: window.resetAt };
  }

  async decrement(key: string): Promise<void> {
    const id = this.#window().id(key);
    const after = await RateLimitCounter.findOneAndUpdate(
      { _id: id },
      { $inc: { hits: -1 } },
      { returnDocument: 'after' },
    ).lean();
    if (after && after.hits < 0) await RateLimitCounter.updateOne({ _id: id }, { $set: { hits: 0 } });
  }

  async resetKey(key: string): Promise<void> {
    await RateLimitCounter.deleteOne({ _id: this.#window().id(key) });
  }

  /** Deletes counters whose window has passed (run on an interval). */
  static async removeExpired(now = new Date()): Promise<number> {
    const result = await RateLimitCounter.deleteMany({ resetAt: op({ $lte: now }) });
    return result.deletedCount;
  }
}
