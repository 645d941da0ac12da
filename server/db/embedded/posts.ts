import { Types } from 'mongoose';
import { Bookmark } from '../../../models/bookmark.ts';
import { Post } from '../../../models/post.ts';
import { PostContent } from '../../../models/post-content.ts';
import {
  type Deletion,
  type Duplicate,
  duplicateDocument,
  type FeedSpec,
  type PostMatch,
  type PostRevision,
  type PostRow,
  type PostsRepo,
} from '../../posts/posts.repo.ts';
import type { Mirror, MirrorDoc, MirroredCollection } from './mirror.ts';
import { OrderedIndex, type SortKey } from './ordered-index.ts';
import { inLane } from './write-lanes.ts';

const ms = (d: unknown) => (d instanceof Date ? d.getTime() : new Date(String(d)).getTime());

/** The lists a post belongs to; a deleted post belongs to none. */
function partitionsOf(post: PostRow): string[] {
  if (post.deleted) return [];
  const parts = ['all', `kind:${post.kind}`, `author:${String(post.author)}`];
  for (const t of post.topics ?? []) parts.push(`topic:${String(t)}`);
  for (const tag of post.tags ?? []) parts.push(`tag:${tag}`);
  if (post.team) parts.push(`team:${String(post.team)}`);
  if (post.kind === 'question' && (post.answerCount ?? 0) === 0 && !post.duplicateOf)
    parts.push('unanswered');
  return parts;
}

function matches(post: PostRow, match: PostMatch): boolean {
  if (match.topics?.length && (post.topics ?? []).some((t) => match.topics!.includes(String(t)))) return true;
  if (match.authors?.length && match.authors.includes(String(post.author))) return true;
  return Boolean(match.team && String(post.team) === match.team);
}

/** Whether a listed post satisfies every filter of a feed (the partition walked may be wider). */
function predicate(spec: FeedSpec): (post: PostRow) => boolean {
  const since = spec.since?.getTime();
  return (post) => {
    if (spec.kind && post.kind !== spec.kind) return false;
    if (spec.unanswered && (post.kind !== 'question' || (post.answerCount ?? 0) !== 0 || post.duplicateOf))
      return false;
    if (spec.topics && !(post.topics ?? []).some((t) => spec.topics!.includes(String(t)))) return false;
    if (spec.tag && !(post.tags ?? []).includes(spec.tag)) return false;
    if (spec.author && String(post.author) !== spec.author) return false;
    if (spec.team && String(post.team) !== spec.team) return false;
    if (since !== undefined && ms(post.createdAt) < since) return false;
    if (spec.anyOf && !matches(post, spec.anyOf)) return false;
    if (spec.noneOf && matches(post, spec.noneOf)) return false;
    return true;
  };
}

/**
 * The narrowest partitions whose union holds every post of the feed: of the
 * filters that name partitions (topics, author, team, tag, unanswered, "any
 * of", kind), the one whose partitions hold the fewest posts; the others are
 * checked on each post walked.
 */
function partitionsFor(spec: FeedSpec, size: (partition: string) => number): string[] {
  const choices: string[][] = [];
  if (spec.topics) choices.push(spec.topics.map((t) => `topic:${t}`));
  if (spec.author) choices.push([`author:${spec.author}`]);
  if (spec.team) choices.push([`team:${spec.team}`]);
  if (spec.tag) choices.push([`tag:${spec.tag}`]);
  if (spec.unanswered) choices.push(['unanswered']);
  if (spec.anyOf)
    choices.push([
      ...(spec.anyOf.topics ?? []).map((t) => `topic:${t}`),
      ...(spec.anyOf.authors ?? []).map((a) => `author:${a}`),
      ...(spec.anyOf.team ? [`team:${spec.anyOf.team}`] : []),
    ]);
  if (spec.kind) choices.push([`kind:${spec.kind}`]);
  if (choices.length === 0) return ['all'];
  const total = (parts: string[]) => parts.reduce((n, p) => n + size(p), 0);
  return choices.reduce((best, next) => (total(next) < total(best) ? next : best));
}

/** A post's place in "top": votes, then confirmations, then newer, then the greater id (as ORDER_FIELDS.top). */
type TopKey = readonly [number, number, number, string];

function topKey(post: PostRow): TopKey {
  return [Number(post.voteScore ?? 0), Number(post.confirmations ?? 0), ms(post.createdAt), String(post._id)];
}

/** Negative when `a` comes first in "top". */
function compareTopKeys(a: TopKey, b: TopKey): number {
  for (let i = 0; i < 3; i++) {
    const d = (b[i] as number) - (a[i] as number);
    if (d !== 0) return d;
  }
  return b[3] < a[3] ? -1 : b[3] > a[3] ? 1 : 0;
}

/**
 * Posts on the embedded engine: every card document held in memory (about a
 * kilobyte each; bodies stay in the engine) with ordered lists per partition for
 * the newest and the most active orders, kept current on each write.
 */
export class EmbeddedPostsRepo implements PostsRepo {
  readonly #posts: MirroredCollection;
  readonly #newest = new OrderedIndex<PostRow>({
    partitions: partitionsOf,
    sortKey: (p) => [ms(p.createdAt), String(p._id)],
  });
  readonly #active = new OrderedIndex<PostRow>({
    partitions: partitionsOf,
    sortKey: (p) => [ms(p.lastActivityAt), String(p._id)],
  });

  readonly #ready: () => Promise<void>;

  /** Each person's saved posts, most recently saved first (of a bookmark: its person, post and time). */
  readonly #bookmarks = new OrderedIndex<MirrorDoc>({
    partitions: (b) => [`user:${String(b.user)}`],
    sortKey: (b) => [ms(b.createdAt), String(b._id)],
  });

  constructor(mirror: Mirror) {
    this.#ready = () => mirror.ready();
    const bookmarks = mirror.track(Bookmark as never, ['user', 'post', 'createdAt']);
    bookmarks.onChange((id, doc) => this.#bookmarks.set(id, doc));
    this.#posts = mirror.track(Post as never);
    this.#posts.onChange((id, doc) => {
      this.#newest.set(id, doc as PostRow | undefined);
      this.#active.set(id, doc as PostRow | undefined);
    });
    // Built as soon as the posts are read (at start), not on the first request.
    this.#posts.onLoaded(() => {
      this.#newest.build();
      this.#active.build();
    });
  }

  /**
   * Conditional writes: the condition is decided from the held card document
   * and the write names only the `_id` (any other filter field makes the
   * engine read the whole collection). Decisions on one post run one at a time.
   */
  #decide<T>(postId: string, task: (post: PostRow | undefined) => Promise<T>): Promise<T> {
    return inLane(`post:${postId}`, async () => {
      await this.#ready();
      return task(this.#posts.get(postId) as PostRow | undefined);
    });
  }

  revise(postId: string, from: number, revision: PostRevision): Promise<boolean> {
    return this.#decide(postId, async (post) => {
      if (!post || (post.revision ?? 1) !== from) return false;
      await PostContent.updateOne({ _id: post._id }, { $set: revision.content, $inc: { __v: 1 } });
      await Post.updateOne(
        { _id: post._id },
        { $set: { ...revision.card, revision: from + 1 }, $inc: { __v: 1 } },
      );
      return true;
    });
  }

  async addViews(counts: ReadonlyMap<string, number>): Promise<void> {
    for (const [postId, n] of counts)
      await this.#decide(postId, async (post) => {
        if (post) await Post.updateOne({ _id: post._id }, { $inc: { views: n } });
      });
  }

  markDuplicate(postId: string, duplicate: Duplicate): Promise<boolean> {
    return this.#decide(postId, async (post) => {
      if (!post || post.deleted || post.duplicateOf) return false;
      await Post.updateOne({ _id: post._id }, { $set: { duplicateOf: duplicateDocument(duplicate) } });
      return true;
    });
  }

  reopen(postId: string): Promise<boolean> {
    return this.#decide(postId, async (post) => {
      if (!post?.duplicateOf || post.duplicateOf.merged) return false;
      await Post.updateOne({ _id: post._id }, { $set: { duplicateOf: null } });
      return true;
    });
  }

  async shiftAnswers(
    from: string,
    to: string,
    live: number,
    accepted: string | null,
    at: Date,
  ): Promise<void> {
    await this.#decide(from, async (post) => {
      if (post)
        await Post.updateOne(
          { _id: post._id },
          { $inc: { answerCount: -live }, $set: { acceptedAnswer: null } },
        );
    });
    await this.#decide(to, async (post) => {
      if (!post) return;
      const set: Record<string, unknown> = { lastActivityAt: at };
      if (accepted && !post.acceptedAnswer) set.acceptedAnswer = new Types.ObjectId(accepted);
      await Post.updateOne({ _id: post._id }, { $inc: { answerCount: live }, $set: set });
    });
  }

  markDeleted(postId: string, deletion: Deletion): Promise<boolean> {
    return this.#decide(postId, async (post) => {
      if (!post || post.deleted) return false;
      await Post.updateOne({ _id: post._id }, { $set: { deleted: deletion } });
      return true;
    });
  }

  async feed(spec: FeedSpec): Promise<PostRow[]> {
    await this.#ready();
    const partitions = partitionsFor(spec, (p) => this.#newest.size(p));
    const where = predicate(spec);
    if (spec.order !== 'top') {
      const index = spec.order === 'active' ? this.#active : this.#newest;
      const after = spec.after ? ([Number(spec.after[0]), String(spec.after[1])] as SortKey) : undefined;
      return index.page(partitions, { after, where, limit: spec.limit });
    }
    // Top of a window: the window's posts (newest first, stopping at its start), ranked by keys
    // computed once each; only the `limit` best after the cursor are kept (a page is small).
    const since = spec.since?.getTime() ?? Number.NEGATIVE_INFINITY;
    const cursor: TopKey | undefined = spec.after
      ? [Number(spec.after[0]), Number(spec.after[1]), Number(spec.after[2]), String(spec.after[3])]
      : undefined;
    const best: Array<{ key: TopKey; post: PostRow }> = [];
    this.#newest.page(partitions, {
      where: (post) => {
        if (!where(post)) return false;
        const key = topKey(post);
        if (cursor && compareTopKeys(key, cursor) <= 0) return false;
        if (best.length === spec.limit && compareTopKeys(key, best[best.length - 1]!.key) >= 0) return false;
        let at = best.length;
        while (at > 0 && compareTopKeys(key, best[at - 1]!.key) < 0) at--;
        best.splice(at, 0, { key, post });
        if (best.length > spec.limit) best.pop();
        return false;
      },
      until: (key) => (key[0] as number) < since,
      limit: Number.MAX_SAFE_INTEGER,
    });
    return best.map((b) => b.post);
  }

  async listed(ids: string[]): Promise<PostRow[]> {
    await this.#ready();
    return ids
      .map((id) => this.#posts.get(id) as PostRow | undefined)
      .filter((p): p is PostRow => Boolean(p && !p.deleted));
  }

  async createdSince(since: Date, limit: number): Promise<PostRow[]> {
    await this.#ready();
    const newer = this.#newest.page(['all'], {
      until: (key) => (key[0] as number) <= since.getTime(),
      limit: Number.MAX_SAFE_INTEGER,
    });
    return newer.reverse().slice(0, limit);
  }

  async bookmarked(userId: string, skip: number, limit: number): Promise<string[]> {
    await this.#ready();
    return this.#bookmarks
      .page([`user:${userId}`], { limit: skip + limit })
      .slice(skip)
      .map((b) => String(b.post));
  }
}
