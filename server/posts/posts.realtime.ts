import { Types } from 'mongoose';
import { Comment } from '../../models/comment.ts';
import { Post } from '../../models/post.ts';
import { op } from '../db/query.ts';
import type { KbService } from '../kb/kb.service.ts';
import type { Directory } from '../people/directory.ts';
import type { ItemRef, RealtimeBridge } from '../realtime/realtime.bridge.ts';
import { type RoomRef, roomName, rooms } from '../realtime/rooms.ts';
import type { FeedsService } from './feeds.service.ts';
import { answerItem, commentItem, type PostsService } from './posts.service.ts';
import '../kb/kb.events.ts';
import '../votes/votes.events.ts';
import './posts.events.ts';

/** The feed of every post: pages that list posts join it (`data-rt-room="feed:posts"`). */
export const POSTS_FEED_ROOM = roomName('feed', 'posts');
/** Feed key of post lists (`data-rt-feed="posts"`, filtered with `data-rt-require`). */
export const POSTS_FEED = 'posts';
/** A KB article's room (its page, for state changes and comments). */
export const articleRoom = (articleId: string) => roomName('article', articleId);

const OBJECT_ID = /^[0-9a-f]{24}$/i;

/** Topics with every ancestor (a post in "SDD" also belongs to the "Billing" page). */
function withAncestors(directory: Directory, topicIds: string[]): Promise<string[]> {
  return directory.withAncestors(topicIds.filter((id) => OBJECT_ID.test(id)));
}

/**
 * A post as a live item of post lists. Its tags let each list keep only what
 * it would show (`data-rt-require`): `kind:<kind>`, `topic:<id>` (with the
 * topic's ancestors), `author:<id>`, `team:<id>`, `tag:<tag>`.
 */
export async function postItem(
  directory: Directory,
  postId: string,
): Promise<{ item: ItemRef; topicIds: string[] } | null> {
  const post = await Post.findById(postId, {
    kind: 1,
    topics: 1,
    author: 1,
    team: 1,
    tags: 1,
    deleted: 1,
  }).lean();
  if (!post || post.deleted) return null;
  const topicIds = await withAncestors(directory, post.topics.map(String));
  return {
    topicIds,
    item: {
      feed: POSTS_FEED,
      id: `post-${postId}`,
      url: `/posts/${postId}/card`,
      tags: [
        `kind:${post.kind}`,
        `author:${String(post.author)}`,
        ...(post.team ? [`team:${String(post.team)}`] : []),
        ...topicIds.map((id) => `topic:${id}`),
        ...post.tags.map((tag) => `tag:${tag}`),
      ],
    },
  };
}

/** How a list of posts follows new posts live (`live` of views/partials/post-list.hbs), or null. */
export interface LiveFeed {
  /** Rooms the page joins (`data-rt-room`). */
  rooms: string;
  /** Tags a new post must carry to belong in this list (`data-rt-require`). */
  require: string;
}

/**
 * The live settings of a list of posts: only its first page, newest first,
 * gets new posts (an older page or a "top" ranking would not show them on top).
 */
export function liveFeedOf(query: {
  kind?: string;
  topic?: string;
  tag?: string;
  author?: string;
  team?: string;
  sort?: string;
  cursor?: string;
}): LiveFeed | null {
  if (query.cursor || (query.sort && query.sort !== 'newest')) return null;
  const require = [
    ...(query.kind ? [`kind:${query.kind}`] : []),
    ...(query.topic ? [`topic:${query.topic}`] : []),
    ...(query.author ? [`author:${query.author}`] : []),
    ...(query.team ? [`team:${query.team}`] : []),
    ...(query.tag ? [`tag:${query.tag}`] : []),
  ];
  return {
    rooms: query.topic ? rooms.topic(query.topic) : POSTS_FEED_ROOM,
    require: require.join(' '),
  };
}

/** Everywhere a post's numbers show: its page, the lists, its topics' pages (and their parents'). */
const postAudience = async (directory: Directory, postId: string, topicIds: string[]): Promise<RoomRef[]> => [
  rooms.post(postId),
  POSTS_FEED_ROOM,
  ...(await withAncestors(directory, topicIds)).map(rooms.topic),
];

async function answerCount(postId: string): Promise<number> {
  return (await Post.findById(postId, { answerCount: 1 }).lean())?.answerCount ?? 0;
}

/**
 * Live posts, answers, comments and articles:
 *
 * - post lists (home, all posts, questions, a topic, mine) announce new posts
 *   with their "N new posts" banner;
 * - scores, "seen this too" and answer counts change on the post's page, on
 *   every list showing its card and on its topics' pages; the names of those
 *   who have seen a case too are refreshed on its page;
 * - a question's page receives new answers, and every thread new comments
 *   (edits, acceptance and deletions replace the item in place);
 * - an article's page refreshes its state and moves when it changes.
 *
 * Rooms: `post:<id>` (those who may see the post), `feed:posts` and `topic:<id>`
 * (everyone), `article:<id>` (those who may read the article).
 */
export function postsRealtime(
  bridge: RealtimeBridge,
  services: { posts: PostsService; feeds: FeedsService; kb: KbService; directory: Directory },
): void {
  const { posts, feeds, kb, directory } = services;

  bridge.defineRoom('post', {
    permission: 'content.read',
    canJoin: (user, id) => posts.isVisibleTo(id, user),
  });
  bridge.defineRoom('feed', { permission: 'content.read', canJoin: (_user, id) => id === 'posts' });
  bridge.defineRoom('article', { permission: 'kb.read', canJoin: (user, id) => kb.isVisibleTo(id, user) });

  bridge.on('post.created', async (e) => {
    const found = await postItem(directory, e.postId);
    if (!found) return null;
    return { to: [POSTS_FEED_ROOM, ...found.topicIds.map(rooms.topic)], item: found.item };
  });
  // Those who can no longer see a deleted post leave its room.
  bridge.on('post.deleted', (e) => ({ recheck: rooms.post(e.postId) }));

  const voteCounters = async (e: {
    targetType: 'post' | 'answer';
    targetId: string;
    postId: string;
    voteScore: number;
    topicIds: string[];
  }) => ({
    to:
      e.targetType === 'post' ? await postAudience(directory, e.postId, e.topicIds) : [rooms.post(e.postId)],
    counters: { [`${e.targetType}:${e.targetId}:score`]: e.voteScore },
  });
  bridge.on('vote.cast', voteCounters);
  bridge.on('vote.retracted', voteCounters);

  const confirmations = async (e: { postId: string; count: number; topicIds: string[] }) => [
    {
      to: await postAudience(directory, e.postId, e.topicIds),
      counters: { [`post:${e.postId}:confirmations`]: e.count },
    },
    // The names under the count, on the open page of the case.
    {
      to: rooms.post(e.postId),
      refresh: { key: `post:${e.postId}:confirmers`, url: `/posts/${e.postId}/confirmers` },
    },
  ];
  bridge.on('confirmation.added', confirmations);
  bridge.on('confirmation.removed', confirmations);

  bridge.on('answer.created', async (e) => [
    {
      to: await postAudience(directory, e.postId, e.topicIds),
      counters: { [`post:${e.postId}:answers`]: await answerCount(e.postId) },
    },
    { to: rooms.post(e.postId), item: answerItem(e.postId, e.answerId) },
  ]);
  bridge.on('answer.deleted', async (e) => [
    {
      to: await postAudience(directory, e.postId, e.topicIds),
      counters: { [`post:${e.postId}:answers`]: await answerCount(e.postId) },
    },
    { to: rooms.post(e.postId), item: answerItem(e.postId, e.answerId) },
  ]);
  bridge.on('answer.updated', (e) => ({ to: rooms.post(e.postId), item: answerItem(e.postId, e.answerId) }));
  bridge.on('answer.accepted', (e) => ({ to: rooms.post(e.postId), item: answerItem(e.postId, e.answerId) }));
  bridge.on('answer.unaccepted', (e) => ({
    to: rooms.post(e.postId),
    item: answerItem(e.postId, e.answerId),
  }));

  const commentRoom = (postId: string | null, targetType: string, targetId: string): RoomRef | null => {
    if (postId) return rooms.post(postId);
    return targetType === 'article' && OBJECT_ID.test(targetId) ? articleRoom(targetId) : null;
  };
  bridge.on('comment.created', (e) => {
    const to = commentRoom(e.postId, e.targetType, e.targetId);
    return to ? { to, item: commentItem(e.targetType, e.targetId, e.commentId) } : null;
  });
  bridge.on('comment.deleted', (e) => {
    const to = commentRoom(e.postId, e.targetType, e.targetId);
    return to ? { to, item: commentItem(e.targetType, e.targetId, e.commentId) } : null;
  });
  bridge.on('comment.updated', async (e) => {
    const comment = await Comment.findById(e.commentId, { targetType: 1, targetId: 1 }).lean();
    if (!comment) return null;
    const to = commentRoom(e.postId, comment.targetType, String(comment.targetId));
    return to ? { to, item: commentItem(comment.targetType, String(comment.targetId), e.commentId) } : null;
  });

  bridge.on('kb.stateChanged', (e) => [
    {
      to: articleRoom(e.articleId),
      refresh: { key: `kb:${e.articleId}:status`, url: `/kb/${e.number}/status` },
    },
    // Back to a draft: readers who may no longer see it leave.
    ...(e.to === 'draft' ? [{ recheck: articleRoom(e.articleId) }] : []),
  ]);

  // After a (re)connection: the numbers now, and what was added meanwhile.
  bridge.onResync('post', async (_user, id, since) => ({
    counters: await posts.liveCounters(id),
    items: since ? await posts.liveItemsSince(id, since) : [],
  }));
  bridge.onResync('feed', async (_user, _id, since) => {
    if (!since) return {};
    const fresh = await feeds.createdSince(since);
    const items = await Promise.all(fresh.map((p) => postItem(directory, p.id)));
    return { items: items.filter((found) => found !== null).map((found) => found.item) };
  });
  bridge.onResync('article', async (_user, id, since) => {
    if (!since) return {};
    const comments = await Comment.find(
      { targetType: 'article', targetId: new Types.ObjectId(id), createdAt: op({ $gt: since }) },
      { _id: 1 },
    ).lean();
    return { items: comments.map((c) => commentItem('article', id, String(c._id))) };
  });
}
