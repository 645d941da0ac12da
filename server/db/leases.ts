import { Lease } from '../../models/lease.ts';
import { op } from './query.ts';

/**
 * Leases on named pieces of work, shared by every app instance of one database.
 *
 * Taking one is a single atomic upsert by `_id`: it matches the job's lease
 * only when it has expired or is already ours, and updates it to us; when
 * another holder's lease is live the filter matches nothing, the upsert tries
 * to insert a second document with the same `_id`, and the unique `_id`
 * refuses it (E11000): the lease is not ours. Two instances asking at the
 * same moment cannot both get it.
 */
export class Leases {
  /** True when `holder` now holds `name` until `now + ttlMs`. */
  async acquire(name: string, holder: string, ttlMs: number, now = new Date()): Promise<boolean> {
    try {
      const lease = await Lease.findOneAndUpdate(
        { _id: name, $or: [{ until: op({ $lte: now }) }, { holder }] },
        { $set: { holder, until: new Date(now.getTime() + ttlMs) } },
        { upsert: true, returnDocument: 'after' },
      ).lean();
      return lease?.holder === holder;
    } catch (err) {
      if ((err as { code?: number }).code === 11000) return false;
      throw err;
    }
  }

  /** Gives a lease back (a stopping instance), so that another takes it without waiting for it to expire. */
  async release(name: string, holder: string): Promise<void> {
    await Lease.deleteOne({ _id: name, holder });
  }

  async holderOf(name: string, now = new Date()): Promise<string | null> {
    const lease = await Lease.findById(name).lean();
    return lease && lease.until > now ? lease.holder : null;
  }
}
