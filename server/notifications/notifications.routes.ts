import { type Request, type Response, Router } from 'express';
import { guard } from '../auth/guard.ts';
import { NotFoundError } from '../core/errors.ts';
import { safeRedirectPath, wantsJson } from '../core/http.ts';
import { parseInput } from '../core/validation.ts';
import { NOTIFICATION_RULES, NOTIFICATION_TYPES } from './notification-types.ts';
import { presentNotification } from './notifications.present.ts';
import { NOTIFICATIONS_FEED, UNREAD_COUNTER } from './notifications.realtime.ts';
import { listSchema, preferencesSchema } from './notifications.schemas.ts';
import { isNotificationId, type NotificationsService } from './notifications.service.ts';

/** Where a form goes back to: the notifications page it came from (with its filters). */
function backTo(req: Request): string {
  const next = safeRedirectPath((req.body as Record<string, unknown> | undefined)?.next, '/notifications');
  return next.startsWith('/notifications') ? next : '/notifications';
}

/** The notification center: the list, opening and marking read, and the per-type preferences. */
export function notificationsRoutes(notifications: NotificationsService): Router {
  const router = Router();

  router.get('/notifications', guard('app.use'), async (req: Request, res: Response) => {
    const filters = parseInput(listSchema, req.query);
    const user = req.user!;
    const page = await notifications.page(user.id, filters);
    res.render('pages/notifications/index', {
      title: req.t('notifications.title'),
      filters,
      cards: page.items.map((n) => presentNotification(n, req.t, req.locale)),
      nextCursor: page.nextCursor,
      types: NOTIFICATION_TYPES.map((type) => ({ type, label: req.t(`notifications.types.${type}.label`) })),
      feed: NOTIFICATIONS_FEED,
      // The feed shows live arrivals only of what its filters let through.
      accept: filters.type ?? NOTIFICATION_TYPES.join(' '),
      unreadOnly: filters.status === 'unread',
      unreadCounter: UNREAD_COUNTER,
      unread: await notifications.unreadCount(user.id),
    });
  });

  router.post('/notifications/read-all', guard('app.use'), async (req: Request, res: Response) => {
    const changed = await notifications.markAllRead(req.user!.id);
    if (wantsJson(req)) {
      res.json({ marked: changed, unread: await notifications.unreadCount(req.user!.id) });
      return;
    }
    req.session.flash = [{ type: 'success', key: 'notifications.allMarked' }];
    res.redirect(303, backTo(req));
  });

  router.get('/notifications/:id', guard('app.use'), async (req: Request, res: Response) => {
    const id = String(req.params.id);
    const notification = isNotificationId(id) ? await notifications.get(req.user!.id, id) : null;
    if (!notification) throw new NotFoundError('notifications.notFound');
    await notifications.markRead(req.user!.id, id);
    res.redirect(303, safeRedirectPath(notification.target.url, '/notifications'));
  });

  /** One notification's HTML, for the live feed of the notifications page. */
  router.get('/notifications/:id/card', guard('app.use'), async (req: Request, res: Response) => {
    const id = String(req.params.id);
    const notification = isNotificationId(id) ? await notifications.get(req.user!.id, id) : null;
    if (!notification) throw new NotFoundError('notifications.notFound');
    res.set('Cache-Control', 'no-store');
    res.render('partials/notification-card', {
      layout: false,
      ...presentNotification(notification, req.t, req.locale),
      next: '/notifications',
    });
  });

  router.post('/notifications/:id/read', guard('app.use'), async (req: Request, res: Response) => {
    const id = String(req.params.id);
    if (!(await notifications.markRead(req.user!.id, id))) throw new NotFoundError('notifications.notFound');
    if (wantsJson(req)) {
      res.json({ unread: await notifications.unreadCount(req.user!.id) });
      return;
    }
    res.redirect(303, backTo(req));
  });

  router.get('/settings/notifications', guard('profile.editOwn'), async (req: Request, res: Response) => {
    const enabled = await notifications.preferences(req.user!.id);
    res.render('pages/notifications/preferences', {
      title: req.t('notifications.preferences.title'),
      types: NOTIFICATION_TYPES.map((type) => ({
        type,
        enabled: enabled[type],
        optional: NOTIFICATION_RULES[type].optional,
      })),
    });
  });

  router.post('/settings/notifications', guard('profile.editOwn'), async (req: Request, res: Response) => {
    const input = parseInput(preferencesSchema, req.body);
    await notifications.setPreferences(req.user!.id, input.enabled);
    req.session.flash = [{ type: 'success', key: 'notifications.preferences.saved' }];
    res.redirect(303, '/settings/notifications');
  });

  return router;
}
