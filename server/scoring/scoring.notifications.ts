import { Topic } from '../../models/topic.ts';
import type { EventBus } from '../core/events.ts';
import type { NotificationsService } from '../notifications/notifications.service.ts';
import './scoring.events.ts';

/** Levels and badges reach their holder as `award` notifications (opening one shows the profile's scores). */
export function subscribeScoreNotifications(events: EventBus, notifications: NotificationsService): void {
  events.on('score.levelReached', async (e) => {
    if (e.level === 'candidate') return;
    const topic = await Topic.findById(e.topicId, { names: 1, slug: 1 }).lean();
    if (!topic) return;
    await notifications.notify({
      recipientId: e.userId,
      type: 'award',
      variant: 'level',
      target: {
        kind: 'topic',
        id: e.topicId,
        title: { it: topic.names?.it ?? topic.slug, en: topic.names?.en ?? topic.slug },
        url: `/people/${e.userId}/scores#levels`,
      },
      data: { level: { key: `scores.levels.${e.level}` } },
    });
  });
  events.on('score.badgeEarned', async (e) => {
    await notifications.notify({
      recipientId: e.userId,
      type: 'award',
      variant: 'badge',
      target: {
        kind: 'badge',
        id: `${e.userId}:${e.badge}`,
        title: '',
        url: `/people/${e.userId}/scores#badges`,
      },
      data: { badge: { key: `scores.badges.${e.badge}.name` } },
    });
  });
}
