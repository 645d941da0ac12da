import { Types } from 'mongoose';
import { Answer } from '../../../models/answer.ts';
import { Comment, type CommentTarget } from '../../../models/comment.ts';
import { Confirmation } from '../../../models/confirmation.ts';
import { Post } from '../../../models/post.ts';
import type { Deletion } from '../../posts/posts.repo.ts';
import type {
  Acceptance,
  AnswerFacts,
  AnswerRow,
  CommentRow,
  TextRevision,
  ThreadsRepo,
} from '../../posts/threads.repo.ts';
import { op } from '../query.ts';

const OBJECT_ID = /^[0-9a-f]{24}$/i;
const oid = (id: string) => new Types.ObjectId(id);
const NOT_ACCEPTED = { accepted: false, acceptedAt: null, acceptedBy: null };

/**
 * Takes the mark off an answer if it has it (and, given `set`, only when set by
 * that acceptance: `{ before }` one older than it, `{ by }` that very one);
 * the answer as it was, or null.
 */
async function unmark(
  answerId: Types.ObjectId,
  set?: { before: number } | { by: number },
): Promise<AnswerRow | null> {
  const seq = !set ? {} : 'by' in set ? { acceptedSeq: set.by } : older(set.before);
  return (await Answer.findOneAndUpdate(
    { _id: answerId, accepted: true, ...seq },
    { $set: NOT_ACCEPTED },
    { returnDocument: 'before' },
  ).lean()) as AnswerRow | null;
}

/** An answer's mark set by an acceptance older than `seq` (or before acceptances were numbered). */
const older = (seq: number) => ({ $or: [{ acceptedSeq: null }, { acceptedSeq: op({ $lt: seq }) }] });

export class MongoThreadsRepo implements ThreadsRepo {
  async answerIdsOf(postId: string): Promise<string[]> {
    if (!OBJECT_ID.test(postId)) return [];
    return (await Answer.find({ post: oid(postId) }, { _id: 1 }).lean()).map((a) => String(a._id));
  }

  /**
   * The question's `acceptedAnswer` decides: it is swapped atomically, which
   * numbers the acceptance (`acceptSeq`); then the answers follow it, each flag
   * written only over an older acceptance's. An acceptance that finds another
   * one swapped the question again meanwhile takes back its own mark, so one
   * answer ends accepted, and each flag change is reported by the call that made it.
   */
  async accept(answerId: string, by: string, at: Date): Promise<Acceptance> {
    const none: Acceptance = { accepted: false, unaccepted: [] };
    if (!OBJECT_ID.test(answerId)) return none;
    const id = oid(answerId);
    const answer = await Answer.findById(id, { post: 1, deleted: 1 }).lean();
    if (!answer || answer.deleted) return none;
    const question = await Post.findOneAndUpdate(
      { _id: answer.post, kind: 'question', deleted: null, acceptedAnswer: op({ $ne: id }) },
      { $set: { acceptedAnswer: id, lastActivityAt: at }, $inc: { acceptSeq: 1 } },
      { returnDocument: 'before' },
    ).lean();
    if (!question) return none;
    const seq = (question.acceptSeq ?? 0) + 1;
    const previous = question.acceptedAnswer ?? null;
    const exists = await Answer.exists({ _id: id, deleted: null });
    if (!exists) {
      // Deleted meanwhile: the question gets its previous answer back.
      await Post.updateOne({ _id: answer.post, acceptedAnswer: id }, { $set: { acceptedAnswer: previous } });
      return none;
    }
    const marked = await Answer.findOneAndUpdate(
      { _id: id, deleted: null, ...older(seq) },
      { $set: { accepted: true, acceptedAt: at, acceptedBy: oid(by), acceptedSeq: seq } },
      { returnDocument: 'before' },
    ).lean();
    const unaccepted: AnswerRow[] = [];
    if (previous) {
      const was = await unmark(previous, { before: seq });
      if (was) unaccepted.push(was);
    }
    const now = await Post.findById(answer.post, { acceptedAnswer: 1 }).lean();
    if (!now?.acceptedAnswer?.equals(id)) {
      const was = await unmark(id, { by: seq });
      if (was) unaccepted.push(was);
    }
    // Already flagged (a mark not yet taken back): this call did not change it.
    return { accepted: Boolean(marked && !marked.accepted), unaccepted };
  }

  async unaccept(answerId: string): Promise<AnswerRow | null> {
    if (!OBJECT_ID.test(answerId)) return null;
    const id = oid(answerId);
    const was = await unmark(id);
    const post = was?.post ?? (await Answer.findById(id, { post: 1 }).lean())?.post;
    if (post) await Post.updateOne({ _id: post, acceptedAnswer: id }, { $set: { acceptedAnswer: null } });
    return was;
  }

  async deleteAnswer(answerId: string, deletion: Deletion): Promise<AnswerRow | null> {
    if (!OBJECT_ID.test(answerId)) return null;
    const id = oid(answerId);
    const was = (await Answer.findOneAndUpdate(
      { _id: id, deleted: null },
      { $set: { deleted: deletion, accepted: false } },
      { returnDocument: 'before' },
    ).lean()) as AnswerRow | null;
    if (!was) return null;
    await Post.updateOne({ _id: was.post }, { $inc: { answerCount: -1 } });
    if (was.accepted)
      await Post.updateOne({ _id: was.post, acceptedAnswer: id }, { $set: { acceptedAnswer: null } });
    return was;
  }

  async reviseAnswer(answerId: string, from: number, fields: TextRevision): Promise<boolean> {
    if (!OBJECT_ID.test(answerId)) return false;
    const saved = await Answer.updateOne(
      { _id: oid(answerId), revision: from, deleted: null },
      { $set: { ...fields, revision: from + 1 }, $inc: { __v: 1 } },
    );
    return saved.matchedCount === 1;
  }

  async deleteComment(commentId: string, deletion: Deletion): Promise<CommentRow | null> {
    if (!OBJECT_ID.test(commentId)) return null;
    return (await Comment.findOneAndUpdate(
      { _id: oid(commentId), deleted: null },
      { $set: { deleted: deletion } },
      { returnDocument: 'before' },
    ).lean()) as CommentRow | null;
  }

  async reviseComment(commentId: string, from: number, fields: TextRevision): Promise<boolean> {
    if (!OBJECT_ID.test(commentId)) return false;
    const saved = await Comment.updateOne(
      { _id: oid(commentId), revision: from, deleted: null },
      { $set: { ...fields, revision: from + 1 }, $inc: { __v: 1 } },
    );
    return saved.matchedCount === 1;
  }

  async moveAnswers(fromPostId: string, toPostId: string): Promise<AnswerRow[]> {
    if (!OBJECT_ID.test(fromPostId) || !OBJECT_ID.test(toPostId)) return [];
    const answers = (await Answer.find({ post: oid(fromPostId) })
      .sort({ createdAt: 1, _id: 1 })
      .lean()) as AnswerRow[];
    if (answers.length === 0) return [];
    const ids = answers.map((a) => a._id);
    await Answer.updateMany({ _id: op({ $in: ids }) }, { $set: { post: oid(toPostId) } });
    await Comment.updateMany(
      { post: oid(fromPostId), targetType: 'answer', targetId: op({ $in: ids }) },
      { $set: { post: oid(toPostId) } },
    );
    return answers;
  }

  async answerFacts(ids: string[]): Promise<AnswerFacts[]> {
    const wanted = [...new Set(ids.filter((id) => OBJECT_ID.test(id)))].map(oid);
    if (wanted.length === 0) return [];
    const rows = await Answer.find(
      { _id: op({ $in: wanted }) },
      { post: 1, author: 1, voteScore: 1, accepted: 1 },
    ).lean();
    return rows.map((a) => ({
      id: String(a._id),
      postId: String(a.post),
      authorId: String(a.author),
      voteScore: a.voteScore ?? 0,
      accepted: Boolean(a.accepted),
    }));
  }

  async answersOf(postId: string): Promise<AnswerRow[]> {
    if (!OBJECT_ID.test(postId)) return [];
    return (await Answer.find({ post: new Types.ObjectId(postId) })
      .sort({ createdAt: 1, _id: 1 })
      .lean()) as AnswerRow[];
  }

  async commentsOf(postId: string): Promise<CommentRow[]> {
    if (!OBJECT_ID.test(postId)) return [];
    return (await Comment.find({ post: new Types.ObjectId(postId) })
      .sort({ createdAt: 1, _id: 1 })
      .lean()) as CommentRow[];
  }

  async commentsOnItem(targetType: CommentTarget, targetId: string): Promise<CommentRow[]> {
    if (!OBJECT_ID.test(targetId)) return [];
    return (await Comment.find({ targetType, targetId: oid(targetId) })
      .sort({ createdAt: 1, _id: 1 })
      .lean()) as CommentRow[];
  }

  async confirmersOf(postId: string) {
    if (!OBJECT_ID.test(postId)) return [];
    return Confirmation.find({ post: new Types.ObjectId(postId) }, { user: 1, createdAt: 1 })
      .sort({ createdAt: 1, _id: 1 })
      .lean();
  }
}
