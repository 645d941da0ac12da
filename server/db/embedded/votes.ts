import { Vote } from '../../../models/vote.ts';
import type { VoteChange, VoteSubject, VotesRepo, VoteValue } from '../../votes/votes.repo.ts';
import { inLane } from './write-lanes.ts';

const storedValue = (doc: { value?: number } | null | undefined): VoteValue => (doc?.value ?? 0) as VoteValue;

/**
 * Votes on the embedded engine, which reads a whole collection for any filter
 * but a plain `_id`: the vote is read by its id, the change decided here and
 * written by its id. The decisions on one vote run one at a time (this
 * process is the engine's only writer), so none is based on a stale read.
 */
export class EmbeddedVotesRepo implements VotesRepo {
  set(subject: VoteSubject, value: VoteValue, at: Date): Promise<VoteChange> {
    return inLane(`vote:${subject.id}`, async () => {
      const existing = await Vote.findById(subject.id, { value: 1 }).lean();
      const previous = storedValue(existing);
      if (previous === value) return { previous, changed: false };
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
      return { previous, changed: true };
    });
  }

  async valueOf(id: string): Promise<VoteValue> {
    return storedValue(await Vote.findById(id, { value: 1 }).lean());
  }
}
