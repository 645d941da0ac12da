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

/** Ids grouped by the post they belong to, kept current from a mirrored collection. */
function groupByPost(collection: MirroredCollection): Map<string, Map<string, MirrorDoc>> {
  const groups = new Map<string, Map<string, MirrorDoc>>();
  collection.onChange((id, doc, previous) => {
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

  constructor(mirror: Mirror) {
    this.#ready = () => mirror.ready();
    this.#answers = groupByPost(mirror.track(Answer as never, ['post', 'createdAt']));
    this.#comments = groupByPost(mirror.track(Comment as never, ['post', 'createdAt']));
    this.#confirmations = groupByPost(mirror.track(Confirmation as never, ['post', 'user', 'createdAt']));
  }

  async answersOf(postId: string): Promise<AnswerRow[]> {
    await this.#ready();
    const ids = [...(this.#answers.get(postId)?.keys() ?? [])];
    return ((await findByIds(Answer, ids)) as AnswerRow[]).sort(byTime);
  }

  async commentsOf(postId: string): Promise<CommentRow[]> {
    await this.#ready();
    const ids = [...(this.#comments.get(postId)?.keys() ?? [])];
    return ((await findByIds(Comment, ids)) as CommentRow[]).sort(byTime);
  }

  async confirmersOf(postId: string) {
    await this.#ready();
    return [...(this.#confirmations.get(postId)?.values() ?? [])]
      .sort(byTime)
      .map((c) => ({ user: c.user as Types.ObjectId, createdAt: c.createdAt as Date }));
  }
}
