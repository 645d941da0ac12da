import { KbArticle } from '../../models/kb-article.ts';
import { User } from '../../models/user.ts';
import type { EventBus } from '../core/events.ts';
import type { NotificationsService } from '../notifications/notifications.service.ts';
import './kb.events.ts';

/** Grouping key of the review queue: one notification counts what waits in it. */
export const REVIEW_QUEUE_GROUP = 'review-queue';

async function knowledgeManagerIds(): Promise<string[]> {
  const people = await User.find({ roles: 'knowledge_manager', active: true }).select('_id').lean();
  return people.map((p) => String(p._id));
}

const articleUrl = (number: number) => `/kb/${number}`;

/**
 * Who hears about the knowledge base:
 *
 * - the people credited on a promoted post or answer, that it became an article;
 * - an article's owner, of each reader's flag (outdated, incorrect, unclear, other);
 * - knowledge managers, of what enters their review queue: drafts submitted
 *   for review, readers' flags (the owner is told of a flag once, as its owner)
 *   and published articles past their review date.
 */
export function subscribeKbNotifications(events: EventBus, notifications: NotificationsService): void {
  events.on('kb.promoted', async (e) => {
    const article = await KbArticle.findById(e.articleId).select('title').lean();
    if (!article) return;
    await notifications.notifyEach(e.creditedUserIds, {
      type: 'promoted',
      actorId: e.actorId,
      target: { kind: 'article', id: e.articleId, title: article.title, url: articleUrl(e.number) },
    });
  });

  events.on('kb.flagged', async (e) => {
    const flag = { key: `kb.flags.kinds.${e.kind}` };
    if (e.ownerId) {
      await notifications.notify({
        recipientId: e.ownerId,
        type: 'articleFlagged',
        actorId: e.byId,
        target: {
          kind: 'article',
          id: e.articleId,
          title: e.title,
          url: `${articleUrl(e.number)}#flags-heading`,
        },
        data: { flag },
      });
    }
    const managers = (await knowledgeManagerIds()).filter((id) => id !== e.ownerId);
    await notifications.notifyEach(managers, {
      type: 'reviewPending',
      actorId: e.byId,
      target: { kind: 'reviewQueue', id: e.articleId, title: e.title, url: '/kb/queue' },
      groupKey: REVIEW_QUEUE_GROUP,
    });
  });

  events.on('kb.overdue', async (e) => {
    await notifications.notifyEach(await knowledgeManagerIds(), {
      type: 'reviewPending',
      actorId: null,
      target: { kind: 'reviewQueue', id: e.articleId, title: e.title, url: '/kb/queue' },
      groupKey: REVIEW_QUEUE_GROUP,
    });
  });

  events.on('kb.stateChanged', async (e) => {
    if (e.to !== 'review') return;
    await notifications.notifyEach(await knowledgeManagerIds(), {
      type: 'reviewPending',
      actorId: e.actorId,
      target: { kind: 'reviewQueue', id: e.articleId, title: e.title, url: '/kb/queue' },
      groupKey: REVIEW_QUEUE_GROUP,
    });
  });
}
