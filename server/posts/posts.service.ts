import { createHash } from 'node:crypto';
import { diffWords } from 'diff';
import { Types } from 'mongoose';
import { Answer } from '../../models/answer.ts';
import { Bookmark, bookmarkId } from '../../models/bookmark.ts';
import { Comment } from '../../models/comment.ts';
import { Confirmation, confirmationId } from '../../models/confirmation.ts';
import { Post, type PostKind } from '../../models/post.ts';
import { PostContent } from '../../models/post-content.ts';
import { RateLimitCounter } from '../../models/rate-limit-counter.ts';
import { Revision, revisionId } from '../../models/revision.ts';
import { Topic } from '../../models/topic.ts';
import type { AuditService } from '../audit/audit.service.ts';
import { can } from '../auth/permissions.ts';
import type { SessionUser } from '../auth/session-user.ts';
import type { Locale } from '../config.ts';
import { excerpt, markdownToText } from '../content/markdown.ts';
import type { ContentRenderer } from '../content/renderer.ts';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  TooManyRequestsError,
  ValidationError,
} from '../core/errors.ts';
import type { EventBus } from '../core/events.ts';
import type { Logger } from '../core/logger.ts';
import type { Directory, PersonRef, TopicRef } from '../people/directory.ts';
import type { FileStorage } from '../storage/file-storage.ts';
import {
  type AttachmentLimits,
  removeAttachments,
  storeAttachments,
  type UploadedFile,
} from './attachments.ts';
import type { PostsRepo } from './posts.repo.ts';
import type { PostInput } from './posts.schemas.ts';
import type { ThreadsRepo } from './threads.repo.ts';
import { ViewCounter } from './view-counter.ts';
import './posts.events.ts';

export interface PostsDeps {
  /** The time of the facts (tests and the demo seed replay history with it). */
  clock?: () => Date;
  events: EventBus;
  audit: AuditService;
  storage: FileStorage;
  renderer: ContentRenderer;
  limits: AttachmentLimits & { postIntervalSeconds: number; duplicateWindowMinutes: number };
  threads: ThreadsRepo;
  posts: PostsRepo;
  directory: Directory;
  /** Counts who opens a post (default: a counter of its own, flushed every few seconds). */
  views?: ViewCounter;
  logger: Logger;
}

export type { PersonRef, TopicRef } from '../people/directory.ts';

/** Comments as threads show them: deleted ones keep their place, their text only for moderators. */
export function presentComments(
  comments: Array<{
    _id: unknown;
    author: unknown;
    bodyHtml: string;
    deleted?: { at?: Date | null; reason?: string | null } | null;
    createdAt: Date;
    editedAt?: Date | null;
  }>,
  people: Map<string, PersonRef>,
  viewer: SessionUser,
) {
  const moderator = isModerator(viewer);
  return comments.map((c) => {
    const mine = String(c.author) === viewer.id;
    return {
      id: String(c._id),
      author: people.get(String(c.author)),
      bodyHtml: c.deleted && !moderator ? '' : c.bodyHtml,
      deleted: c.deleted ? { at: c.deleted.at, reason: c.deleted.reason } : null,
      createdAt: c.createdAt,
      editedAt: c.editedAt,
      canEdit: !c.deleted && (mine || moderator),
      canDelete: !c.deleted && (mine || moderator),
    };
  });
}

/** An answer as its question's page shows it (deleted ones keep their place, their text only for moderators). */
export function presentAnswer(
  a: {
    _id: unknown;
    author: unknown;
    bodyHtml: string;
    accepted: boolean;
    acceptedBy?: unknown;
    voteScore: number;
    createdAt: Date;
    editedAt?: Date | null;
    revision: number;
    deleted?: { at?: Date | null; reason?: string | null } | null;
  },
  ctx: {
    people: Map<string, PersonRef>;
    viewer: SessionUser;
    /** Whether the viewer may accept answers of this question. */
    canAccept: boolean;
    comments: ReturnType<typeof presentComments>;
  },
) {
  const moderator = isModerator(ctx.viewer);
  const mine = String(a.author) === ctx.viewer.id;
  return {
    id: String(a._id),
    author: ctx.people.get(String(a.author)),
    bodyHtml: a.deleted && !moderator ? '' : a.bodyHtml,
    accepted: a.accepted,
    acceptedBy: a.acceptedBy ? ctx.people.get(String(a.acceptedBy)) : undefined,
    voteScore: a.voteScore,
    createdAt: a.createdAt,
    editedAt: a.editedAt,
    revision: a.revision,
    deleted: a.deleted ? { at: a.deleted.at, reason: a.deleted.reason } : null,
    canEdit: !a.deleted && (mine || moderator),
    canDelete: !a.deleted && (mine || moderator),
    canAccept: ctx.canAccept && !a.deleted,
    isOwn: mine,
    comments: ctx.comments,
  };
}

/** A post's answer as a live item of its page (`data-rt-feed="post:<id>:answers"`). */
export const answerItem = (postId: string, answerId: string) => ({
  feed: `post:${postId}:answers`,
  id: `answer-${answerId}`,
  url: `/answers/${answerId}/card`,
});

/** A comment as a live item of its thread (`data-rt-feed="comments:<type>:<id>"`). */
export const commentItem = (targetType: string, targetId: string, commentId: string) => ({
  feed: `comments:${targetType}:${targetId}`,
  id: `comment-${commentId}`,
  url: `/comments/${commentId}/card`,
});

/** Every topic by id (the taxonomy is small and read on most pages). */
export async function topicsById(): Promise<Map<string, TopicRef>> {
  const topics = await Topic.find({ mergedInto: null }, { slug: 1, names: 1 }).lean();
  return new Map(
    topics.map((t) => [
      String(t._id),
      { id: String(t._id), slug: t.slug, names: { it: t.names?.it ?? t.slug, en: t.names?.en ?? t.slug } },
    ]),
  );
}

/** The posts colleagues can second: insights ("I've seen this too") and questions ("I have this question too"). */
export function confirmable(kind: string): kind is 'insight' | 'question' {
  return kind === 'insight' || kind === 'question';
}

export function isModerator(user: Pick<SessionUser, 'roles'>): boolean {
  return can(user, 'content.moderate');
}

function contentHash(input: PostInput): string {
  const text =
    input.kind === 'insight' ? [input.situation, input.action, input.outcome].join('\n') : input.body;
  return createHash('sha256')
    .update(`${input.kind}\n${input.title.trim().toLowerCase()}\n${text.trim()}`)
    .digest('hex')
    .slice(0, 32);
}

function textFields(input: PostInput): Record<string, string> {
  return input.kind === 'insight'
    ? { situation: input.situation, action: input.action, outcome: input.outcome }
    : { body: input.body };
}

function searchableText(input: PostInput): string {
  return Object.values(textFields(input)).map(markdownToText).join(' ');
}

/**
 * Posts: case insights, tips and questions — writing, editing with revisions,
 * soft deletion, "I've seen this too" and bookmarks.
 */
export class PostsService {
  readonly #deps: PostsDeps;

  /** Post views, written in batches (flushed at shutdown). */
  readonly views: ViewCounter;

  constructor(deps: PostsDeps) {
    this.views = deps.views ?? new ViewCounter(deps.posts, deps.logger);
    this.#deps = deps;
  }

  #now(): Date {
    return this.#deps.clock?.() ?? new Date();
  }

  async #checkTopics(ids: string[]): Promise<Types.ObjectId[]> {
    const unique = [...new Set(ids)];
    if (!(await this.#deps.directory.allLive(unique)))
      throw new ValidationError({ topics: { key: 'validation.topicUnknown' } });
    return unique.map((id) => new Types.ObjectId(id));
  }

  /**
   * Abuse limits: one new post every few seconds per person, and the same post
   * (kind, title and text) not again within a few minutes. Both are counters
   * addressed by id, shared by every app instance.
   */
  async #checkPostingLimits(authorId: string, hash: string): Promise<() => Promise<void>> {
    const now = this.#now();
    const duplicate = await RateLimitCounter.findById(`post-dup:${authorId}:${hash}`).lean();
    if (duplicate && duplicate.resetAt > now) throw new ConflictError('posts.duplicate');
    const pace = await RateLimitCounter.findOneAndUpdate(
      { _id: `post-pace:${authorId}` },
      { $set: { hits: 1, resetAt: new Date(now.getTime() + this.#deps.limits.postIntervalSeconds * 1000) } },
      { upsert: true, returnDocument: 'before' },
    ).lean();
    if (pace && pace.resetAt > now) {
      // Keep the earlier window: this attempt is refused, not counted.
      await RateLimitCounter.updateOne({ _id: `post-pace:${authorId}` }, { $set: { resetAt: pace.resetAt } });
      throw new TooManyRequestsError(
        Math.max(1, Math.ceil((pace.resetAt.getTime() - now.getTime()) / 1000)),
        'posts.tooFast',
      );
    }
    // Undoes this attempt's count when its post is not stored (a refused file, a failed write).
    return async () => {
      if (pace)
        await RateLimitCounter.updateOne(
          { _id: `post-pace:${authorId}` },
          { $set: { resetAt: pace.resetAt } },
        );
      else await RateLimitCounter.deleteOne({ _id: `post-pace:${authorId}` });
    };
  }

  async #rememberPost(authorId: string, hash: string): Promise<void> {
    await RateLimitCounter.updateOne(
      { _id: `post-dup:${authorId}:${hash}` },
      {
        $set: { hits: 1, resetAt: new Date(Date.now() + this.#deps.limits.duplicateWindowMinutes * 60_000) },
      },
      { upsert: true },
    );
  }

  async create(actor: SessionUser, input: PostInput, files: UploadedFile[]): Promise<string> {
    const topics = await this.#checkTopics(input.topics);
    const hash = contentHash(input);
    const uncount = await this.#checkPostingLimits(actor.id, hash);
    const id = new Types.ObjectId();
    const now = this.#now();
    let rendered: Awaited<ReturnType<ContentRenderer['render']>>;
    let attachments: Awaited<ReturnType<typeof storeAttachments>>;
    try {
      rendered = await this.#deps.renderer.render(textFields(input));
      attachments = await storeAttachments(files, this.#deps.limits, this.#deps.storage, {
        post: String(id),
        owner: actor.id,
      });
    } catch (err) {
      // A refused file is not a post: it does not count against the posting pace.
      await uncount().catch(() => {});
      throw err;
    }
    try {
      await PostContent.create({
        _id: id,
        ...textFields(input),
        ...Object.fromEntries(Object.entries(rendered.html).map(([k, v]) => [`${k}Html`, v])),
        attachments,
        mentions: rendered.mentions,
        citations: rendered.citations,
      });
      await Post.create({
        _id: id,
        kind: input.kind,
        title: input.title,
        excerpt: excerpt(input.kind === 'insight' ? input.situation : input.body),
        author: actor.id,
        team: actor.teamId,
        topics,
        tags: input.tags,
        channel: input.kind === 'insight' ? input.channel : null,
        attachmentCount: attachments.length,
        hasImage: attachments.some((a) => a.kind === 'image'),
        lastActivityAt: now,
        contentHash: hash,
        createdAt: now,
        updatedAt: now,
      });
    } catch (err) {
      await PostContent.deleteOne({ _id: id }).catch(() => {});
      await removeAttachments(attachments, this.#deps.storage);
      await uncount().catch(() => {});
      throw err;
    }
    await Revision.create({
      _id: revisionId('post', String(id), 1),
      targetType: 'post',
      targetId: id,
      number: 1,
      editor: actor.id,
      at: now,
      snapshot: {
        title: input.title,
        ...textFields(input),
        topics: input.topics.join(','),
        tags: input.tags.join(', '),
      },
    });
    await this.#rememberPost(actor.id, hash);
    const topicIds = topics.map(String);
    await this.#deps.events.publish('post.created', {
      postId: String(id),
      kind: input.kind,
      authorId: actor.id,
      teamId: actor.teamId,
      topicIds,
      title: input.title,
      at: now,
    });
    const mentioned = rendered.mentions.filter((m) => m !== actor.id);
    if (mentioned.length) {
      await this.#deps.events.publish('content.mentioned', {
        userIds: mentioned,
        byId: actor.id,
        postId: String(id),
        targetType: 'post',
        targetId: String(id),
        at: now,
      });
    }
    return String(id);
  }

  /** A post by id (deleted ones too: callers decide who may see them). */
  async #load(postId: string) {
    const post =
      Types.ObjectId.isValid(postId) && /^[0-9a-f]{24}$/i.test(postId) ? await Post.findById(postId) : null;
    if (!post) throw new NotFoundError('posts.notFound');
    return post;
  }

  #canEdit(post: { author: unknown; deleted?: unknown }, viewer: SessionUser): boolean {
    if (post.deleted && !isModerator(viewer)) return false;
    return String(post.author) === viewer.id || isModerator(viewer);
  }

  /** Everything the post page shows. */
  async page(postId: string, viewer: SessionUser) {
    const post = await this.#load(postId);
    const moderator = isModerator(viewer);
    const id = String(post._id);
    const { threads, directory } = this.#deps;
    const duplicateOf = post.duplicateOf ? String(post.duplicateOf.post) : null;
    const [content, answers, comments, bookmarked, confirmers, topics, originals] = await Promise.all([
      PostContent.findById(post._id).lean(),
      threads.answersOf(id),
      threads.commentsOf(id),
      Bookmark.exists({ _id: bookmarkId(viewer.id, id) }),
      threads.confirmersOf(id),
      directory.topics(),
      duplicateOf ? this.#deps.posts.listed([duplicateOf]) : Promise.resolve([]),
    ]);
    const people = await directory.people([
      post.author,
      post.deleted?.by,
      post.duplicateOf?.by,
      ...answers.flatMap((a) => [a.author, a.deleted?.by, a.acceptedBy]),
      ...comments.map((c) => c.author),
      ...confirmers.map((c) => c.user),
    ]);
    const hidden = Boolean(post.deleted) && !moderator && String(post.author) !== viewer.id;
    const isAuthor = String(post.author) === viewer.id;
    if (!post.deleted) this.views.seen(id, viewer.id, String(post.author));
    const canAccept =
      post.kind === 'question' && !post.deleted && (isAuthor || can(viewer, 'answers.acceptAny'));

    const commentsFor = (type: 'post' | 'answer', targetId: string) =>
      presentComments(
        comments.filter((c) => c.targetType === type && String(c.targetId) === targetId),
        people,
        viewer,
      );

    return {
      post: {
        id,
        kind: post.kind as PostKind,
        title: hidden ? '' : post.title,
        author: people.get(String(post.author)),
        topics: post.topics.map((t) => topics.get(String(t))).filter((t): t is TopicRef => Boolean(t)),
        tags: post.tags,
        channel: post.channel,
        createdAt: post.createdAt,
        editedAt: post.editedAt,
        revision: post.revision,
        voteScore: post.voteScore,
        upvotes: post.upvotes,
        downvotes: post.downvotes,
        confirmations: post.confirmations,
        answerCount: post.answerCount,
        views: (post.views ?? 0) + this.views.pendingFor(id),
        acceptedAnswer: post.acceptedAnswer ? String(post.acceptedAnswer) : null,
        promotedTo: post.promotedTo?.number ? { number: post.promotedTo.number } : null,
        deleted: post.deleted
          ? {
              at: post.deleted.at,
              reason: post.deleted.reason,
              by: people.get(String(post.deleted.by)),
              bySelf: String(post.deleted.by) === String(post.author),
            }
          : null,
        hidden,
        duplicateOf: post.duplicateOf
          ? {
              id: duplicateOf,
              title: originals[0]?.title ?? null,
              by: people.get(String(post.duplicateOf.by)),
              at: post.duplicateOf.at,
              merged: Boolean(post.duplicateOf.merged),
            }
          : null,
      },
      content:
        hidden || !content
          ? null
          : {
              bodyHtml: content.bodyHtml,
              situationHtml: content.situationHtml,
              actionHtml: content.actionHtml,
              outcomeHtml: content.outcomeHtml,
              attachments: content.attachments.map((a) => ({
                ...a,
                url: `/attachments/${a.fileId}/${encodeURIComponent(a.filename)}`,
                // Thumbnails are stored as `thumb-<name>.webp` (attachments.ts).
                thumbUrl: a.thumbId
                  ? `/attachments/${a.thumbId}/${encodeURIComponent(`thumb-${a.filename}.webp`)}`
                  : null,
                shownName: a.displayName || a.filename,
              })),
            },
      confirmers: confirmers.map((c) => people.get(String(c.user))).filter((p): p is PersonRef => Boolean(p)),
      answers: answers.map((a) =>
        presentAnswer(a, { people, viewer, canAccept, comments: commentsFor('answer', String(a._id)) }),
      ),
      comments: commentsFor('post', id),
      viewer: {
        isAuthor,
        canEdit: this.#canEdit(post, viewer),
        canDelete: !post.deleted && this.#canEdit(post, viewer),
        canConfirm: confirmable(post.kind) && !post.deleted && !isAuthor,
        hasConfirmed: confirmers.some((c) => String(c.user) === viewer.id),
        canAnswer: post.kind === 'question' && !post.deleted && !post.duplicateOf,
        canCloseDuplicate:
          post.kind === 'question' &&
          !post.deleted &&
          !post.duplicateOf &&
          can(viewer, 'posts.closeDuplicate'),
        canReopen:
          Boolean(post.duplicateOf && !post.duplicateOf.merged) && can(viewer, 'posts.closeDuplicate'),
        canComment: !post.deleted,
        bookmarked: Boolean(bookmarked),
        isModerator: moderator,
      },
    };
  }

  /** Whether the person may see the post and follow it live: not deleted, or theirs, or a moderator. */
  async isVisibleTo(postId: string, viewer: SessionUser): Promise<boolean> {
    if (!/^[0-9a-f]{24}$/i.test(postId)) return false;
    const post = await Post.findById(postId, { author: 1, deleted: 1 }).lean();
    if (!post) return false;
    return !post.deleted || String(post.author) === viewer.id || isModerator(viewer);
  }

  /** The colleagues who have seen this case too, first ones first (the names under the count). */
  async confirmers(postId: string, viewer: SessionUser): Promise<PersonRef[]> {
    if (!(await this.isVisibleTo(postId, viewer))) throw new NotFoundError('posts.notFound');
    const found = await this.#deps.threads.confirmersOf(postId);
    const people = await this.#deps.directory.people(found.map((c) => c.user));
    return found.map((c) => people.get(String(c.user))).filter((p): p is PersonRef => Boolean(p));
  }

  /**
   * The live numbers of a post's page (`data-rt-counter` keys): its score,
   * confirmations, answers, and each answer's score.
   */
  async liveCounters(postId: string): Promise<Record<string, number>> {
    const post = await Post.findById(postId, { voteScore: 1, confirmations: 1, answerCount: 1 }).lean();
    if (!post) return {};
    const answers = (await this.#deps.threads.answersOf(postId)).filter((a) => !a.deleted);
    return {
      [`post:${postId}:score`]: post.voteScore,
      [`post:${postId}:confirmations`]: post.confirmations,
      [`post:${postId}:answers`]: post.answerCount,
      ...Object.fromEntries(answers.map((a) => [`answer:${String(a._id)}:score`, a.voteScore])),
    };
  }

  /** Answers and comments added to a post after `since` (what a reconnecting page missed). */
  async liveItemsSince(postId: string, since: Date) {
    const after = <T extends { createdAt: Date }>(list: T[], limit: number) =>
      list.filter((item) => item.createdAt.getTime() > since.getTime()).slice(0, limit);
    const [answers, comments] = await Promise.all([
      this.#deps.threads.answersOf(postId).then((list) => after(list, 50)),
      this.#deps.threads.commentsOf(postId).then((list) => after(list, 100)),
    ]);
    return [
      ...answers.map((a) => answerItem(postId, String(a._id))),
      ...comments.map((c) => commentItem(c.targetType, String(c.targetId), String(c._id))),
    ];
  }

  /** One answer as its question's page shows it (the fragment live updates insert). */
  async answerCard(answerId: string, viewer: SessionUser) {
    const answer = /^[0-9a-f]{24}$/i.test(answerId) ? await Answer.findById(answerId).lean() : null;
    if (!answer) throw new NotFoundError('answers.notFound');
    const postId = String(answer.post);
    const post = await Post.findById(answer.post, { author: 1, deleted: 1, kind: 1, promotedTo: 1 }).lean();
    if (!post || !(await this.isVisibleTo(postId, viewer))) throw new NotFoundError('answers.notFound');
    const comments = (await this.#deps.threads.commentsOf(postId)).filter(
      (c) => c.targetType === 'answer' && String(c.targetId) === answerId,
    );
    const people = await this.#deps.directory.people([
      answer.author,
      answer.acceptedBy,
      ...comments.map((c) => c.author),
    ]);
    const isAuthor = String(post.author) === viewer.id;
    return {
      postId,
      postDeleted: Boolean(post.deleted),
      postPromoted: Boolean(post.promotedTo?.number),
      answer: presentAnswer(answer, {
        people,
        viewer,
        canAccept: !post.deleted && (isAuthor || can(viewer, 'answers.acceptAny')),
        comments: presentComments(comments, people, viewer),
      }),
    };
  }

  /** The current text of a post, for its edit form. */
  async editable(postId: string, viewer: SessionUser) {
    const post = await this.#load(postId);
    if (!this.#canEdit(post, viewer)) throw new ForbiddenError('posts.cannotEdit');
    const content = await PostContent.findById(post._id).lean();
    return {
      id: String(post._id),
      kind: post.kind as PostKind,
      title: post.title,
      body: content?.body ?? '',
      situation: content?.situation ?? '',
      action: content?.action ?? '',
      outcome: content?.outcome ?? '',
      channel: post.channel ?? '',
      topics: post.topics.map(String),
      tags: post.tags.join(', '),
      attachments: (content?.attachments ?? []).map((a) => ({
        fileId: a.fileId,
        filename: a.displayName || a.filename,
        kind: a.kind,
        size: a.size,
      })),
    };
  }

  /**
   * Saves an edit as a new revision (full snapshot). Authors edit their own
   * posts; moderators any post. New files are added; listed ones removed.
   */
  async update(
    postId: string,
    actor: SessionUser,
    input: PostInput,
    files: UploadedFile[],
    removeFiles: string[],
  ): Promise<void> {
    const post = await this.#load(postId);
    if (!this.#canEdit(post, actor)) throw new ForbiddenError('posts.cannotEdit');
    if (post.kind !== input.kind) throw new ValidationError({ kind: { key: 'validation.invalid' } });
    const topics = await this.#checkTopics(input.topics);
    const content = await PostContent.findById(post._id).lean();
    if (!content) throw new NotFoundError('posts.notFound');
    const keep = content.attachments.filter((a) => !removeFiles.includes(a.fileId));
    const dropped = content.attachments.filter((a) => removeFiles.includes(a.fileId));
    const added = await storeAttachments(
      files,
      {
        ...this.#deps.limits,
        maxFiles: this.#deps.limits.maxFiles - keep.length,
        maxPostBytes: this.#deps.limits.maxPostBytes - keep.reduce((s, a) => s + a.size, 0),
      },
      this.#deps.storage,
      { post: postId, owner: String(post.author) },
    );
    const rendered = await this.#deps.renderer.render(textFields(input));
    const previousMentions = new Set(content.mentions.map(String));
    const now = this.#now();
    const number = post.revision + 1;

    const saved = await this.#deps.posts.revise(postId, post.revision, {
      card: {
        title: input.title,
        excerpt: excerpt(input.kind === 'insight' ? input.situation : input.body),
        topics,
        tags: input.tags,
        channel: input.kind === 'insight' ? input.channel : null,
        attachmentCount: keep.length + added.length,
        hasImage: [...keep, ...added].some((a) => a.kind === 'image'),
        editedAt: now,
        lastActivityAt: now,
        contentHash: contentHash(input),
      },
      content: {
        ...textFields(input),
        ...Object.fromEntries(Object.entries(rendered.html).map(([k, v]) => [`${k}Html`, v])),
        attachments: [...keep, ...added],
        mentions: rendered.mentions,
        citations: rendered.citations,
      },
    });
    if (!saved) {
      // Someone saved another revision since this edit began: it is refused, its new files removed.
      await removeAttachments(added, this.#deps.storage);
      throw new ConflictError('posts.editedMeanwhile');
    }
    await removeAttachments(dropped, this.#deps.storage);
    await Revision.create({
      _id: revisionId('post', postId, number),
      targetType: 'post',
      targetId: post._id,
      number,
      editor: actor.id,
      at: now,
      snapshot: {
        title: input.title,
        ...textFields(input),
        topics: input.topics.join(','),
        tags: input.tags.join(', '),
      },
    });
    if (String(post.author) !== actor.id) {
      await this.#deps.audit.record({
        actor: { id: actor.id, displayName: actor.displayName },
        action: 'moderation.editPost',
        target: { type: 'post', id: postId, label: input.title },
        details: { revision: number },
      });
    }
    await this.#deps.events.publish('post.updated', {
      postId,
      kind: post.kind as PostKind,
      authorId: String(post.author),
      editorId: actor.id,
      topicIds: topics.map(String),
      revision: number,
      at: now,
    });
    const newlyMentioned = rendered.mentions.filter((m) => !previousMentions.has(m) && m !== actor.id);
    if (newlyMentioned.length) {
      await this.#deps.events.publish('content.mentioned', {
        userIds: newlyMentioned,
        byId: actor.id,
        postId,
        targetType: 'post',
        targetId: postId,
        at: now,
      });
    }
  }

  /** Soft deletion by the author or a moderator, with a reason; the thread stays readable. */
  async remove(postId: string, actor: SessionUser, reason: string): Promise<void> {
    const post = await this.#load(postId);
    if (post.deleted) return;
    const isAuthor = String(post.author) === actor.id;
    if (!isAuthor && !isModerator(actor)) throw new ForbiddenError('posts.cannotDelete');
    // Its answers (and their credit) belong to the original now: the merged question stays as its pointer.
    if (post.duplicateOf?.merged) throw new ConflictError('posts.duplicates.mergedStays');
    if (!isAuthor && !reason) throw new ValidationError({ reason: { key: 'validation.reasonRequired' } });
    const now = this.#now();
    if (!(await this.#deps.posts.markDeleted(postId, { at: now, by: actor.id, reason }))) return;
    if (!isAuthor) {
      await this.#deps.audit.record({
        actor: { id: actor.id, displayName: actor.displayName },
        action: 'moderation.deletePost',
        target: { type: 'post', id: postId, label: post.title },
        details: { reason },
      });
    }
    await this.#deps.events.publish('post.deleted', {
      postId,
      kind: post.kind as PostKind,
      authorId: String(post.author),
      actorId: actor.id,
      topicIds: post.topics.map(String),
      reason,
      at: now,
    });
  }

  /**
   * "I've seen this too" on an insight, "I have this question too" on a
   * question: once per colleague, never on one's own post.
   */
  async confirm(postId: string, user: SessionUser): Promise<number> {
    const post = await this.#load(postId);
    if (!confirmable(post.kind) || post.deleted) throw new ConflictError('posts.cannotConfirm');
    if (String(post.author) === user.id) throw new ConflictError('posts.cannotConfirmOwn');
    try {
      await Confirmation.create({
        _id: confirmationId(postId, user.id),
        post: post._id,
        user: user.id,
        createdAt: this.#now(),
      });
    } catch (err) {
      if ((err as { code?: number }).code === 11000) return post.confirmations;
      throw err;
    }
    const updated = await Post.findOneAndUpdate(
      { _id: post._id },
      { $inc: { confirmations: 1 }, $set: { lastActivityAt: this.#now() } },
      { returnDocument: 'after' },
    ).lean();
    const count = updated?.confirmations ?? post.confirmations + 1;
    await this.#deps.events.publish('confirmation.added', {
      postId,
      postKind: post.kind as 'insight' | 'question',
      userId: user.id,
      authorId: String(post.author),
      topicIds: post.topics.map(String),
      count,
      at: this.#now(),
    });
    return count;
  }

  async unconfirm(postId: string, user: SessionUser): Promise<number> {
    const post = await this.#load(postId);
    const removed = await Confirmation.deleteOne({ _id: confirmationId(postId, user.id) });
    if (removed.deletedCount !== 1) return post.confirmations;
    const updated = await Post.findOneAndUpdate(
      { _id: post._id },
      { $inc: { confirmations: -1 } },
      { returnDocument: 'after' },
    ).lean();
    const count = updated?.confirmations ?? post.confirmations - 1;
    await this.#deps.events.publish('confirmation.removed', {
      postId,
      postKind: post.kind as 'insight' | 'question',
      userId: user.id,
      authorId: String(post.author),
      topicIds: post.topics.map(String),
      count,
      at: this.#now(),
    });
    return count;
  }

  async setBookmark(postId: string, user: SessionUser, on: boolean): Promise<void> {
    const post = await this.#load(postId);
    const id = bookmarkId(user.id, postId);
    if (!on) {
      await Bookmark.deleteOne({ _id: id });
      return;
    }
    if (post.deleted) throw new ConflictError('posts.deletedAlready');
    try {
      await Bookmark.create({ _id: id, user: user.id, post: post._id, createdAt: this.#now() });
    } catch (err) {
      if ((err as { code?: number }).code !== 11000) throw err;
    }
  }

  /** The revisions of a post, newest first. */
  async history(postId: string, viewer: SessionUser) {
    const post = await this.#load(postId);
    if (post.deleted && !isModerator(viewer) && String(post.author) !== viewer.id)
      throw new NotFoundError('posts.notFound');
    const revisions = await Revision.find({ targetType: 'post', targetId: post._id })
      .sort({ number: -1 })
      .lean();
    const people = await this.#deps.directory.people(revisions.map((r) => r.editor));
    return {
      post: { id: postId, title: post.title, kind: post.kind },
      revisions: revisions.map((r) => ({
        number: r.number,
        at: r.at,
        editor: people.get(String(r.editor)),
        note: r.note,
      })),
    };
  }

  /** A readable word-level diff between two revisions of a post, field by field. */
  async diff(postId: string, viewer: SessionUser, from: number, to: number, locale: Locale) {
    const history = await this.history(postId, viewer);
    const topics = await this.#deps.directory.topicListReader(locale);
    return { ...history, ...(await revisionDiff('post', postId, from, to, { topics })) };
  }

  /** Whether a viewer may download the files of a post (deleted posts: author and moderators). */
  async attachmentVisible(postId: string, viewer: SessionUser, ownerId?: string): Promise<boolean> {
    if (!/^[0-9a-f]{24}$/i.test(postId)) return false;
    const post = await Post.findById(postId, { deleted: 1, author: 1 }).lean();
    if (!post) return false;
    if (!post.deleted) return true;
    return isModerator(viewer) || String(post.author) === viewer.id || ownerId === viewer.id;
  }

  /**
   * Recomputes the "seen this too", answer and comment counters of every post
   * from their sources and reports (and with `fix`, repairs) any drift.
   */
  async reconcileCounters(fix: boolean): Promise<{
    checked: number;
    drifted: Array<{ id: string; field: string; stored: number; actual: number }>;
  }> {
    const count = async <T extends { _id: unknown }>(rows: T[], key: (row: T) => string) => {
      const map = new Map<string, number>();
      for (const row of rows) map.set(key(row), (map.get(key(row)) ?? 0) + 1);
      return map;
    };
    const [confirmations, answers, comments] = await Promise.all([
      Confirmation.find({}, { post: 1 })
        .lean()
        .then((rows) => count(rows, (r) => String(r.post))),
      Answer.find({ deleted: null }, { post: 1 })
        .lean()
        .then((rows) => count(rows, (r) => String(r.post))),
      Comment.find({ deleted: null, targetType: 'post' }, { post: 1 })
        .lean()
        .then((rows) => count(rows, (r) => String(r.post))),
    ]);
    const drifted: Array<{ id: string; field: string; stored: number; actual: number }> = [];
    const posts = await Post.find({}, { confirmations: 1, answerCount: 1, commentCount: 1 }).lean();
    for (const post of posts) {
      const id = String(post._id);
      const expected = {
        confirmations: confirmations.get(id) ?? 0,
        answerCount: answers.get(id) ?? 0,
        commentCount: comments.get(id) ?? 0,
      };
      for (const [field, actual] of Object.entries(expected)) {
        const stored = Number((post as Record<string, unknown>)[field] ?? 0);
        if (stored !== actual) drifted.push({ id, field, stored, actual });
      }
      if (fix && drifted.some((d) => d.id === id))
        await Post.updateOne({ _id: post._id }, { $set: expected }, { timestamps: false });
    }
    return { checked: posts.length, drifted };
  }

  /** Plain text of a post, for search indexing. */
  static searchableText = searchableText;
}

export interface DiffPart {
  value: string;
  added: boolean;
  removed: boolean;
}

/** Diff of two revisions of anything revisioned; fields that did not change are left out. */
export async function revisionDiff(
  targetType: 'post' | 'answer' | 'comment',
  targetId: string,
  from: number,
  to: number,
  /** How a field's stored value reads (topic ids as names), per field. */
  readable: Record<string, (value: string) => string> = {},
) {
  const [a, b] = await Promise.all([
    Revision.findById(revisionId(targetType, targetId, from)).lean(),
    Revision.findById(revisionId(targetType, targetId, to)).lean(),
  ]);
  if (!a || !b) throw new NotFoundError('posts.revisionNotFound');
  const before = a.snapshot as Record<string, string>;
  const after = b.snapshot as Record<string, string>;
  const read = (field: string, value: string | undefined) => (readable[field] ?? String)(value ?? '');
  const fields = [...new Set([...Object.keys(before), ...Object.keys(after)])]
    .filter((field) => (before[field] ?? '') !== (after[field] ?? ''))
    .map((field) => ({
      field,
      parts: diffWords(read(field, before[field]), read(field, after[field])).map(
        (p): DiffPart => ({
          value: p.value,
          added: Boolean(p.added),
          removed: Boolean(p.removed),
        }),
      ),
    }));
  return { from, to, fields };
}
