import type { Locale } from '../config.ts';
import type { TFunction } from '../core/i18n.ts';
import { NOTIFICATION_RULES } from './notification-types.ts';
import type { LocalizedText, MessageParam, NotificationView } from './notifications.service.ts';

/** A notification as pages show it, in the reader's language. */
export interface NotificationCard {
  id: string;
  type: string;
  typeLabel: string;
  unread: boolean;
  message: string;
  /** Opens the notification: marks it read and goes to its target. */
  openUrl: string;
  at: Date;
  actorId: string | null;
  actorName: string | null;
  count: number;
}

export function localize(text: LocalizedText | undefined, lang: Locale): string {
  if (text === undefined) return '';
  return typeof text === 'string' ? text : (text[lang] ?? text.it ?? '');
}

function param(value: MessageParam, t: TFunction, lang: Locale): string | number {
  if (typeof value === 'string' || typeof value === 'number') return value;
  if ('key' in value) return t(value.key) as string;
  return localize(value, lang);
}

/**
 * The sentence of a notification: `notifications.types.<type>.<variant or
 * "message">`, plural by the number of grouped events for grouped types.
 */
export function notificationMessage(n: NotificationView, t: TFunction, lang: Locale): string {
  const params: Record<string, string | number> = {};
  for (const [key, value] of Object.entries(n.data)) params[key] = param(value, t, lang);
  params.actor = n.actorName ?? (t('notifications.someone') as string);
  params.title = localize(n.target.title, lang);
  const key = `notifications.types.${n.type}.${n.variant ?? 'message'}`;
  if (NOTIFICATION_RULES[n.type].grouped) params.count = n.count;
  return t(key, params) as string;
}

export function presentNotification(n: NotificationView, t: TFunction, lang: Locale): NotificationCard {
  return {
    id: n.id,
    type: n.type,
    typeLabel: t(`notifications.types.${n.type}.label`) as string,
    unread: n.unread,
    message: notificationMessage(n, t, lang),
    openUrl: `/notifications/${n.id}`,
    at: n.at,
    actorId: n.actorId,
    actorName: n.actorName,
    count: n.count,
  };
}
