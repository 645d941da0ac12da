import type { Types } from 'mongoose';
import type { AnswerFields } from '../../models/answer.ts';
import type { CommentFields } from '../../models/comment.ts';

export type AnswerRow = AnswerFields & { _id: Types.ObjectId };
export type CommentRow = CommentFields & { _id: Types.ObjectId };

/** What a thread is made of: a post's answers, its comments, who has seen it too. */
export interface ThreadsRepo {
  /** The answers of a post, oldest first (deleted ones too: pages keep their place). */
  answersOf(postId: string): Promise<AnswerRow[]>;
  /** Every comment of a post's thread (on the post and on its answers), oldest first. */
  commentsOf(postId: string): Promise<CommentRow[]>;
  /** Who has seen a case too, first ones first. */
  confirmersOf(postId: string): Promise<Array<{ user: Types.ObjectId; createdAt: Date }>>;
}
