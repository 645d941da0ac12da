import type { Types } from 'mongoose';
import type { AnswerFields } from '../../models/answer.ts';
import type { CommentFields, CommentTarget } from '../../models/comment.ts';
import type { Deletion } from './posts.repo.ts';

export type AnswerRow = AnswerFields & { _id: Types.ObjectId };
export type CommentRow = CommentFields & { _id: Types.ObjectId };

/** What a search result or an article's sources show of an answer. */
export interface AnswerFacts {
  id: string;
  /** Its question. */
  postId: string;
  authorId: string;
  voteScore: number;
  accepted: boolean;
}

/** What accepting an answer did. */
export interface Acceptance {
  /** Whether this call marked the answer accepted (false: it was already, or it cannot be). */
  accepted: boolean;
  /** The answers this call took the mark from, as they were (the question's previous one). */
  unaccepted: AnswerRow[];
}

/** A new revision of an answer or a comment: the fields it sets. */
export type TextRevision = Record<string, unknown>;

/**
 * What a thread is made of: a post's answers, its comments, who has seen it too.
 * Its writes are conditional ("unless already deleted", "if still at this
 * revision"): concurrent calls leave one consistent state.
 */
export interface ThreadsRepo {
  /** The ids of a post's answers (deleted ones too). */
  answerIdsOf(postId: string): Promise<string[]>;
  /**
   * Marks an answer accepted on its question (by `by`, at `at`), taking the
   * mark from the question's previous one: one accepted answer per question,
   * the question naming it. Nothing changes when the answer or its question
   * is deleted, or it is not a question's answer.
   */
  accept(answerId: string, by: string, at: Date): Promise<Acceptance>;
  /**
   * Moves every answer of a question (deleted ones too: they keep their place)
   * and the comments on them to another question: a merge. The moved answers
   * as they were, oldest first; the posts' counters are PostsRepo.shiftAnswers'.
   */
  moveAnswers(fromPostId: string, toPostId: string): Promise<AnswerRow[]>;
  /** Takes the accepted mark off an answer; the answer as it was, or null when it was not accepted. */
  unaccept(answerId: string): Promise<AnswerRow | null>;
  /**
   * Marks an answer deleted unless it is already: no longer accepted, no longer
   * counted by its post nor named as its accepted answer. The answer as it was
   * before, or null when this call changed nothing.
   */
  deleteAnswer(answerId: string, deletion: Deletion): Promise<AnswerRow | null>;
  /** Saves an answer's next revision if it is not deleted and still at revision `from`. */
  reviseAnswer(answerId: string, from: number, fields: TextRevision): Promise<boolean>;
  /** Marks a comment deleted unless it is already; the comment as it was, or null when this call changed nothing. */
  deleteComment(commentId: string, deletion: Deletion): Promise<CommentRow | null>;
  /** Saves a comment's next revision if it is not deleted and still at revision `from`. */
  reviseComment(commentId: string, from: number, fields: TextRevision): Promise<boolean>;
  /** The answers of a post, oldest first (deleted ones too: pages keep their place). */
  answersOf(postId: string): Promise<AnswerRow[]>;
  /** The votes and accepted mark of answers by id (a page of search results), missing ones left out. */
  answerFacts(ids: string[]): Promise<AnswerFacts[]>;
  /** Every comment of a post's thread (on the post and on its answers), oldest first. */
  commentsOf(postId: string): Promise<CommentRow[]>;
  /** The comments on an item outside posts (a KB article), oldest first (deleted ones too). */
  commentsOnItem(targetType: CommentTarget, targetId: string): Promise<CommentRow[]>;
  /** Who has seen a case too, first ones first. */
  confirmersOf(postId: string): Promise<Array<{ user: Types.ObjectId; createdAt: Date }>>;
}
