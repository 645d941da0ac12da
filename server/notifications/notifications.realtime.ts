import type { RealtimeBridge } from '../realtime/realtime.bridge.ts';
import { rooms } from '../realtime/rooms.ts';
import type { NotificationsService } from './notifications.service.ts';
import './notifications.events.ts';

/** Counter key of the unread badge (`data-rt-counter` in views/partials/notifications-badge.hbs). */
export const UNREAD_COUNTER = 'notifications:unread';
/** Feed of the notifications page (`data-rt-feed` in views/pages/notifications/index.hbs). */
export const NOTIFICATIONS_FEED = 'notifications';

export const cardUrl = (id: string) => `/notifications/${id}/card`;

/** The person's open pages learn of new notifications and of the unread count. */
export function notificationsRealtime(bridge: RealtimeBridge, notifications: NotificationsService): void {
  bridge.on('notification.received', (e) => [
    ...(e.unread === null
      ? []
      : [{ to: rooms.user(e.recipientId), counters: { [UNREAD_COUNTER]: e.unread } }]),
    {
      to: rooms.user(e.recipientId),
      item: {
        feed: NOTIFICATIONS_FEED,
        id: e.notificationId,
        url: cardUrl(e.notificationId),
        tags: [e.type],
      },
    },
  ]);
  bridge.on('notifications.read', (e) => ({
    to: rooms.user(e.recipientId),
    counters: { [UNREAD_COUNTER]: e.unread },
  }));
  bridge.onResync('user', async (user, _id, since) => {
    const unread = await notifications.unreadCount(user.id);
    // Only unread notifications can be new, so an empty badge means nothing to fetch.
    const fresh = unread > 0 && since ? await notifications.unreadSince(user.id, since) : [];
    return {
      counters: { [UNREAD_COUNTER]: unread },
      items: fresh.map((n) => ({ feed: NOTIFICATIONS_FEED, id: n.id, url: cardUrl(n.id), tags: [n.type] })),
    };
  });
}
