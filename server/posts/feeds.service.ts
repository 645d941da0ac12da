import { Types } from 'mongoose';
import { Bookmark } from '../../models/bookmark.ts';
import { Post, type PostKind } from '../../models/post.ts';
import { Team } from '../../models/team.ts';
import { Topic } from '../../models/topic.ts';
import { User } from '../../models/user.ts';
import type { SessionUser } from '../auth/session-user.ts';
import { findByIds, op } from '../db/query.ts';
import type { FeedQuery } from './posts.schemas.ts';
import { type PersonRef, peopleById, type TopicRef, topicsById } from './posts.service.ts';

export const FEED_PAGE_SIZE = 20;

type SortField = 'createdAt' | 'lastActivityAt' | 'voteScore' | 'confirmations' | '_id';

const SORTS: Record<'newest' | 'active' | 'top', SortField[]> = {
  newest: ['createdAt', '_id'],
  active: ['lastActivityAt', '_id'],
  top: ['voteScore', 'confirmations', 'createdAt', '_id'],
};

/** Where a page ended: the sort values of its last item (and, for home, which part of the feed). */
interface Cursor {
  v: Array<string | number>;
  phase?: 1 | 2;
}

function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

function decodeCursor(raw: string | undefined, fields: SortField[]): Cursor | undefined {
  if (!raw) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as Cursor;
    if (!Array.isArray(parsed.v) || parsed.v.length !== fields.length) return undefined;
    if (parsed.phase !== undefined && parsed.phase !== 1 && parsed.phase !== 2) return undefined;
    return parsed;
  } catch {
    return undefined;
  }
}

function cursorValue(field: SortField, value: string | number): unknown {
  if (field === '_id') return new Types.ObjectId(String(value));
  if (field === 'createdAt' || field === 'lastActivityAt') return new Date(Number(value));
  return Number(value);
}

/**
 * The condition "after this cursor" for a descending sort on several fields:
 * (a < va) or (a = va and b < vb) or … — stable under new posts arriving,
 * so pages never repeat or skip an item.
 */
function afterCursor(fields: SortField[], cursor: Cursor): Record<string, unknown> {
  const clauses = fields.map((field, i) => {
    const clause: Record<string, unknown> = {};
    for (let j = 0; j < i; j++) clause[fields[j]!] = cursorValue(fields[j]!, cursor.v[j]!);
    clause[field] = op({ $lt: cursorValue(field, cursor.v[i]!) });
    return clause;
  });
  return { $or: clauses };
}

function cursorOf(fields: SortField[], doc: Record<string, unknown>, phase?: 1 | 2): string {
  return encodeCursor({
    v: fields.map((f) => {
      const value = doc[f];
      if (value instanceof Date) return value.getTime();
      if (f === '_id') return String(value);
      return Number(value ?? 0);
    }),
    phase,
  });
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
  channel: string | null;
  voteScore: number;
  confirmations: number;
  answerCount: number;
  accepted: boolean;
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

/** Feeds: server-rendered lists of posts with cursor pagination. */
export class FeedsService {
  /** A topic and all topics below it. */
  async #topicWithDescendants(topicId: string): Promise<Types.ObjectId[]> {
    const id = new Types.ObjectId(topicId);
    const below = await Topic.find({ ancestors: id }, { _id: 1 }).lean();
    return [id, ...below.map((t) => t._id)];
  }

  async #filter(query: FeedQuery): Promise<Record<string, unknown>> {
    const filter: Record<string, unknown> = { deleted: null };
    if (query.kind) filter.kind = query.kind;
    if (query.unanswered) {
      filter.kind = 'question';
      filter.answerCount = 0;
    }
    if (query.topic) filter.topics = op({ $in: await this.#topicWithDescendants(query.topic) });
    if (query.tag) filter.tags = query.tag;
    if (query.author) filter.author = new Types.ObjectId(query.author);
    if (query.team) filter.team = new Types.ObjectId(query.team);
    if ((query.sort ?? 'newest') === 'top') {
      const days = query.period === 'month' ? 30 : 7;
      filter.createdAt = op({ $gte: new Date(Date.now() - days * 86_400_000) });
    }
    return filter;
  }

  async #present(posts: Array<Record<string, unknown>>): Promise<FeedItem[]> {
    const [people, topics] = await Promise.all([peopleById(posts.map((p) => p.author)), topicsById()]);
    const teamIds = [
      ...new Set(
        posts
          .map((p) => p.team)
          .filter(Boolean)
          .map(String),
      ),
    ];
    const teams = new Map<string, string>();
    if (teamIds.length) {
      for (const t of await Team.find(
        { _id: op({ $in: teamIds.map((id) => new Types.ObjectId(id)) }) },
        { name: 1 },
      ).lean()) {
        teams.set(String(t._id), t.name);
      }
    }
    return posts.map((p) => ({
      id: String(p._id),
      kind: p.kind as PostKind,
      title: String(p.title),
      excerpt: String(p.excerpt ?? ''),
      author: people.get(String(p.author)),
      team: p.team ? (teams.get(String(p.team)) ?? '') : '',
      topics: ((p.topics as unknown[]) ?? [])
        .map((t) => topics.get(String(t)))
        .filter((t): t is TopicRef => Boolean(t)),
      tags: (p.tags as string[]) ?? [],
      channel: (p.channel as string | null) ?? null,
      voteScore: Number(p.voteScore ?? 0),
      confirmations: Number(p.confirmations ?? 0),
      answerCount: Number(p.answerCount ?? 0),
      accepted: Boolean(p.acceptedAnswer),
      hasImage: Boolean(p.hasImage),
      attachmentCount: Number(p.attachmentCount ?? 0),
      promoted: ((p.promotedTo as { number?: number | null } | undefined)?.number ?? null) || null,
      createdAt: p.createdAt as Date,
      lastActivityAt: p.lastActivityAt as Date,
    }));
  }

  async #page(
    filter: Record<string, unknown>,
    fields: SortField[],
    cursor: Cursor | undefined,
    limit: number,
  ) {
    const where = cursor ? { $and: [filter, afterCursor(fields, cursor)] } : filter;
    const sort = Object.fromEntries(fields.map((f) => [f, -1 as const]));
    return (await Post.find(where)
      .sort(sort)
      .limit(limit + 1)
      .lean()) as unknown as Array<Record<string, unknown>>;
  }

  /** Posts with filters and sorting: all posts, a kind, a topic, a tag, unanswered questions… */
  async list(query: FeedQuery): Promise<FeedPage> {
    const fields = SORTS[query.sort ?? 'newest'];
    const cursor = decodeCursor(query.cursor, fields);
    const rows = await this.#page(await this.#filter(query), fields, cursor, FEED_PAGE_SIZE);
    const page = rows.slice(0, FEED_PAGE_SIZE);
    return {
      items: await this.#present(page),
      nextCursor: rows.length > FEED_PAGE_SIZE ? cursorOf(fields, page[page.length - 1]!) : null,
    };
  }

  /**
   * The home feed: first what the person follows (topics, colleagues) and
   * what their team posts, newest first; then everything else.
   */
  async home(viewer: SessionUser, rawCursor?: string): Promise<FeedPage & { personalised: boolean }> {
    const fields = SORTS.newest;
    const cursor = decodeCursor(rawCursor, fields);
    const me = await User.findById(viewer.id, { followedTopics: 1, followedPeople: 1, team: 1 }).lean();
    const topicIds: Types.ObjectId[] = [];
    for (const t of me?.followedTopics ?? []) topicIds.push(...(await this.#topicWithDescendants(String(t))));
    const people = me?.followedPeople ?? [];
    const team = me?.team ?? null;
    const mine: Array<Record<string, unknown>> = [];
    if (topicIds.length) mine.push({ topics: op({ $in: topicIds }) });
    if (people.length) mine.push({ author: op({ $in: people }) });
    if (team) mine.push({ team });
    const personalised = mine.length > 0;

    const items: Array<Record<string, unknown> & { __phase: 1 | 2 }> = [];
    let phase: 1 | 2 = personalised ? (cursor?.phase ?? 1) : 2;
    let phaseCursor = cursor && (cursor.phase ?? 2) === phase ? cursor : undefined;
    if (phase === 1) {
      const rows = await this.#page({ deleted: null, $or: mine }, fields, phaseCursor, FEED_PAGE_SIZE);
      items.push(...rows.map((r) => ({ ...r, __phase: 1 as const })));
      if (rows.length <= FEED_PAGE_SIZE) {
        phase = 2;
        phaseCursor = undefined;
      }
    }
    if (phase === 2 && items.length <= FEED_PAGE_SIZE) {
      const rest: Record<string, unknown> = { deleted: null };
      if (personalised) {
        if (topicIds.length) rest.topics = op({ $nin: topicIds });
        if (people.length) rest.author = op({ $nin: people });
        if (team) rest.team = op({ $ne: team });
      }
      const rows = await this.#page(rest, fields, phaseCursor, FEED_PAGE_SIZE - items.length);
      items.push(...rows.map((r) => ({ ...r, __phase: 2 as const })));
    }
    const page = items.slice(0, FEED_PAGE_SIZE);
    const last = page[page.length - 1];
    return {
      items: await this.#present(page),
      nextCursor: items.length > FEED_PAGE_SIZE && last ? cursorOf(fields, last, last.__phase) : null,
      personalised,
    };
  }

  /** One post as feeds show it (the fragment live updates insert), or null once deleted. */
  async card(postId: string): Promise<FeedItem | null> {
    if (!/^[0-9a-f]{24}$/i.test(postId)) return null;
    const post = (await Post.findOne({
      _id: new Types.ObjectId(postId),
      deleted: null,
    }).lean()) as unknown as Record<string, unknown> | null;
    return post ? ((await this.#present([post]))[0] ?? null) : null;
  }

  /** Posts published after `since`, oldest first (what a reconnecting feed missed; at most 50). */
  async createdSince(since: Date): Promise<Array<{ id: string; createdAt: Date }>> {
    const posts = await Post.find({ deleted: null, createdAt: op({ $gt: since }) }, { createdAt: 1 })
      .sort({ createdAt: 1 })
      .limit(50)
      .lean();
    return posts.map((p) => ({ id: String(p._id), createdAt: p.createdAt }));
  }

  /** Posts a person saved, most recently saved first. */
  async bookmarks(viewer: SessionUser, page: number): Promise<FeedPage & { page: number; hasNext: boolean }> {
    const marks = await Bookmark.find({ user: new Types.ObjectId(viewer.id) })
      .sort({ createdAt: -1 })
      .skip((page - 1) * FEED_PAGE_SIZE)
      .limit(FEED_PAGE_SIZE + 1)
      .lean();
    const ids = marks.slice(0, FEED_PAGE_SIZE).map((m) => m.post);
    const posts = (await findByIds(Post, ids)).filter((p) => !p.deleted) as unknown as Array<
      Record<string, unknown>
    >;
    const order = new Map(ids.map((id, i) => [String(id), i]));
    posts.sort((a, b) => (order.get(String(a._id)) ?? 0) - (order.get(String(b._id)) ?? 0));
    return {
      items: await this.#present(posts),
      nextCursor: null,
      page,
      hasNext: marks.length > FEED_PAGE_SIZE,
    };
  }
}
