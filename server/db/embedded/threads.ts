import type { Types } from 'mongoose';
import { Answer } from '../../../models/answer.ts';
import { Comment } from '../../../models/comment.ts';
import { Confirmation } from '../../../models/confirmation.ts';
import type { AnswerRow, CommentRow, ThreadsRepo } from '../../posts/threads.repo.ts';
import { findByIds } from '../query.ts';
import type { Mirror, MirrorDoc, MirroredCollection } from './mirror.ts';

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

/** Ids grouped by the post they belong to, kept current from a mirrored collection. */
function groupByPost(
  collection: MirroredCollection,
  changed?: (postId: string) => void,
): Map<string, Map<string, MirrorDoc>> {
  const groups = new Map<string, Map<string, MirrorDoc>>();
  collection.onChange((id, doc, previous) => {
    if (changed) {
      if (previous?.post) changed(String(previous.post));
      if (doc?.post) changed(String(doc.post));
    }
    if (previous?.post) groups.get(String(previous.post))?.delete(id);
    if (doc?.post) {
      const key = String(doc.post);
      let group = groups.get(key);
      if (!group) {
        group = new Map();
        groups.set(key, group);
      }
      group.set(id, doc);
    }
  });
  return groups;
}

/**
 * Threads on the embedded engine: which answers, comments and confirmations
 * belong to each post is held in memory (a few fields each); the answers and
 * comments themselves, with their text, are read by `_id`.
 */
export class EmbeddedThreadsRepo implements ThreadsRepo {
  readonly #ready: () => Promise<void>;
  readonly #answers: Map<string, Map<string, MirrorDoc>>;
  readonly #comments: Map<string, Map<string, MirrorDoc>>;
  readonly #confirmations: Map<string, Map<string, MirrorDoc>>;
  readonly #recentAnswers = new RecentThreads<AnswerRow>();
  readonly #recentComments = new RecentThreads<CommentRow>();

  constructor(mirror: Mirror) {
    this.#ready = () => mirror.ready();
    this.#answers = groupByPost(mirror.track(Answer as never, ['post', 'createdAt']), (post) =>
      this.#recentAnswers.forget(post),
    );
    this.#comments = groupByPost(mirror.track(Comment as never, ['post', 'createdAt']), (post) =>
      this.#recentComments.forget(post),
    );
    this.#confirmations = groupByPost(mirror.track(Confirmation as never, ['post', 'user', 'createdAt']));
  }

  async answersOf(postId: string): Promise<AnswerRow[]> {
    await this.#ready();
    return this.#recentAnswers.read(postId, async () => {
      const ids = [...(this.#answers.get(postId)?.keys() ?? [])];
      return ((await findByIds(Answer, ids)) as AnswerRow[]).sort(byTime);
    });
  }

  async commentsOf(postId: string): Promise<CommentRow[]> {
    await this.#ready();
    return this.#recentComments.read(postId, async () => {
      const ids = [...(this.#comments.get(postId)?.keys() ?? [])];
      return ((await findByIds(Comment, ids)) as CommentRow[]).sort(byTime);
    });
  }

  async confirmersOf(postId: string) {
    await this.#ready();
    return [...(this.#confirmations.get(postId)?.values() ?? [])]
      .sort(byTime)
      .map((c) => ({ user: c.user as Types.ObjectId, createdAt: c.createdAt as Date }));
  }
}
