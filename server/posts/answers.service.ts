import { Types } from 'mongoose';
import { Answer } from '../../models/answer.ts';
import { Comment, type CommentTarget } from '../../models/comment.ts';
import { Post } from '../../models/post.ts';
import { Revision, revisionId } from '../../models/revision.ts';
import type { AuditService } from '../audit/audit.service.ts';
import { can } from '../auth/permissions.ts';
import type { SessionUser } from '../auth/session-user.ts';
import type { ContentRenderer } from '../content/renderer.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../core/errors.ts';
import type { EventBus } from '../core/events.ts';
import type { Directory } from '../people/directory.ts';
import { isModerator, presentComments, revisionDiff } from './posts.service.ts';
import './posts.events.ts';
import type { AnswerRow, ThreadsRepo } from './threads.repo.ts';

export interface AnswersDeps {
  /** The time of the facts (tests and the demo seed replay history with it). */
  clock?: () => Date;
  events: EventBus;
  audit: AuditService;
  renderer: ContentRenderer;
  threads: ThreadsRepo;
  directory: Directory;
}

/** A kind of commentable item another feature owns. */
export interface CommentTargetResolver {
  /** Its author, if it takes comments now (null: not found or closed). */
  find(id: string): Promise<{ authorId: string; postId: string | null } | null>;
  /** The page that shows it with its comments. */
  threadUrl(id: string): Promise<string | null>;
  /** Whether the person may read it (and so its comments). */
  visibleTo(id: string, viewer: SessionUser): Promise<boolean>;
}

function validId(id: string): boolean {
  return Types.ObjectId.isValid(id) && /^[0-9a-f]{24}$/i.test(id);
}

/** Answers to questions (with acceptance) and comments on posts and answers. */
export class AnswersService {
  readonly #deps: AnswersDeps;
  /** Commentable items outside posts (KB articles register theirs). */
  readonly #commentTargets = new Map<CommentTarget, CommentTargetResolver>();

  constructor(deps: AnswersDeps) {
    this.#deps = deps;
  }

  #now(): Date {
    return this.#deps.clock?.() ?? new Date();
  }

  /** Lets another feature (the KB) accept comments on its items. */
  registerCommentTarget(type: CommentTarget, resolver: CommentTargetResolver): void {
    this.#commentTargets.set(type, resolver);
  }

  /** The page where a comment's thread is read (its post, or the registered item's page). */
  async threadUrl(where: {
    postId: string | null;
    targetType: CommentTarget;
    targetId: string;
  }): Promise<string> {
    if (where.postId) return `/posts/${where.postId}`;
    const resolver = this.#commentTargets.get(where.targetType);
    return (resolver ? await resolver.threadUrl(where.targetId) : null) ?? '/';
  }

  /** One comment as its thread shows it (the fragment live updates insert), if the person may read the thread. */
  async commentCard(commentId: string, viewer: SessionUser) {
    const comment = validId(commentId) ? await Comment.findById(commentId).lean() : null;
    if (!comment) throw new NotFoundError('comments.notFound');
    let visible: boolean;
    if (comment.post) {
      const post = await Post.findById(comment.post, { author: 1, deleted: 1 }).lean();
      visible = Boolean(post && (!post.deleted || String(post.author) === viewer.id || isModerator(viewer)));
    } else {
      const resolver = this.#commentTargets.get(comment.targetType as CommentTarget);
      visible = Boolean(resolver && (await resolver.visibleTo(String(comment.targetId), viewer)));
    }
    if (!visible) throw new NotFoundError('comments.notFound');
    const [view] = presentComments([comment], await this.#deps.directory.people([comment.author]), viewer);
    return view!;
  }

  /** The comments on an item outside posts (posts load theirs with the thread). */
  async commentsOn(type: CommentTarget, targetId: string, viewer: SessionUser) {
    if (!validId(targetId)) return [];
    const comments = await this.#deps.threads.commentsOnItem(type, targetId);
    return presentComments(
      comments,
      await this.#deps.directory.people(comments.map((c) => c.author)),
      viewer,
    );
  }

  async #question(postId: string) {
    const post = validId(postId) ? await Post.findById(postId) : null;
    if (!post) throw new NotFoundError('posts.notFound');
    return post;
  }

  async #answer(answerId: string) {
    const answer = validId(answerId) ? await Answer.findById(answerId) : null;
    if (!answer) throw new NotFoundError('answers.notFound');
    return answer;
  }

  async create(postId: string, actor: SessionUser, body: string): Promise<string> {
    const post = await this.#question(postId);
    if (post.kind !== 'question') throw new ConflictError('answers.onlyQuestions');
    if (post.deleted) throw new ConflictError('posts.deletedAlready');
    if (post.duplicateOf) throw new ConflictError('answers.closedAsDuplicate');
    const rendered = await this.#deps.renderer.render({ body });
    const now = this.#now();
    const answer = await Answer.create({
      post: post._id,
      author: actor.id,
      body,
      bodyHtml: rendered.html.body,
      mentions: rendered.mentions,
      citations: rendered.citations,
      createdAt: now,
      updatedAt: now,
    });
    await Post.updateOne({ _id: post._id }, { $inc: { answerCount: 1 }, $set: { lastActivityAt: now } });
    await Revision.create({
      _id: revisionId('answer', String(answer._id), 1),
      targetType: 'answer',
      targetId: answer._id,
      number: 1,
      editor: actor.id,
      at: now,
      snapshot: { body },
    });
    await this.#deps.events.publish('answer.created', {
      answerId: String(answer._id),
      postId,
      authorId: actor.id,
      postAuthorId: String(post.author),
      topicIds: post.topics.map(String),
      at: now,
    });
    const mentioned = rendered.mentions.filter((m) => m !== actor.id);
    if (mentioned.length) {
      await this.#deps.events.publish('content.mentioned', {
        userIds: mentioned,
        byId: actor.id,
        postId,
        targetType: 'answer',
        targetId: String(answer._id),
        at: now,
      });
    }
    return String(answer._id);
  }

  async editable(answerId: string, actor: SessionUser) {
    const answer = await this.#answer(answerId);
    if (answer.deleted || (String(answer.author) !== actor.id && !isModerator(actor)))
      throw new ForbiddenError('answers.cannotEdit');
    const post = await Post.findById(answer.post, { title: 1 }).lean();
    return { id: answerId, postId: String(answer.post), postTitle: post?.title ?? '', body: answer.body };
  }

  async update(answerId: string, actor: SessionUser, body: string): Promise<string> {
    const answer = await this.#answer(answerId);
    if (answer.deleted || (String(answer.author) !== actor.id && !isModerator(actor)))
      throw new ForbiddenError('answers.cannotEdit');
    const rendered = await this.#deps.renderer.render({ body });
    const previous = new Set(answer.mentions.map(String));
    const now = this.#now();
    const number = answer.revision + 1;
    const saved = await this.#deps.threads.reviseAnswer(answerId, answer.revision, {
      body,
      bodyHtml: rendered.html.body,
      mentions: rendered.mentions,
      citations: rendered.citations,
      editedAt: now,
    });
    if (!saved) throw new ConflictError('answers.editedMeanwhile');
    await Revision.create({
      _id: revisionId('answer', answerId, number),
      targetType: 'answer',
      targetId: answer._id,
      number,
      editor: actor.id,
      at: now,
      snapshot: { body },
    });
    await Post.updateOne({ _id: answer.post }, { $set: { lastActivityAt: now } });
    if (String(answer.author) !== actor.id) {
      await this.#deps.audit.record({
        actor: { id: actor.id, displayName: actor.displayName },
        action: 'moderation.editAnswer',
        target: { type: 'answer', id: answerId },
        details: { revision: number },
      });
    }
    await this.#deps.events.publish('answer.updated', {
      answerId,
      postId: String(answer.post),
      authorId: String(answer.author),
      editorId: actor.id,
      revision: number,
      at: now,
    });
    const added = rendered.mentions.filter((m) => !previous.has(m) && m !== actor.id);
    if (added.length) {
      await this.#deps.events.publish('content.mentioned', {
        userIds: added,
        byId: actor.id,
        postId: String(answer.post),
        targetType: 'answer',
        targetId: answerId,
        at: now,
      });
    }
    return String(answer.post);
  }

  async remove(answerId: string, actor: SessionUser, reason: string): Promise<string> {
    const answer = await this.#answer(answerId);
    const postId = String(answer.post);
    if (answer.deleted) return postId;
    const isAuthor = String(answer.author) === actor.id;
    if (!isAuthor && !isModerator(actor)) throw new ForbiddenError('answers.cannotDelete');
    if (!isAuthor && !reason) throw new ValidationError({ reason: { key: 'validation.reasonRequired' } });
    const now = this.#now();
    const was = await this.#deps.threads.deleteAnswer(answerId, { at: now, by: actor.id, reason });
    if (!was) return postId;
    const post = await Post.findById(answer.post, { title: 1, topics: 1 }).lean();
    if (!isAuthor) {
      await this.#deps.audit.record({
        actor: { id: actor.id, displayName: actor.displayName },
        action: 'moderation.deleteAnswer',
        target: { type: 'answer', id: answerId, label: post?.title ?? '' },
        details: { reason },
      });
    }
    await this.#deps.events.publish('answer.deleted', {
      answerId,
      postId,
      authorId: String(answer.author),
      actorId: actor.id,
      topicIds: (post?.topics ?? []).map(String),
      wasAccepted: was.accepted,
      reason,
      at: now,
    });
    return postId;
  }

  /**
   * Accepts an answer: the asker, a team lead or a knowledge manager may; one
   * accepted answer per question (accepting another moves the mark).
   */
  async accept(answerId: string, actor: SessionUser): Promise<string> {
    const answer = await this.#answer(answerId);
    const post = await this.#question(String(answer.post));
    if (post.kind !== 'question' || post.deleted || answer.deleted)
      throw new ConflictError('answers.cannotAccept');
    if (String(post.author) !== actor.id && !can(actor, 'answers.acceptAny'))
      throw new ForbiddenError('answers.notAllowedToAccept');
    if (answer.accepted) return String(post._id);
    const now = this.#now();
    const outcome = await this.#deps.threads.accept(answerId, actor.id, now);
    const topicIds = post.topics.map(String);
    if (outcome.accepted) {
      await this.#deps.events.publish('answer.accepted', {
        answerId,
        postId: String(post._id),
        answerAuthorId: String(answer.author),
        acceptedById: actor.id,
        postAuthorId: String(post.author),
        topicIds,
        at: now,
      });
    }
    for (const was of outcome.unaccepted) await this.#unaccepted(was, actor, topicIds);
    return String(post._id);
  }

  async #unaccepted(answer: AnswerRow, actor: SessionUser, topicIds: string[]): Promise<void> {
    await this.#deps.events.publish('answer.unaccepted', {
      answerId: String(answer._id),
      postId: String(answer.post),
      answerAuthorId: String(answer.author),
      actorId: actor.id,
      topicIds,
      at: this.#now(),
    });
  }

  async unaccept(answerId: string, actor: SessionUser): Promise<string> {
    const answer = await this.#answer(answerId);
    const post = await this.#question(String(answer.post));
    if (String(post.author) !== actor.id && !can(actor, 'answers.acceptAny'))
      throw new ForbiddenError('answers.notAllowedToAccept');
    const was = await this.#deps.threads.unaccept(answerId);
    if (was) await this.#unaccepted(was, actor, post.topics.map(String));
    return String(post._id);
  }

  async answerHistory(answerId: string, viewer: SessionUser) {
    const answer = await this.#answer(answerId);
    if (answer.deleted && !isModerator(viewer) && String(answer.author) !== viewer.id)
      throw new NotFoundError('answers.notFound');
    const revisions = await Revision.find({ targetType: 'answer', targetId: answer._id })
      .sort({ number: -1 })
      .lean();
    const people = await this.#deps.directory.people(revisions.map((r) => r.editor));
    const post = await Post.findById(answer.post, { title: 1 }).lean();
    return {
      answer: { id: answerId, postId: String(answer.post), postTitle: post?.title ?? '' },
      revisions: revisions.map((r) => ({ number: r.number, at: r.at, editor: people.get(String(r.editor)) })),
    };
  }

  async answerDiff(answerId: string, viewer: SessionUser, from: number, to: number) {
    return {
      ...(await this.answerHistory(answerId, viewer)),
      ...(await revisionDiff('answer', answerId, from, to)),
    };
  }

  // Comments

  async #commentTarget(
    type: CommentTarget,
    targetId: string,
  ): Promise<{ authorId: string; postId: string | null; topicIds: string[] }> {
    if (!validId(targetId)) throw new NotFoundError('comments.targetNotFound');
    if (type === 'post') {
      const post = await Post.findById(targetId, { author: 1, deleted: 1, topics: 1 }).lean();
      if (!post || post.deleted) throw new NotFoundError('comments.targetNotFound');
      return { authorId: String(post.author), postId: targetId, topicIds: post.topics.map(String) };
    }
    if (type === 'answer') {
      const answer = await Answer.findById(targetId, { author: 1, post: 1, deleted: 1 }).lean();
      if (!answer || answer.deleted) throw new NotFoundError('comments.targetNotFound');
      const post = await Post.findById(answer.post, { topics: 1, deleted: 1 }).lean();
      if (!post || post.deleted) throw new NotFoundError('comments.targetNotFound');
      return {
        authorId: String(answer.author),
        postId: String(answer.post),
        topicIds: post.topics.map(String),
      };
    }
    const resolver = this.#commentTargets.get(type);
    const found = resolver ? await resolver.find(targetId) : null;
    if (!found) throw new NotFoundError('comments.targetNotFound');
    return { ...found, topicIds: [] };
  }

  async comment(
    type: CommentTarget,
    targetId: string,
    actor: SessionUser,
    body: string,
  ): Promise<{ commentId: string; postId: string | null }> {
    const target = await this.#commentTarget(type, targetId);
    const rendered = await this.#deps.renderer.render({ body });
    const now = this.#now();
    const comment = await Comment.create({
      targetType: type,
      targetId: new Types.ObjectId(targetId),
      post: target.postId ? new Types.ObjectId(target.postId) : null,
      author: actor.id,
      body,
      bodyHtml: rendered.html.body,
      mentions: rendered.mentions,
      createdAt: now,
      updatedAt: now,
    });
    await Revision.create({
      _id: revisionId('comment', String(comment._id), 1),
      targetType: 'comment',
      targetId: comment._id,
      number: 1,
      editor: actor.id,
      at: now,
      snapshot: { body },
    });
    if (type === 'post')
      await Post.updateOne(
        { _id: comment.post },
        { $inc: { commentCount: 1 }, $set: { lastActivityAt: now } },
      );
    if (type === 'answer') {
      await Answer.updateOne({ _id: comment.targetId }, { $inc: { commentCount: 1 } });
      await Post.updateOne({ _id: comment.post }, { $set: { lastActivityAt: now } });
    }
    await this.#deps.events.publish('comment.created', {
      commentId: String(comment._id),
      postId: target.postId,
      targetType: type,
      targetId,
      authorId: actor.id,
      targetAuthorId: target.authorId,
      topicIds: target.topicIds,
      at: now,
    });
    const mentioned = rendered.mentions.filter((m) => m !== actor.id);
    if (mentioned.length) {
      await this.#deps.events.publish('content.mentioned', {
        userIds: mentioned,
        byId: actor.id,
        postId: target.postId,
        targetType: 'comment',
        targetId: String(comment._id),
        at: now,
      });
    }
    return { commentId: String(comment._id), postId: target.postId };
  }

  async #comment(commentId: string) {
    const comment = validId(commentId) ? await Comment.findById(commentId) : null;
    if (!comment) throw new NotFoundError('comments.notFound');
    return comment;
  }

  async editableComment(commentId: string, actor: SessionUser) {
    const comment = await this.#comment(commentId);
    if (comment.deleted || (String(comment.author) !== actor.id && !isModerator(actor)))
      throw new ForbiddenError('comments.cannotEdit');
    return {
      id: commentId,
      body: comment.body,
      postId: comment.post ? String(comment.post) : null,
      targetType: comment.targetType as CommentTarget,
      targetId: String(comment.targetId),
    };
  }

  async updateComment(
    commentId: string,
    actor: SessionUser,
    body: string,
  ): Promise<{ postId: string | null; targetType: CommentTarget; targetId: string }> {
    const comment = await this.#comment(commentId);
    if (comment.deleted || (String(comment.author) !== actor.id && !isModerator(actor)))
      throw new ForbiddenError('comments.cannotEdit');
    const rendered = await this.#deps.renderer.render({ body });
    const now = this.#now();
    const number = comment.revision + 1;
    const saved = await this.#deps.threads.reviseComment(commentId, comment.revision, {
      body,
      bodyHtml: rendered.html.body,
      mentions: rendered.mentions,
      editedAt: now,
    });
    if (!saved) throw new ConflictError('comments.editedMeanwhile');
    await Revision.create({
      _id: revisionId('comment', commentId, number),
      targetType: 'comment',
      targetId: comment._id,
      number,
      editor: actor.id,
      at: now,
      snapshot: { body },
    });
    await this.#deps.events.publish('comment.updated', {
      commentId,
      postId: comment.post ? String(comment.post) : null,
      authorId: String(comment.author),
      editorId: actor.id,
      at: now,
    });
    return {
      postId: comment.post ? String(comment.post) : null,
      targetType: comment.targetType as CommentTarget,
      targetId: String(comment.targetId),
    };
  }

  async removeComment(
    commentId: string,
    actor: SessionUser,
    reason: string,
  ): Promise<{ postId: string | null; targetType: CommentTarget; targetId: string }> {
    const comment = await this.#comment(commentId);
    const where = {
      postId: comment.post ? String(comment.post) : null,
      targetType: comment.targetType as CommentTarget,
      targetId: String(comment.targetId),
    };
    if (comment.deleted) return where;
    const isAuthor = String(comment.author) === actor.id;
    if (!isAuthor && !isModerator(actor)) throw new ForbiddenError('comments.cannotDelete');
    const now = this.#now();
    if (!(await this.#deps.threads.deleteComment(commentId, { at: now, by: actor.id, reason }))) return where;
    if (comment.targetType === 'post')
      await Post.updateOne({ _id: comment.post }, { $inc: { commentCount: -1 } });
    if (comment.targetType === 'answer')
      await Answer.updateOne({ _id: comment.targetId }, { $inc: { commentCount: -1 } });
    if (!isAuthor) {
      await this.#deps.audit.record({
        actor: { id: actor.id, displayName: actor.displayName },
        action: 'moderation.deleteComment',
        target: { type: 'comment', id: commentId },
        details: { reason },
      });
    }
    await this.#deps.events.publish('comment.deleted', {
      commentId,
      postId: where.postId,
      targetType: where.targetType,
      targetId: where.targetId,
      authorId: String(comment.author),
      actorId: actor.id,
      at: now,
    });
    return where;
  }
}
