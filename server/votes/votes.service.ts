import { type Model, Types } from 'mongoose';
import { Answer } from '../../models/answer.ts';
import { Post, type PostKind } from '../../models/post.ts';
import { Vote, type VoteTarget, voteId } from '../../models/vote.ts';
import type { SessionUser } from '../auth/session-user.ts';
import { ConflictError, NotFoundError } from '../core/errors.ts';
import type { EventBus } from '../core/events.ts';
import { op } from '../db/query.ts';
import './votes.events.ts';
import type { VotesRepo, VoteValue } from './votes.repo.ts';

export type { VoteValue } from './votes.repo.ts';

interface Target {
  type: VoteTarget;
  id: Types.ObjectId;
  postId: Types.ObjectId;
  postKind: PostKind;
  authorId: string;
  topicIds: string[];
}

export interface VoteOutcome {
  value: VoteValue;
  voteScore: number;
  upvotes: number;
  downvotes: number;
}

export interface DriftReport {
  checked: number;
  drifted: Array<{
    type: VoteTarget;
    id: string;
    stored: { voteScore: number; upvotes: number; downvotes: number };
    actual: { voteScore: number; upvotes: number; downvotes: number };
  }>;
  fixed: boolean;
}

interface VoteCounters {
  voteScore: number;
  upvotes: number;
  downvotes: number;
}

/** Posts and answers carry the same vote counters. */
function model(type: VoteTarget): Model<VoteCounters> {
  return (type === 'post' ? Post : Answer) as unknown as Model<VoteCounters>;
}

/**
 * Up and down votes on insights, tips, questions and answers. One vote per person and
 * item (the vote's id is the pair), never on one's own content; counters move
 * only when a vote is stored, changed or removed — so concurrent identical
 * requests move them once.
 */
export class VotesService {
  readonly #events: EventBus;
  readonly #votes: VotesRepo;
  readonly #clock: () => Date;

  constructor(events: EventBus, votes: VotesRepo, clock?: () => Date) {
    this.#events = events;
    this.#votes = votes;
    this.#clock = clock ?? (() => new Date());
  }

  async #target(type: VoteTarget, id: string): Promise<Target> {
    if (!/^[0-9a-f]{24}$/i.test(id)) throw new NotFoundError('votes.targetNotFound');
    const oid = new Types.ObjectId(id);
    if (type === 'post') {
      const post = await Post.findById(oid, { kind: 1, author: 1, deleted: 1, topics: 1 }).lean();
      if (!post || post.deleted) throw new NotFoundError('votes.targetNotFound');
      return {
        type,
        id: oid,
        postId: oid,
        postKind: post.kind as PostKind,
        authorId: String(post.author),
        topicIds: post.topics.map(String),
      };
    }
    const answer = await Answer.findById(oid, { author: 1, deleted: 1, post: 1 }).lean();
    if (!answer || answer.deleted) throw new NotFoundError('votes.targetNotFound');
    const post = await Post.findById(answer.post, { kind: 1, deleted: 1, topics: 1 }).lean();
    if (!post || post.deleted) throw new NotFoundError('votes.targetNotFound');
    return {
      type,
      id: oid,
      postId: answer.post,
      postKind: post.kind as PostKind,
      authorId: String(answer.author),
      topicIds: post.topics.map(String),
    };
  }

  async #counters(target: Target) {
    const doc = await model(target.type)
      .findById(target.id, { voteScore: 1, upvotes: 1, downvotes: 1 })
      .lean();
    return { voteScore: doc?.voteScore ?? 0, upvotes: doc?.upvotes ?? 0, downvotes: doc?.downvotes ?? 0 };
  }

  async #move(target: Target, from: VoteValue, to: VoteValue): Promise<void> {
    const inc = {
      voteScore: to - from,
      upvotes: (to === 1 ? 1 : 0) - (from === 1 ? 1 : 0),
      downvotes: (to === -1 ? 1 : 0) - (from === -1 ? 1 : 0),
    };
    await model(target.type).updateOne({ _id: target.id }, { $inc: inc });
  }

  /** Sets the voter's vote on an item: 1 up, -1 down, 0 to retract. */
  async vote(voter: SessionUser, type: VoteTarget, targetId: string, value: VoteValue): Promise<VoteOutcome> {
    const target = await this.#target(type, targetId);
    if (target.authorId === voter.id) throw new ConflictError('votes.notOwn');
    const id = voteId(voter.id, type, targetId);
    const now = this.#clock();
    const { previous, changed } = await this.#votes.set(
      {
        id,
        voter: voter.id,
        targetType: type,
        targetId: target.id,
        post: target.postId,
        author: target.authorId,
      },
      value,
      now,
    );

    if (changed) await this.#move(target, previous, value);
    const counters = await this.#counters(target);
    if (changed) {
      const common = {
        voteId: id,
        voterId: voter.id,
        targetType: type,
        targetId,
        postId: String(target.postId),
        postKind: target.postKind,
        authorId: target.authorId,
        voteScore: counters.voteScore,
        topicIds: target.topicIds,
        at: now,
      };
      if (value === 0)
        await this.#events.publish('vote.retracted', { ...common, previous: previous as 1 | -1 });
      else await this.#events.publish('vote.cast', { ...common, value, previous });
    }
    const mine = changed ? value : await this.#votes.valueOf(id);
    return { value: mine, ...counters };
  }

  /** The viewer's votes on a set of items (for showing which arrow is pressed). */
  async mine(voterId: string, items: Array<{ type: VoteTarget; id: string }>): Promise<Map<string, 1 | -1>> {
    const result = new Map<string, 1 | -1>();
    const ids = items.map((item) => voteId(voterId, item.type, item.id));
    const values = await this.#votes.valuesOf(ids);
    items.forEach((item, i) => {
      const value = values.get(ids[i]!);
      if (value) result.set(`${item.type}:${item.id}`, value);
    });
    return result;
  }

  /**
   * Recomputes every counter from the stored votes and reports the drift;
   * with `fix`, sets the counters to the recomputed values.
   */
  async reconcile(fix: boolean): Promise<DriftReport> {
    const totals = new Map<string, { voteScore: number; upvotes: number; downvotes: number }>();
    for await (const vote of Vote.find({}, { targetType: 1, targetId: 1, value: 1 }).lean().cursor()) {
      const key = `${vote.targetType}:${vote.targetId}`;
      const t = totals.get(key) ?? { voteScore: 0, upvotes: 0, downvotes: 0 };
      t.voteScore += vote.value;
      if (vote.value === 1) t.upvotes++;
      else t.downvotes++;
      totals.set(key, t);
    }
    const report: DriftReport = { checked: 0, drifted: [], fixed: fix };
    for (const type of ['post', 'answer'] as const) {
      const docs = await model(type)
        .find(
          {
            $or: [
              { voteScore: op({ $ne: 0 }) },
              { upvotes: op({ $ne: 0 }) },
              { downvotes: op({ $ne: 0 }) },
              {
                _id: op({
                  $in: [...totals.keys()]
                    .filter((k) => k.startsWith(`${type}:`))
                    .map((k) => new Types.ObjectId(k.split(':')[1])),
                }),
              },
            ],
          },
          { voteScore: 1, upvotes: 1, downvotes: 1 },
        )
        .lean();
      for (const doc of docs) {
        report.checked++;
        const actual = totals.get(`${type}:${doc._id}`) ?? { voteScore: 0, upvotes: 0, downvotes: 0 };
        const stored = {
          voteScore: doc.voteScore ?? 0,
          upvotes: doc.upvotes ?? 0,
          downvotes: doc.downvotes ?? 0,
        };
        if (
          stored.voteScore !== actual.voteScore ||
          stored.upvotes !== actual.upvotes ||
          stored.downvotes !== actual.downvotes
        ) {
          report.drifted.push({ type, id: String(doc._id), stored, actual });
          if (fix) await model(type).updateOne({ _id: doc._id }, { $set: actual });
        }
      }
    }
    return report;
  }
}
