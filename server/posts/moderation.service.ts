import { Types } from 'mongoose';
import { Answer } from '../../models/answer.ts';
import { Comment } from '../../models/comment.ts';
import { ContentFlag, type FlagReason, type FlagTarget } from '../../models/content-flag.ts';
import { Post } from '../../models/post.ts';
import type { AuditService } from '../audit/audit.service.ts';
import type { SessionUser } from '../auth/session-user.ts';
import { ConflictError, NotFoundError } from '../core/errors.ts';
import type { EventBus } from '../core/events.ts';
import { findByIds } from '../db/query.ts';
import type { Directory } from '../people/directory.ts';
import type { AnswersService } from './answers.service.ts';
import type { PostsService } from './posts.service.ts';
import './posts.events.ts';

export const MODERATION_PAGE_SIZE = 30;

/** Flags on posts, answers and comments, and the moderators' queue that resolves them. */
export class ModerationService {
  readonly #audit: AuditService;
  readonly #directory: Directory;
  readonly #events: EventBus;
  readonly #posts: PostsService;
  readonly #answers: AnswersService;

  constructor(deps: {
    audit: AuditService;
    events: EventBus;
    posts: PostsService;
    answers: AnswersService;
    directory: Directory;
  }) {
    this.#directory = deps.directory;
    this.#audit = deps.audit;
    this.#events = deps.events;
    this.#posts = deps.posts;
    this.#answers = deps.answers;
  }

  async #locate(type: FlagTarget, id: string): Promise<{ postId: Types.ObjectId; authorId: string }> {
    if (!/^[0-9a-f]{24}$/i.test(id)) throw new NotFoundError('moderation.targetNotFound');
    const oid = new Types.ObjectId(id);
    if (type === 'post') {
      const post = await Post.findById(oid, { author: 1, deleted: 1 }).lean();
      if (post && !post.deleted) return { postId: post._id, authorId: String(post.author) };
    } else if (type === 'answer') {
      const answer = await Answer.findById(oid, { author: 1, post: 1, deleted: 1 }).lean();
      if (answer && !answer.deleted) return { postId: answer.post, authorId: String(answer.author) };
    } else {
      const comment = await Comment.findById(oid, { author: 1, post: 1, deleted: 1 }).lean();
      if (comment?.post && !comment.deleted)
        return { postId: comment.post, authorId: String(comment.author) };
    }
    throw new NotFoundError('moderation.targetNotFound');
  }

  /** Anyone may flag content (not their own); one open flag per person and item. */
  async flag(
    type: FlagTarget,
    id: string,
    actor: SessionUser,
    reason: FlagReason,
    comment: string,
  ): Promise<string> {
    const target = await this.#locate(type, id);
    if (target.authorId === actor.id) throw new ConflictError('moderation.cannotFlagOwn');
    const open = await ContentFlag.exists({
      targetType: type,
      targetId: new Types.ObjectId(id),
      by: new Types.ObjectId(actor.id),
      status: 'open',
    });
    if (open) throw new ConflictError('moderation.alreadyFlagged');
    const flag = await ContentFlag.create({
      targetType: type,
      targetId: new Types.ObjectId(id),
      post: target.postId,
      by: actor.id,
      reason,
      comment,
    });
    await this.#events.publish('content.flagged', {
      flagId: String(flag._id),
      targetType: type,
      targetId: id,
      postId: String(target.postId),
      byId: actor.id,
      reason,
      at: new Date(),
    });
    return String(flag._id);
  }

  /** The open flags, oldest first, with the flagged text. */
  async queue(page: number) {
    const flags = await ContentFlag.find({ status: 'open' })
      .sort({ createdAt: 1 })
      .skip((page - 1) * MODERATION_PAGE_SIZE)
      .limit(MODERATION_PAGE_SIZE + 1)
      .lean();
    const shown = flags.slice(0, MODERATION_PAGE_SIZE);
    const ids = (type: FlagTarget) => shown.filter((f) => f.targetType === type).map((f) => f.targetId);
    const [posts, answers, comments] = await Promise.all([
      findByIds(Post, [...ids('post'), ...shown.map((f) => f.post)], {
        title: 1,
        excerpt: 1,
        author: 1,
        kind: 1,
      }),
      findByIds(Answer, ids('answer'), { body: 1, author: 1 }),
      findByIds(Comment, ids('comment'), { body: 1, author: 1 }),
    ]);
    const byId = new Map<string, { text: string; author: unknown; title?: string }>();
    for (const p of posts) byId.set(String(p._id), { text: p.excerpt, author: p.author, title: p.title });
    for (const a of answers) byId.set(String(a._id), { text: a.body.slice(0, 400), author: a.author });
    for (const c of comments) byId.set(String(c._id), { text: c.body.slice(0, 400), author: c.author });
    const people = await this.#directory.people([
      ...shown.map((f) => f.by),
      ...[...byId.values()].map((v) => v.author),
    ]);
    return {
      flags: shown.map((f) => {
        const item = byId.get(String(f.targetId));
        return {
          id: String(f._id),
          targetType: f.targetType,
          targetId: String(f.targetId),
          postId: String(f.post),
          postTitle: byId.get(String(f.post))?.title ?? '',
          text: item?.text ?? '',
          author: item ? people.get(String(item.author)) : undefined,
          by: people.get(String(f.by)),
          reason: f.reason,
          comment: f.comment,
          createdAt: f.createdAt,
        };
      }),
      page,
      hasNext: flags.length > MODERATION_PAGE_SIZE,
    };
  }

  /**
   * Resolves a flag: dismiss it, or delete the flagged item (with the reason);
   * "edited" records that a moderator fixed the text through the edit page.
   * Every decision is audited; other open flags on the same item close with it.
   */
  async resolve(
    flagId: string,
    actor: SessionUser,
    outcome: 'dismissed' | 'deleted' | 'edited',
    note: string,
  ): Promise<void> {
    const flag = /^[0-9a-f]{24}$/i.test(flagId) ? await ContentFlag.findById(flagId) : null;
    if (!flag) throw new NotFoundError('moderation.flagNotFound');
    if (flag.status !== 'open') throw new ConflictError('moderation.flagResolved');
    const targetId = String(flag.targetId);
    if (outcome === 'deleted') {
      const reason = note || 'moderation';
      if (flag.targetType === 'post') await this.#posts.remove(targetId, actor, reason);
      else if (flag.targetType === 'answer') await this.#answers.remove(targetId, actor, reason);
      else await this.#answers.removeComment(targetId, actor, reason);
    }
    const now = new Date();
    const closing: Record<string, unknown> =
      outcome === 'dismissed'
        ? { _id: flag._id }
        : { targetType: flag.targetType, targetId: flag.targetId, status: 'open' };
    await ContentFlag.updateMany(closing, {
      $set: { status: 'resolved', outcome, resolvedBy: actor.id, resolvedAt: now, note },
    });
    await this.#audit.record({
      actor: { id: actor.id, displayName: actor.displayName },
      action: `moderation.flag.${outcome}`,
      target: { type: flag.targetType, id: targetId },
      details: { reason: flag.reason, note },
    });
    await this.#events.publish('content.flagResolved', { flagId, outcome, actorId: actor.id, at: now });
  }

  async openCount(): Promise<number> {
    return ContentFlag.countDocuments({ status: 'open' });
  }
}
