import type { PostKind } from '../../models/post.ts';
import type { SessionUser } from '../auth/session-user.ts';
import type { EventBus } from '../core/events.ts';
import type { Directory, PersonRef, TopicRef } from '../people/directory.ts';
import {
  type FeedOrder,
  type FeedSpec,
  ORDER_FIELDS,
  type PostRow,
  type PostsRepo,
  sortValues,
} from './posts.repo.ts';
import type { FeedQuery } from './posts.schemas.ts';

export const FEED_PAGE_SIZE = 20;

/** Topics a feed row shows (then one tag, then "+N"). */
const ROW_TOPICS = 2;

/** Items in each list of the side column. */
export const ASIDE_SIZE = 5;

/** "Trending": the most voted and confirmed posts of this window. */
const TRENDING_WINDOW_MS = 7 * 86_400_000;

/** Where a page ended: the sort values of its last item (and, for home, which part of the feed). */
interface Cursor {
  v: Array<string | number>;
  phase?: 1 | 2;
}

function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

function decodeCursor(raw: string | undefined, order: FeedOrder): Cursor | undefined {
  if (!raw) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as Cursor;
    const fields = ORDER_FIELDS[order];
    if (!Array.isArray(parsed.v) || parsed.v.length !== fields.length) return undefined;
    if (parsed.phase !== undefined && parsed.phase !== 1 && parsed.phase !== 2) return undefined;
    // Every value must be what its field holds: a number, or a post id for `_id`.
    const valid = fields.every((f, i) =>
      f === '_id'
        ? typeof parsed.v[i] === 'string' && /^[0-9a-f]{24}$/i.test(String(parsed.v[i]))
        : typeof parsed.v[i] === 'number' && Number.isFinite(parsed.v[i]),
    );
    return valid ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function cursorOf(order: FeedOrder, post: PostRow, phase?: 1 | 2): string {
  return encodeCursor({ v: sortValues(order, post), phase });
}

export interface FeedItem {
  id: string;
  kind: PostKind;
  title: string;
  excerpt: string;
  author: PersonRef | undefined;
  team: string;
  topics: TopicRef[];
  tags: string[];
  /** What a row has room for: the first topics and tag, and how many are left out. */
  rowTopics: TopicRef[];
  rowTags: string[];
  rowMore: number;
  channel: string | null;
  voteScore: number;
  confirmations: number;
  answerCount: number;
  views: number;
  accepted: boolean;
  /** A question closed as a duplicate of another. */
  duplicate: boolean;
  hasImage: boolean;
  attachmentCount: number;
  promoted: number | null;
  createdAt: Date;
  lastActivityAt: Date;
}

export interface FeedPage {
  items: FeedItem[];
  nextCursor: string | null;
}

/** The side column of the feeds: the person's topics, their open questions, this week's best. */
export interface FeedAside {
  /** The topics the person follows. */
  topics: TopicRef[];
  /** Newest questions without an answer in those topics (and their subtopics), not the person's own. */
  unanswered: FeedItem[];
  /** Where "all of them" leads: the unanswered questions, of the one followed topic when there is one. */
  unansweredHref: string;
  /** This week's posts with the most votes and confirmations (only those with some). */
  trending: FeedItem[];
}

export interface FeedsDeps {
  posts: PostsRepo;
  directory: Directory;
  /** Votes, confirmations and removals: "trending" is worked out again after one. */
  events?: EventBus;
  /** How long "trending" (the same for everyone) is reused at most (ms). */
  trendingTtlMs?: number;
}

/** Feeds: server-rendered lists of posts with cursor pagination. */
export class FeedsService {
  readonly #posts: PostsRepo;
  readonly #directory: Directory;

  readonly #trendingTtlMs: number;
  #trending: { at: number; items: Promise<FeedItem[]> } | null = null;

  constructor(deps: FeedsDeps) {
    this.#posts = deps.posts;
    this.#directory = deps.directory;
    this.#trendingTtlMs = deps.trendingTtlMs ?? 60_000;
    const forget = () => {
      this.#trending = null;
    };
    for (const name of [
      'vote.cast',
      'vote.retracted',
      'confirmation.added',
      'confirmation.removed',
      'post.created',
      'post.updated',
      'post.deleted',
      'post.closedAsDuplicate',
    ] as const)
      deps.events?.on(name, forget);
  }

  /**
   * This week's posts with the most votes and confirmations (only those with
   * some), the same for everyone: reused for a minute, or until a vote, a
   * confirmation or a post changes them on this instance.
   */
  #trendingItems(): Promise<FeedItem[]> {
    const now = Date.now();
    if (this.#trending && now - this.#trending.at < this.#trendingTtlMs) return this.#trending.items;
    const items = this.#posts
      .feed({ order: 'top', since: new Date(now - TRENDING_WINDOW_MS), limit: ASIDE_SIZE })
      .then((top) =>
        this.#present(top.filter((p) => Number(p.voteScore ?? 0) > 0 || Number(p.confirmations ?? 0) > 0)),
      );
    const entry = { at: now, items };
    this.#trending = entry;
    items.catch(() => {
      if (this.#trending === entry) this.#trending = null;
    });
    return items;
  }

  async #spec(query: FeedQuery): Promise<Omit<FeedSpec, 'limit' | 'after'>> {
    const order = query.sort ?? 'newest';
    const spec: Omit<FeedSpec, 'limit' | 'after'> = { order };
    if (query.kind) spec.kind = query.kind;
    if (query.unanswered) spec.unanswered = true;
    if (query.topic) spec.topics = await this.#directory.subtree(query.topic);
    if (query.tag) spec.tag = query.tag;
    if (query.author) spec.author = query.author;
    if (query.team) spec.team = query.team;
    if (order === 'top') {
      const days = query.period === 'month' ? 30 : 7;
      spec.since = new Date(Date.now() - days * 86_400_000);
    }
    return spec;
  }

  async #present(posts: PostRow[]): Promise<FeedItem[]> {
    const [people, topics, teams] = await Promise.all([
      this.#directory.people(posts.map((p) => p.author)),
      this.#directory.topics(),
      this.#directory.teamNames(posts.map((p) => p.team)),
    ]);
    return posts.map((p) => this.#item(p, people, topics, teams));
  }

  #item(
    p: PostRow,
    people: Map<string, PersonRef>,
    topics: Map<string, TopicRef>,
    teams: Map<string, string>,
  ): FeedItem {
    const postTopics = (p.topics ?? [])
      .map((t) => topics.get(String(t)))
      .filter((t): t is TopicRef => Boolean(t));
    const tags = [...(p.tags ?? [])];
    const rowTopics = postTopics.slice(0, ROW_TOPICS);
    const rowTags = tags.slice(0, ROW_TOPICS + 1 - rowTopics.length);
    return {
      id: String(p._id),
      kind: p.kind as PostKind,
      title: String(p.title),
      excerpt: String(p.excerpt ?? ''),
      author: people.get(String(p.author)),
      team: p.team ? (teams.get(String(p.team)) ?? '') : '',
      topics: postTopics,
      tags,
      rowTopics,
      rowTags,
      rowMore: postTopics.length + tags.length - rowTopics.length - rowTags.length,
      channel: p.channel ?? null,
      voteScore: Number(p.voteScore ?? 0),
      confirmations: Number(p.confirmations ?? 0),
      answerCount: Number(p.answerCount ?? 0),
      views: Number(p.views ?? 0),
      accepted: Boolean(p.acceptedAnswer),
      duplicate: Boolean(p.duplicateOf),
      hasImage: Boolean(p.hasImage),
      attachmentCount: Number(p.attachmentCount ?? 0),
      promoted: p.promotedTo?.number || null,
      createdAt: p.createdAt as Date,
      lastActivityAt: p.lastActivityAt as Date,
    };
  }

  /** Posts with filters and sorting: all posts, a kind, a topic, a tag, unanswered questions… */
  async list(query: FeedQuery): Promise<FeedPage> {
    const spec = await this.#spec(query);
    const cursor = decodeCursor(query.cursor, spec.order);
    const rows = await this.#posts.feed({ ...spec, after: cursor?.v, limit: FEED_PAGE_SIZE + 1 });
    const page = rows.slice(0, FEED_PAGE_SIZE);
    return {
      items: await this.#present(page),
      nextCursor: rows.length > FEED_PAGE_SIZE ? cursorOf(spec.order, page[page.length - 1]!) : null,
    };
  }

  /**
   * The home feed: first what the person follows (topics, colleagues) and
   * what their team posts, newest first; then everything else.
   */
  async home(viewer: SessionUser, rawCursor?: string): Promise<FeedPage & { personalised: boolean }> {
    const cursor = decodeCursor(rawCursor, 'newest');
    const me = await this.#directory.following(viewer.id);
    const topics: string[] = [];
    for (const t of me.topics) topics.push(...(await this.#directory.subtree(t)));
    const mine = {
      ...(topics.length ? { topics } : {}),
      ...(me.people.length ? { authors: me.people } : {}),
      ...(me.team ? { team: me.team } : {}),
    };
    const personalised = Object.keys(mine).length > 0;

    const items: Array<{ post: PostRow; phase: 1 | 2 }> = [];
    let phase: 1 | 2 = personalised ? (cursor?.phase ?? 1) : 2;
    let after = cursor && (cursor.phase ?? 2) === phase ? cursor.v : undefined;
    if (phase === 1) {
      const rows = await this.#posts.feed({ order: 'newest', anyOf: mine, after, limit: FEED_PAGE_SIZE + 1 });
      items.push(...rows.map((post) => ({ post, phase: 1 as const })));
      if (rows.length <= FEED_PAGE_SIZE) {
        phase = 2;
        after = undefined;
      }
    }
    if (phase === 2 && items.length <= FEED_PAGE_SIZE) {
      const rows = await this.#posts.feed({
        order: 'newest',
        ...(personalised ? { noneOf: mine } : {}),
        after,
        limit: FEED_PAGE_SIZE + 1 - items.length,
      });
      items.push(...rows.map((post) => ({ post, phase: 2 as const })));
    }
    const page = items.slice(0, FEED_PAGE_SIZE);
    const last = page[page.length - 1];
    return {
      items: await this.#present(page.map((i) => i.post)),
      nextCursor: items.length > FEED_PAGE_SIZE && last ? cursorOf('newest', last.post, last.phase) : null,
      personalised,
    };
  }

  /** The side column of the feeds for this person. */
  async aside(viewer: SessionUser): Promise<FeedAside> {
    const [me, allTopics] = await Promise.all([
      this.#directory.following(viewer.id),
      this.#directory.topics(),
    ]);
    const topics = me.topics.map((id) => allTopics.get(id)).filter((t): t is TopicRef => Boolean(t));
    const subtree = new Set<string>();
    for (const t of topics) for (const id of await this.#directory.subtree(t.id)) subtree.add(id);
    const [unanswered, trending] = await Promise.all([
      subtree.size
        ? this.#posts
            .feed({
              order: 'newest',
              unanswered: true,
              topics: [...subtree],
              noneOf: { authors: [viewer.id] },
              limit: ASIDE_SIZE,
            })
            .then((rows) => this.#present(rows))
        : [],
      this.#trendingItems(),
    ]);
    return {
      topics,
      unanswered,
      unansweredHref:
        topics.length === 1 ? `/questions?unanswered=1&topic=${topics[0]!.id}` : '/questions?unanswered=1',
      trending,
    };
  }

  /** One post as feeds show it (the fragment live updates insert), or null once deleted. */
  async card(postId: string): Promise<FeedItem | null> {
    const [post] = await this.#posts.listed([postId]);
    return post ? ((await this.#present([post]))[0] ?? null) : null;
  }

  /** Posts published after `since`, oldest first (what a reconnecting feed missed; at most 50). */
  async createdSince(since: Date): Promise<Array<{ id: string; createdAt: Date }>> {
    const posts = await this.#posts.createdSince(since, 50);
    return posts.map((p) => ({ id: String(p._id), createdAt: p.createdAt as Date }));
  }

  /** Posts a person saved, most recently saved first. */
  async bookmarks(viewer: SessionUser, page: number): Promise<FeedPage & { page: number; hasNext: boolean }> {
    const marks = await this.#posts.bookmarked(viewer.id, (page - 1) * FEED_PAGE_SIZE, FEED_PAGE_SIZE + 1);
    const posts = await this.#posts.listed(marks.slice(0, FEED_PAGE_SIZE));
    return {
      items: await this.#present(posts),
      nextCursor: null,
      page,
      hasNext: marks.length > FEED_PAGE_SIZE,
    };
  }
}
