import type { NextFunction, Request, Response } from 'express';
import type { NotificationsService } from './notifications.service.ts';

/**
 * The header's unread badge: pages rendered for a signed-in person get
 * `unreadNotifications`, read (one small document by `_id`) just before the
 * page renders, so redirects, JSON answers and fragments cost nothing. If the
 * count cannot be read, the page renders without it.
 */
export function unreadBadge(notifications: NotificationsService) {
  return (req: Request, res: Response, next: NextFunction) => {
    const user = req.user;
    if (!user) return next();
    const render = res.render.bind(res) as (...args: unknown[]) => void;
    res.render = ((...args: unknown[]) => {
      const options = args[1];
      const fragment =
        options !== null && typeof options === 'object' && (options as { layout?: unknown }).layout === false;
      // Fragments have no header; a failure page (the database may be away) does not wait for the badge.
      if (fragment || res.statusCode >= 500) return render(...args);
      notifications.unreadCount(user.id).then(
        (unread) => {
          res.locals.unreadNotifications = unread;
          render(...args);
        },
        (err: unknown) => {
          req.log?.warn({ err }, 'unread notification count unavailable');
          render(...args);
        },
      );
    }) as Response['render'];
    next();
  };
}
