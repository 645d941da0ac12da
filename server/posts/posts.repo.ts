import { Types } from 'mongoose';
import type { PostFields, PostKind } from '../../models/post.ts';

/** A post as lists read it (the card document; its text lives in PostContent). Never mutate one. */
export type PostRow = Readonly<PostFields> & { readonly _id: Types.ObjectId };

export type FeedOrder = 'newest' | 'active' | 'top';

/** The sort fields of each order, most significant first; `_id` breaks ties. */
export const ORDER_FIELDS = {
  newest: ['createdAt', '_id'],
  active: ['lastActivityAt', '_id'],
  top: ['voteScore', 'confirmations', 'createdAt', '_id'],
} as const satisfies Record<FeedOrder, readonly string[]>;

/** "Any of these": a post in one of the topics, by one of the people, or of the team. */
export interface PostMatch {
  topics?: string[];
  authors?: string[];
  team?: string;
}

/** A page of a feed, in domain terms. Deleted posts are never listed. */
export interface FeedSpec {
  kind?: PostKind;
  /** Questions without answers. */
  unanswered?: boolean;
  /** In any of these topics (the caller expands a topic to its subtree). */
  topics?: string[];
  tag?: string;
  author?: string;
  team?: string;
  /** Posted at or after this time (the "top of the week" window). */
  since?: Date;
  anyOf?: PostMatch;
  noneOf?: PostMatch;
  order: FeedOrder;
  /** The sort values of the previous page's last post (dates as milliseconds, `_id` as hex). */
  after?: Array<number | string>;
  limit: number;
}

/** Who deleted something, when and why (a soft deletion: the document stays). */
export interface Deletion {
  at: Date;
  by: string;
  reason: string;
}

/** A question closed as a duplicate: of which question, by whom, when, and whether its answers moved there. */
export interface Duplicate {
  of: string;
  by: string;
  at: Date;
  merged: boolean;
}

/** A duplicate as the post stores it. */
export function duplicateDocument(duplicate: Duplicate) {
  return {
    post: new Types.ObjectId(duplicate.of),
    by: new Types.ObjectId(duplicate.by),
    at: duplicate.at,
    merged: duplicate.merged,
  };
}

/** A new revision of a post: its card fields and its text document (PostContent). */
export interface PostRevision {
  card: Partial<
    Pick<
      PostFields,
      | 'title'
      | 'excerpt'
      | 'topics'
      | 'tags'
      | 'channel'
      | 'attachmentCount'
      | 'hasImage'
      | 'editedAt'
      | 'lastActivityAt'
      | 'contentHash'
    >
  >;
  content: Record<string, unknown>;
}

/** The posts aggregate's storage. */
export interface PostsRepo {
  /**
   * Saves a post's next revision if it is still at revision `from` (the one
   * the editor started from): its revision becomes `from + 1`. False, and
   * nothing written, when the post is missing or someone saved another
   * revision meanwhile.
   */
  revise(postId: string, from: number, revision: PostRevision): Promise<boolean>;
  /** Marks a post deleted unless it is already; whether this call did. */
  markDeleted(postId: string, deletion: Deletion): Promise<boolean>;
  /**
   * Closes a question as a duplicate unless it is deleted or closed already;
   * whether this call did.
   */
  markDuplicate(postId: string, duplicate: Duplicate): Promise<boolean>;
  /** Reopens a question closed as a duplicate (never a merged one); whether this call did. */
  reopen(postId: string): Promise<boolean>;
  /**
   * The counters of a merge: `live` answers (not deleted) leave `from`, which
   * keeps no accepted answer, and join `to`, which takes `accepted` as its
   * accepted answer when it has none (and is active at `at`).
   */
  shiftAnswers(from: string, to: string, live: number, accepted: string | null, at: Date): Promise<void>;
  /** Up to `limit` posts of a feed after the cursor, in the order asked. */
  feed(spec: FeedSpec): Promise<PostRow[]>;
  /** Listed posts by id, in the order given; missing and deleted ones left out. */
  listed(ids: string[]): Promise<PostRow[]>;
  /** Posts published after `since`, oldest first (what a reconnecting feed missed). */
  createdSince(since: Date, limit: number): Promise<PostRow[]>;
  /**
   * The ids of the posts a person saved, most recently saved first: `limit`
   * of them after skipping `skip` (a page of the bookmarks list).
   */
  bookmarked(userId: string, skip: number, limit: number): Promise<string[]>;
  /** Adds views to posts (post id → views to add); missing posts are skipped. */
  addViews(counts: ReadonlyMap<string, number>): Promise<void>;
}

/** The sort values of a post in an order (what a cursor carries). */
export function sortValues(order: FeedOrder, post: PostRow): Array<number | string> {
  return ORDER_FIELDS[order].map((field) => {
    const value = (post as unknown as Record<string, unknown>)[field];
    if (value instanceof Date) return value.getTime();
    if (field === '_id') return String(value);
    return Number(value ?? 0);
  });
}
