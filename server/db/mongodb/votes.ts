import { Vote } from '../../../models/vote.ts';
import type { VoteChange, VoteSubject, VotesRepo, VoteValue } from '../../votes/votes.repo.ts';
import { op } from '../query.ts';

const storedValue = (doc: { value?: number } | null | undefined): VoteValue => (doc?.value ?? 0) as VoteValue;

/** Votes on MongoDB: each change one atomic operation on the vote's id. */
export class MongoVotesRepo implements VotesRepo {
  async set(subject: VoteSubject, value: VoteValue, at: Date): Promise<VoteChange> {
    if (value === 0) {
      const removed = await Vote.findOneAndDelete({ _id: subject.id }).lean();
      return { previous: storedValue(removed), changed: removed !== null };
    }
    // Matches only a vote with another value: a vote already so is left as it is.
    const upsert = () =>
      Vote.findOneAndUpdate(
        { _id: subject.id, value: op({ $ne: value }) },
        {
          $set: { value, updatedAt: at },
          $setOnInsert: {
            voter: subject.voter,
            targetType: subject.targetType,
            targetId: subject.targetId,
            post: subject.post,
            author: subject.author,
            createdAt: at,
          },
        },
        { upsert: true, returnDocument: 'before', timestamps: false },
      ).lean();
    for (let attempt = 1; ; attempt++) {
      try {
        return { previous: storedValue(await upsert()), changed: true };
      } catch (err) {
        if ((err as { code?: number }).code !== 11000 || attempt === 3) throw err;
        // The vote exists with this value already (the upsert tried to insert it),
        // or a concurrent first vote inserted it since: then this one is a change.
        if ((await this.valueOf(subject.id)) === value) return { previous: value, changed: false };
      }
    }
  }

  async valueOf(id: string): Promise<VoteValue> {
    return storedValue(await Vote.findById(id, { value: 1 }).lean());
  }

  async valuesOf(ids: readonly string[]): Promise<Map<string, 1 | -1>> {
    const found = new Map<string, 1 | -1>();
    if (ids.length === 0) return found;
    const docs = await Vote.find({ _id: op({ $in: [...new Set(ids)] }) }, { value: 1 }).lean();
    for (const doc of docs) if (doc.value === 1 || doc.value === -1) found.set(String(doc._id), doc.value);
    return found;
  }
}
