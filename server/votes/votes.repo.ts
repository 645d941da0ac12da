import type { Types } from 'mongoose';
import type { VoteTarget } from '../../models/vote.ts';

/** 1 up, -1 down, 0 none. */
export type VoteValue = 1 | -1 | 0;

/** The item a vote is on, as a new vote records it. */
export interface VoteSubject {
  /** The vote's id: one per person and item (`voteId`). */
  id: string;
  voter: string;
  targetType: VoteTarget;
  targetId: Types.ObjectId;
  /** The post of the thread (the post itself, or the answer's question). */
  post: Types.ObjectId;
  /** The author of the item. */
  author: string;
}

/** What setting a vote did. */
export interface VoteChange {
  /** The person's vote on the item before this call. */
  previous: VoteValue;
  /** Whether this call stored, changed or removed it (false: it was already so). */
  changed: boolean;
}

/** People's votes: one per person and item, set whatever arrives concurrently. */
export interface VotesRepo {
  /**
   * Sets a person's vote on an item (0 removes it) and returns the value it
   * had before. Concurrent calls are applied one after the other: each sees
   * the value the previous one left, so counters moved by the differences stay exact.
   */
  set(subject: VoteSubject, value: VoteValue, at: Date): Promise<VoteChange>;
  /** A person's vote on an item, by the vote's id (0: none). */
  valueOf(id: string): Promise<VoteValue>;
  /** People's votes by the votes' ids, those that exist (a vote of 0 is no vote). */
  valuesOf(ids: readonly string[]): Promise<Map<string, 1 | -1>>;
}
