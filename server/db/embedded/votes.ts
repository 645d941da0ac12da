import { Vote } from '../../../models/vote.ts';
import type { VoteChange, VoteSubject, VotesRepo, VoteValue } from '../../votes/votes.repo.ts';
import { readByIds } from './by-id.ts';
import { inLane } from './write-lanes.ts';

const storedValue = (doc: { value?: number } | null | undefined): VoteValue => (doc?.value ?? 0) as VoteValue;

/** Votes whose value (0 included: no vote) is kept after a read or a write. */
const VOTES_KEPT = 100_000;

/**
 * Votes on the embedded engine, which reads a whole collection for any filter
 * but a plain `_id`: the vote is read by its id, the change decided here and
 * written by its id. The decisions on one vote run one at a time (this
 * process is the engine's only writer), so none is based on a stale read.
 *
 * The values read lately are kept (most recently used first out when full):
 * every vote is written through `set`, which updates what is kept, so a page
 * read again (a thread with fifty answers shows which arrows the reader
 * pressed) asks the engine nothing. A read that a write overtook keeps nothing.
 */
export class EmbeddedVotesRepo implements VotesRepo {
  readonly #kept = new Map<string, VoteValue>();
  /** Writes so far: a read started before a write does not keep what it read. */
  #writes = 0;

  #keep(id: string, value: VoteValue): void {
    this.#kept.delete(id);
    if (this.#kept.size >= VOTES_KEPT) this.#kept.delete(this.#kept.keys().next().value!);
    this.#kept.set(id, value);
  }

  set(subject: VoteSubject, value: VoteValue, at: Date): Promise<VoteChange> {
    return inLane(`vote:${subject.id}`, async () => {
      const existing = await Vote.findById(subject.id, { value: 1 }).lean();
      const previous = storedValue(existing);
      if (previous === value) return { previous, changed: false };
      this.#writes++;
      // Forgotten first: a write that fails leaves the next read to the engine.
      this.#kept.delete(subject.id);
      if (value === 0) await Vote.deleteOne({ _id: subject.id });
      else if (existing)
        await Vote.updateOne({ _id: subject.id }, { $set: { value, updatedAt: at } }, { timestamps: false });
      else
        await Vote.create({
          _id: subject.id,
          voter: subject.voter,
          targetType: subject.targetType,
          targetId: subject.targetId,
          post: subject.post,
          author: subject.author,
          value,
          createdAt: at,
          updatedAt: at,
        });
      this.#writes++;
      this.#keep(subject.id, value);
      return { previous, changed: true };
    });
  }

  async valueOf(id: string): Promise<VoteValue> {
    return (await this.valuesOf([id])).get(id) ?? 0;
  }

  async valuesOf(ids: readonly string[]): Promise<Map<string, 1 | -1>> {
    const found = new Map<string, 1 | -1>();
    const missing: string[] = [];
    for (const id of new Set(ids)) {
      const kept = this.#kept.get(id);
      if (kept === undefined) missing.push(id);
      else if (kept !== 0) found.set(id, kept);
    }
    if (missing.length === 0) return found;
    const writes = this.#writes;
    const docs = await readByIds<{ _id: string; value?: number }>(Vote as never, missing);
    const read = new Map(docs.map((d) => [String(d._id), storedValue(d)]));
    for (const id of missing) {
      const value = read.get(id) ?? 0;
      if (value !== 0) found.set(id, value);
      if (this.#writes === writes) this.#keep(id, value);
    }
    return found;
  }
}
