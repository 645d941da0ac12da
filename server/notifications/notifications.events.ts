import type { NotificationType } from './notification-types.ts';

/** Facts of the notification center (the realtime bridge sends them to the person's open pages). */
declare module '../core/events.ts' {
  interface DomainEvents {
    /** A notification was stored or grouped; `unread` is the new count when it changed. */
    'notification.received': {
      recipientId: string;
      notificationId: string;
      type: NotificationType;
      unread: number | null;
    };
    /** Notifications were marked read (one, or all); `unread` is the new count. */
    'notifications.read': { recipientId: string; unread: number };
  }
}
