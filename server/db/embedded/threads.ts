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
import { findByIds } from '../query.ts';
import type { Mirror, MirrorDoc, MirroredCollection } from './mirror.ts';
import { inLane } from './write-lanes.ts';

const OBJECT_ID = /^[0-9a-f]{24}$/i;
const NOT_ACCEPTED = { accepted: false, acceptedAt: null, acceptedBy: null };

const answerById = async (id: unknown) =>
  OBJECT_ID.test(String(id)) ? ((await Answer.findById(String(id)).lean()) as AnswerRow | null) : null;

const time = (d: unknown) => (d instanceof Date ? d.getTime() : new Date(String(d)).getTime());
const byTime = (a: { createdAt?: unknown; _id: unknown }, b: { createdAt?: unknown; _id: unknown }) =>
  time(a.createdAt) - time(b.createdAt) || (String(a._id) < String(b._id) ? -1 : 1);

const THREADS_KEPT = 2_000;

/**
 * The answers or comments of the posts read lately, whole (text included),
 * most recently read kept; a post's entry is dropped as soon as one of its
 * answers or comments is written (the mirror hears every write of this
 * process, the engine's only writer). A post page read again costs no engine
 * lookup per answer and comment.
 */
class RecentThreads<T> {
  readonly #kept = new Map<string, Promise<T[]>>();

  forget(postId: string): void {
    this.#kept.delete(postId);
  }

  read(postId: string, load: () => Promise<T[]>): Promise<T[]> {
    const known = this.#kept.get(postId);
    if (known) {
      this.#kept.delete(postId);
      this.#kept.set(postId, known);
      return known.then((list) => [...list]);
    }
    const loading = load();
    if (this.#kept.size >= THREADS_KEPT) this.#kept.delete(this.#kept.keys().next().value!);
    this.#kept.set(postId, loading);
    // A failed read is not kept; a write during the read has dropped this entry already.
    loading.catch(() => {
      if (this.#kept.get(postId) === loading) this.#kept.delete(postId);
    });
    return loading.then((list) => [...list]);
  }
}

/**
 * A mirrored collection's documents grouped by a key (the post they belong to,
 * the item they comment), kept current from the mirror. A group is a plain
 * array: groups are small, and a hundred thousand Maps would cost more than
 * the documents they hold.
 */
class Groups {
  readonly #groups = new Map<string, MirrorDoc[]>();

  constructor(
    collection: MirroredCollection,
    keyOf: (doc: MirrorDoc) => string | undefined,
    changed?: (key: string) => void,
  ) {
    collection.onChange((id, doc, previous) => {
      const was = previous && keyOf(previous);
      const now = doc && keyOf(doc);
      if (was) {
        changed?.(was);
        const group = this.#groups.get(was);
        const at = group ? group.findIndex((d) => String(d._id) === id) : -1;
        if (at >= 0) group!.splice(at, 1);
        if (group?.length === 0) this.#groups.delete(was);
      }
      if (now) {
        if (now !== was) changed?.(now);
        const group = this.#groups.get(now);
        if (group) group.push(doc!);
        else this.#groups.set(now, [doc!]);
      }
    });
  }

  docs(key: string): readonly MirrorDoc[] {
    return this.#groups.get(key) ?? [];
  }

  ids(key: string): string[] {
    return this.docs(key).map((d) => String(d._id));
  }
}

const byPost = (doc: MirrorDoc) => (doc.post ? String(doc.post) : undefined);
/** Comments on items outside posts (KB articles: no `post`), by `targetType:targetId`. */
const byItem = (doc: MirrorDoc) =>
  !doc.post && doc.targetId ? `${String(doc.targetType)}:${String(doc.targetId)}` : undefined;

/**
 * Threads on the embedded engine: which answers, comments and confirmations
 * belong to each post is held in memory (a few fields each); the answers and
 * comments themselves, with their text, are read by `_id`.
 */
export class EmbeddedThreadsRepo implements ThreadsRepo {
  readonly #ready: () => Promise<void>;
  readonly #posts: MirroredCollection;
  readonly #answers: Groups;
  readonly #comments: Groups;
  readonly #confirmations: Groups;
  readonly #itemComments: Groups;
  readonly #recentAnswers = new RecentThreads<AnswerRow>();
  readonly #answerDocs: MirroredCollection;
  readonly #recentComments = new RecentThreads<CommentRow>();

  constructor(mirror: Mirror) {
    this.#ready = () => mirror.ready();
    this.#posts = mirror.track(Post as never);
    // Held: what groups answers by post, and what a search result shows of one.
    this.#answerDocs = mirror.track(Answer as never, [
      'post',
      'author',
      'createdAt',
      'voteScore',
      'accepted',
    ]);
    this.#answers = new Groups(this.#answerDocs, byPost, (post) => this.#recentAnswers.forget(post));
    const comments = mirror.track(Comment as never, ['post', 'createdAt', 'targetType', 'targetId']);
    this.#comments = new Groups(comments, byPost, (post) => this.#recentComments.forget(post));
    this.#itemComments = new Groups(comments, byItem);
    this.#confirmations = new Groups(
      mirror.track(Confirmation as never, ['post', 'user', 'createdAt']),
      byPost,
    );
  }

  async answerFacts(ids: string[]): Promise<AnswerFacts[]> {
    await this.#ready();
    const out: AnswerFacts[] = [];
    for (const id of new Set(ids)) {
      const answer = this.#answerDocs.get(id);
      if (answer)
        out.push({
          id,
          postId: String(answer.post),
          authorId: String(answer.author),
          voteScore: Number(answer.voteScore ?? 0),
          accepted: answer.accepted === true,
        });
    }
    return out;
  }

  async answersOf(postId: string): Promise<AnswerRow[]> {
    await this.#ready();
    return this.#recentAnswers.read(postId, async () => {
      const ids = this.#answers.ids(postId);
      return ((await findByIds(Answer, ids)) as AnswerRow[]).sort(byTime);
    });
  }

  async commentsOf(postId: string): Promise<CommentRow[]> {
    await this.#ready();
    return this.#recentComments.read(postId, async () => {
      const ids = this.#comments.ids(postId);
      return ((await findByIds(Comment, ids)) as CommentRow[]).sort(byTime);
    });
  }

  async commentsOnItem(targetType: CommentTarget, targetId: string): Promise<CommentRow[]> {
    await this.#ready();
    const ids = this.#itemComments.ids(`${targetType}:${targetId}`);
    return ((await findByIds(Comment, ids)) as CommentRow[]).sort(byTime);
  }

  async confirmersOf(postId: string) {
    await this.#ready();
    return [...this.#confirmations.docs(postId)]
      .sort(byTime)
      .map((c) => ({ user: c.user as Types.ObjectId, createdAt: c.createdAt as Date }));
  }

  async answerIdsOf(postId: string): Promise<string[]> {
    await this.#ready();
    return this.#answers.ids(postId);
  }

  /**
   * Conditional writes on a thread: the answer is read by `_id`, its question
   * is held in memory, the decision is taken here and every write names only
   * an `_id` (any other filter field makes the engine read the whole
   * collection). The decisions on one thread run one at a time.
   */
  async #inThread<T>(
    answerId: string,
    none: T,
    task: (answer: AnswerRow, question: MirrorDoc | undefined) => Promise<T>,
  ): Promise<T> {
    await this.#ready();
    const first = await answerById(answerId);
    if (!first) return none;
    return inLane(`thread:${String(first.post)}`, async () => {
      const answer = await answerById(answerId);
      return answer ? task(answer, this.#posts.get(answer.post)) : none;
    });
  }

  accept(answerId: string, by: string, at: Date): Promise<Acceptance> {
    const none: Acceptance = { accepted: false, unaccepted: [] };
    return this.#inThread(answerId, none, async (answer, question) => {
      if (answer.deleted || !question || question.kind !== 'question' || question.deleted) return none;
      const previous = question.acceptedAnswer ? String(question.acceptedAnswer) : null;
      if (answer.accepted && previous === answerId) return none;
      const unaccepted: AnswerRow[] = [];
      if (previous && previous !== answerId) {
        const was = await answerById(previous);
        if (was?.accepted) {
          await Answer.updateOne({ _id: was._id }, { $set: NOT_ACCEPTED });
          unaccepted.push(was);
        }
      }
      if (!answer.accepted)
        await Answer.updateOne(
          { _id: answer._id },
          { $set: { accepted: true, acceptedAt: at, acceptedBy: by } },
        );
      await Post.updateOne(
        { _id: answer.post },
        { $set: { acceptedAnswer: answer._id, lastActivityAt: at } },
      );
      return { accepted: !answer.accepted, unaccepted };
    });
  }

  async moveAnswers(fromPostId: string, toPostId: string): Promise<AnswerRow[]> {
    await this.#ready();
    if (!OBJECT_ID.test(fromPostId) || !OBJECT_ID.test(toPostId)) return [];
    return inLane(`thread:${fromPostId}`, async () => {
      const answers = ((await findByIds(Answer, this.#answers.ids(fromPostId))) as AnswerRow[]).sort(byTime);
      const moved = new Set(answers.map((a) => String(a._id)));
      const to = new Types.ObjectId(toPostId);
      // By `_id`, one at a time: the groups follow each write (copies, as they change meanwhile).
      for (const answer of answers) await Answer.updateOne({ _id: answer._id }, { $set: { post: to } });
      for (const comment of [...this.#comments.docs(fromPostId)])
        if (comment.targetType === 'answer' && moved.has(String(comment.targetId)))
          await Comment.updateOne({ _id: comment._id }, { $set: { post: to } });
      return answers;
    });
  }

  unaccept(answerId: string): Promise<AnswerRow | null> {
    return this.#inThread(answerId, null, async (answer, question) => {
      if (answer.accepted) await Answer.updateOne({ _id: answer._id }, { $set: NOT_ACCEPTED });
      if (question && String(question.acceptedAnswer) === answerId)
        await Post.updateOne({ _id: answer.post }, { $set: { acceptedAnswer: null } });
      return answer.accepted ? answer : null;
    });
  }

  deleteAnswer(answerId: string, deletion: Deletion): Promise<AnswerRow | null> {
    return this.#inThread(answerId, null, async (answer, question) => {
      if (answer.deleted) return null;
      await Answer.updateOne({ _id: answer._id }, { $set: { deleted: deletion, accepted: false } });
      await Post.updateOne(
        { _id: answer.post },
        {
          $inc: { answerCount: -1 },
          ...(question && String(question.acceptedAnswer) === answerId
            ? { $set: { acceptedAnswer: null } }
            : {}),
        },
      );
      return answer;
    });
  }

  reviseAnswer(answerId: string, from: number, fields: TextRevision): Promise<boolean> {
    return this.#inThread(answerId, false, async (answer) => {
      if (answer.deleted || (answer.revision ?? 1) !== from) return false;
      await Answer.updateOne(
        { _id: answer._id },
        { $set: { ...fields, revision: from + 1 }, $inc: { __v: 1 } },
      );
      return true;
    });
  }

  /** Conditional writes on a comment, decided on its document read by `_id`, one at a time. */
  #onComment<T>(commentId: string, none: T, task: (comment: CommentRow) => Promise<T>): Promise<T> {
    if (!OBJECT_ID.test(commentId)) return Promise.resolve(none);
    return inLane(`comment:${commentId}`, async () => {
      const comment = (await Comment.findById(commentId).lean()) as CommentRow | null;
      return comment ? task(comment) : none;
    });
  }

  deleteComment(commentId: string, deletion: Deletion): Promise<CommentRow | null> {
    return this.#onComment(commentId, null, async (comment) => {
      if (comment.deleted) return null;
      await Comment.updateOne({ _id: comment._id }, { $set: { deleted: deletion } });
      return comment;
    });
  }

  reviseComment(commentId: string, from: number, fields: TextRevision): Promise<boolean> {
    return this.#onComment(commentId, false, async (comment) => {
      if (comment.deleted || (comment.revision ?? 1) !== from) return false;
      await Comment.updateOne(
        { _id: comment._id },
        { $set: { ...fields, revision: from + 1 }, $inc: { __v: 1 } },
      );
      return true;
    });
  }
}
