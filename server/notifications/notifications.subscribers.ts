import '../auth/auth.events.ts';
import type { EventBus } from '../core/events.ts';
import type { NotificationsService } from './notifications.service.ts';

/**
 * Domain events that notify someone. Identity events are wired here; the
 * other types are notified by their features' subscribers (see the README,
 * "Real time and notifications", for the call each one makes).
 */
export function subscribeNotifications(events: EventBus, notifications: NotificationsService): void {
  events.on('user.passwordResetByAdmin', async (e) => {
    await notifications.notify({
      recipientId: e.userId,
      type: 'passwordResetByAdmin',
      actorId: e.actorId,
      target: { kind: 'account', id: e.userId, title: '', url: '/settings/account' },
    });
  });
}
