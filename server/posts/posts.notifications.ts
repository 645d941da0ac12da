import { Answer } from '../../models/answer.ts';
import { Comment } from '../../models/comment.ts';
import { KbArticle } from '../../models/kb-article.ts';
import { Post } from '../../models/post.ts';
import type { EventBus } from '../core/events.ts';
import type { NotificationsService, NotificationTarget } from '../notifications/notifications.service.ts';
import './posts.events.ts';

/** Where a comment lives: its thread's title and the address of the comment in it. */
async function commentPlace(
  targetType: 'post' | 'answer' | 'article',
  targetId: string,
  postId: string | null,
  commentId: string,
): Promise<NotificationTarget | null> {
  if (targetType === 'article') {
    const article = await KbArticle.findById(targetId).select('number title').lean();
    if (!article) return null;
    return {
      kind: 'article',
      id: targetId,
      title: article.title,
      url: `/kb/${article.number}#comment-${commentId}`,
    };
  }
  if (!postId) return null;
  const title = await postTitle(postId);
  if (title === null) return null;
  return { kind: targetType, id: targetId, title, url: `/posts/${postId}#comment-${commentId}` };
}

/**
 * Who hears about what happens to posts, answers and comments:
 *
 * - a question's author, of each new answer ("3 new answers to your question …");
 * - the author of a post, answer or article, of each comment on it;
 * - an insight's author, of each colleague who has seen it too (grouped per insight);
 * - an answer's author, when it is accepted;
 * - the author of a post or answer someone else (a moderator) removed, with the reason;
 * - everyone mentioned with @name, except a person already told of the same
 *   answer or comment as the question's or the target's author.
 *
 * The notifications service drops a person's own actions, muted types and
 * inactive accounts.
 */
export function subscribePostNotifications(events: EventBus, notifications: NotificationsService): void {
  events.on('answer.created', async (e) => {
    const title = await postTitle(e.postId);
    if (title === null) return;
    await notifications.notify({
      recipientId: e.postAuthorId,
      type: 'answer',
      actorId: e.authorId,
      target: {
        kind: 'post',
        id: e.postId,
        title,
        url: `/posts/${e.postId}#answer-${e.answerId}`,
      },
    });
  });

  events.on('comment.created', async (e) => {
    const target = await commentPlace(e.targetType, e.targetId, e.postId, e.commentId);
    if (!target) return;
    await notifications.notify({
      recipientId: e.targetAuthorId,
      type: 'comment',
      actorId: e.authorId,
      target,
    });
  });

  events.on('confirmation.added', async (e) => {
    const title = await postTitle(e.postId);
    if (title === null) return;
    await notifications.notify({
      recipientId: e.authorId,
      type: 'seenThisToo',
      ...(e.postKind === 'question' ? { variant: 'question' } : {}),
      actorId: e.userId,
      target: { kind: 'post', id: e.postId, title, url: `/posts/${e.postId}#seen-this-too` },
    });
  });

  events.on('answer.accepted', async (e) => {
    const title = await postTitle(e.postId);
    if (title === null) return;
    await notifications.notify({
      recipientId: e.answerAuthorId,
      type: 'answerAccepted',
      actorId: e.acceptedById,
      target: {
        kind: 'answer',
        id: e.answerId,
        title,
        url: `/posts/${e.postId}#answer-${e.answerId}`,
      },
    });
  });

  // A post or answer removed by someone else (a moderator): its author is told, with the reason.
  const tellRemoved = async (
    e: { postId: string; authorId: string; actorId: string; reason: string },
    item: { kind: 'post' | 'answer'; id: string; url: string },
  ) => {
    if (e.actorId === e.authorId) return;
    const title = await postTitle(e.postId);
    if (title === null) return;
    const reason = e.reason.trim();
    await notifications.notify({
      recipientId: e.authorId,
      type: 'removedByModerator',
      variant: reason ? `${item.kind}WithReason` : item.kind,
      actorId: e.actorId,
      target: { kind: item.kind, id: item.id, title, url: item.url },
      data: reason ? { reason } : {},
    });
  };
  events.on('post.deleted', (e) => tellRemoved(e, { kind: 'post', id: e.postId, url: `/posts/${e.postId}` }));
  events.on('answer.deleted', (e) =>
    tellRemoved(e, { kind: 'answer', id: e.answerId, url: `/posts/${e.postId}#answer-${e.answerId}` }),
  );

  // A question closed as a duplicate (or merged) by a knowledge manager: its asker is told where it points.
  events.on('post.closedAsDuplicate', async (e) => {
    await notifications.notify({
      recipientId: e.authorId,
      type: 'closedAsDuplicate',
      ...(e.merged ? { variant: 'merged' } : {}),
      actorId: e.actorId,
      target: {
        kind: 'post',
        id: e.postId,
        title: e.title,
        url: `/posts/${e.merged ? e.originalId : e.postId}`,
      },
      data: { original: e.originalTitle },
    });
  });

  events.on('content.mentioned', async (e) => {
    let target: NotificationTarget | null = null;
    /** Already told of this very contribution by the answer or comment notification. */
    let toldAlready: string | null = null;
    if (e.targetType === 'comment') {
      const comment = await Comment.findById(e.targetId).select('targetType targetId post editedAt').lean();
      if (!comment) return;
      target = await commentPlace(
        comment.targetType,
        String(comment.targetId),
        comment.post ? String(comment.post) : null,
        e.targetId,
      );
      // Only a new comment told the target's author.
      if (!comment.editedAt) toldAlready = await authorOf(comment.targetType, String(comment.targetId));
    } else if (e.postId) {
      const post = await Post.findById(e.postId).select('title author').lean();
      if (!post) return;
      const anchor = e.targetType === 'answer' ? `#answer-${e.targetId}` : '';
      target = { kind: e.targetType, id: e.targetId, title: post.title, url: `/posts/${e.postId}${anchor}` };
      if (e.targetType === 'answer') {
        const answer = await Answer.findById(e.targetId).select('editedAt').lean();
        // Only the first version of an answer told the question's author.
        if (answer && !answer.editedAt) toldAlready = String(post.author);
      }
    }
    if (!target) return;
    const recipients = e.userIds.filter((id) => id !== toldAlready);
    await notifications.notifyEach(recipients, {
      type: 'mention',
      actorId: e.byId,
      target,
      groupKey: `${target.kind}:${target.id}`,
    });
  });
}

async function postTitle(postId: string): Promise<string | null> {
  return (await Post.findById(postId).select('title').lean())?.title ?? null;
}

async function authorOf(type: 'post' | 'answer' | 'article', id: string): Promise<string | null> {
  if (type === 'post') {
    const post = await Post.findById(id).select('author').lean();
    return post ? String(post.author) : null;
  }
  if (type === 'answer') {
    const answer = await Answer.findById(id).select('author').lean();
    return answer ? String(answer.author) : null;
  }
  const article = await KbArticle.findById(id).select('owner createdBy').lean();
  return article ? String(article.owner ?? article.createdBy) : null;
}
