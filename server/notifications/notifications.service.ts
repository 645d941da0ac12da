import { createHash, randomBytes } from 'node:crypto';
import { BadRequestError } from '../core/errors.ts';
import type { EventBus } from '../core/events.ts';
import type { Logger } from '../core/logger.ts';
import type { Directory } from '../people/directory.ts';
import {
  isNotificationType,
  NOTIFICATION_RULES,
  NOTIFICATION_TYPES,
  type NotificationType,
} from './notification-types.ts';
import type { NotificationCursor, NotificationRow, NotificationsRepo } from './notifications.repo.ts';
import './notifications.events.ts';

/** Notifications per page of the notifications page. */
export const NOTIFICATIONS_PAGE_SIZE = 30;

/** Text in the reader's language: one string for both, or one per language. */
export type LocalizedText = string | { it: string; en: string };

/** A message parameter: shown as is, in the reader's language, or translated from an i18n key. */
export type MessageParam = string | number | { it: string; en: string } | { key: string };

/** What a notification is about, and where opening it leads. */
export interface NotificationTarget {
  /** e.g. `post`, `answer`, `article`, `topic`, `account`, `reviewQueue`. */
  kind: string;
  id: string;
  title: LocalizedText;
  /** Same-site path opened from the notification (e.g. `/posts/<id>#answer-<id>`). */
  url: string;
}

export interface NotifyInput {
  recipientId: string;
  type: NotificationType;
  /** Who caused it (null: the system). A person is never notified of their own action. */
  actorId?: string | null;
  target: NotificationTarget;
  /**
   * Grouping key for grouped types: events with the same recipient, type and
   * key gather in one notification while it is unread. Default: the target
   * (`<kind>:<id>`), so "3 new answers on <question>".
   */
  groupKey?: string;
  /** Message variant, among the type's `variants` (award: `level` | `badge`). */
  variant?: string;
  /** Extra message parameters (e.g. `{ flag: { key: 'kb.flags.outdated' } }`). */
  data?: Record<string, MessageParam>;
}

export type NotifyOutcome =
  | { delivered: true; id: string; grouped: boolean; unread: number | null }
  | { delivered: false; reason: 'self' | 'muted' | 'unknownRecipient' | 'inactive' };

export interface NotificationView {
  id: string;
  type: NotificationType;
  variant: string | null;
  count: number;
  actorId: string | null;
  actorName: string | null;
  target: NotificationTarget;
  data: Record<string, MessageParam>;
  at: Date;
  readAt: Date | null;
  unread: boolean;
}

export interface ListFilters {
  type?: NotificationType;
  status?: 'all' | 'unread';
}

export interface NotificationPage {
  items: NotificationView[];
  /** Where the next (older) page starts; null on the last page. */
  nextCursor: string | null;
}

const ID = /^[A-Za-z0-9_-]{16}$/;
const CURSOR = /^(\d{1,15})\.([A-Za-z0-9_-]{16})$/;

/** A page's end as text: the last notification's time and id. */
function encodeCursor(row: { at: Date; id: string }): string {
  return `${row.at.getTime()}.${row.id}`;
}

/** The cursor of a page link; anything else is a bad request. */
export function decodeNotificationCursor(raw: string | undefined): NotificationCursor | undefined {
  if (raw === undefined || raw === '') return undefined;
  const match = CURSOR.exec(raw);
  if (!match) throw new BadRequestError();
  return { at: Number(match[1]), id: match[2]! };
}

export function isNotificationId(value: unknown): value is string {
  return typeof value === 'string' && ID.test(value);
}

function isUserId(value: unknown): value is string {
  return typeof value === 'string' && /^[0-9a-f]{24}$/i.test(value);
}

const groupId = (type: string, key: string) =>
  createHash('sha256').update(`${type}\n${key}`).digest('base64url').slice(0, 16);
const uniqueId = () => randomBytes(12).toString('base64url');

/** No NUL characters reach the engine, and stored texts stay short. */
function clean(text: string, max: number): string {
  return text.replaceAll('\0', '').slice(0, max);
}

function cleanText(text: LocalizedText, max: number): LocalizedText {
  return typeof text === 'string' ? clean(text, max) : { it: clean(text.it, max), en: clean(text.en, max) };
}

function cleanData(data: Record<string, MessageParam> | undefined): Record<string, MessageParam> {
  const out: Record<string, MessageParam> = {};
  for (const [key, value] of Object.entries(data ?? {}).slice(0, 10)) {
    if (!/^[a-zA-Z][a-zA-Z0-9]{0,30}$/.test(key)) throw new Error(`Invalid notification parameter: ${key}`);
    out[key] =
      typeof value === 'number'
        ? value
        : typeof value === 'string'
          ? clean(value, 200)
          : 'key' in value
            ? { key: clean(value.key, 100) }
            : { it: clean(value.it, 200), en: clean(value.en, 200) };
  }
  return out;
}

function toView(row: NotificationRow): NotificationView | null {
  if (!isNotificationType(row.type) || !row.target || !row.at) return null;
  return {
    id: row.id,
    type: row.type,
    variant: row.variant,
    count: row.count,
    actorId: row.actorId,
    actorName: row.actorName,
    target: row.target as NotificationTarget,
    data: row.data as Record<string, MessageParam>,
    at: row.at,
    readAt: row.readAt,
    unread: !row.readAt,
  };
}

const views = (rows: NotificationRow[]) =>
  rows.map(toView).filter((view): view is NotificationView => view !== null);

/**
 * The notification center. Every feature notifies through `notify()` (usually
 * from a domain-event subscriber); it stores the notification for the
 * recipient unless it is their own action, the person turned the type off,
 * or the account is inactive, and groups repeated events on one item.
 *
 * Every notification is kept (one document each, see models/notification.ts),
 * and pages read them newest first by cursor through the repository.
 *
 * The unread count is a counter (models/notification-state.ts) moved with
 * $inc only by transitions this service observes in an update's "before"
 * image (was the notification there, was it unread?), so it equals the number
 * of unread notifications without ever counting them; `reconcile()` proves it
 * and repairs it after a crash between two writes.
 *
 * The embedded engine does not apply concurrent updates of one document
 * atomically (of 20 concurrent $inc, one survives), so every change to a
 * person's notifications runs in order, one at a time, per person on this
 * instance. Several instances sharing the embedded engine can still race on
 * one person; with MongoDB every update is atomic and the counter exact.
 */
export class NotificationsService {
  readonly #events: EventBus;
  readonly #logger: Logger;
  readonly #repo: NotificationsRepo;
  readonly #directory: Directory;
  /** The tail of each person's queue of changes. */
  readonly #queues = new Map<string, Promise<unknown>>();

  constructor(deps: { events: EventBus; logger: Logger; repo: NotificationsRepo; directory: Directory }) {
    this.#events = deps.events;
    this.#logger = deps.logger;
    this.#repo = deps.repo;
    this.#directory = deps.directory;
  }

  /** Runs `change` after the person's earlier changes on this instance have finished. */
  #inOrder<T>(userId: string, change: () => Promise<T>): Promise<T> {
    const previous = this.#queues.get(userId) ?? Promise.resolve();
    const run = previous.then(change, change);
    const tail = run.catch(() => {});
    this.#queues.set(userId, tail);
    void tail.then(() => {
      if (this.#queues.get(userId) === tail) this.#queues.delete(userId);
    });
    return run;
  }

  async notify(input: NotifyInput): Promise<NotifyOutcome> {
    const rule = NOTIFICATION_RULES[input.type];
    if (!rule) throw new Error(`Unknown notification type: ${String(input.type)}`);
    if (!isUserId(input.recipientId)) throw new Error(`Invalid recipient: ${input.recipientId}`);
    const actorId = input.actorId ?? null;
    if (actorId !== null && !isUserId(actorId)) throw new Error(`Invalid actor: ${actorId}`);
    if (input.variant !== undefined && !rule.variants?.includes(input.variant)) {
      throw new Error(`Notification type ${input.type} has no variant "${input.variant}"`);
    }
    if (!input.target.url.startsWith('/') || input.target.url.startsWith('//')) {
      throw new Error(`A notification links to a same-site path, not ${input.target.url}`);
    }
    if (actorId === input.recipientId) return { delivered: false, reason: 'self' };

    const people = await this.#directory.people([input.recipientId, actorId]);
    const recipient = people.get(input.recipientId);
    if (!recipient) return { delivered: false, reason: 'unknownRecipient' };
    if (!recipient.active) return { delivered: false, reason: 'inactive' };
    if (rule.optional && (await this.#repo.muted(input.recipientId)).includes(input.type)) {
      return { delivered: false, reason: 'muted' };
    }
    const actorName = actorId ? (people.get(actorId)?.displayName ?? null) : null;
    const id = rule.grouped
      ? groupId(input.type, input.groupKey ?? `${input.target.kind}:${input.target.id}`)
      : uniqueId();
    const item = {
      type: input.type,
      variant: input.variant ?? null,
      actorId,
      actorName,
      target: {
        kind: clean(input.target.kind, 40),
        id: clean(input.target.id, 100),
        title: cleanText(input.target.title, 300),
        url: clean(input.target.url, 500),
      },
      data: cleanData(input.data),
    };

    const stored = await this.#inOrder(input.recipientId, () => this.#store(input.recipientId, id, item));
    await this.#events.publish('notification.received', {
      recipientId: input.recipientId,
      notificationId: id,
      type: input.type,
      unread: stored.unread,
    });
    return { delivered: true, id, grouped: stored.grouped, unread: stored.unread };
  }

  /** Stores one event: a new notification, or one more in its group. */
  async #store(
    recipientId: string,
    id: string,
    item: Parameters<NotificationsRepo['record']>[2],
  ): Promise<{ grouped: boolean; unread: number | null }> {
    const { before } = await this.#repo.record(recipientId, id, item, new Date());
    // New, or a read one opening again: one more unread.
    const opened = !before || before.readAt !== null;
    return {
      grouped: Boolean(before),
      unread: opened ? await this.#repo.moveUnreadCounter(recipientId, 1) : null,
    };
  }

  /** Notifies several people of the same event (each gets their own; the actor is skipped). */
  async notifyEach(recipientIds: Iterable<string>, input: Omit<NotifyInput, 'recipientId'>) {
    const outcomes = new Map<string, NotifyOutcome>();
    for (const recipientId of new Set(recipientIds)) {
      outcomes.set(recipientId, await this.notify({ ...input, recipientId }));
    }
    return outcomes;
  }

  /** A page of a person's notifications, newest first, from a page link's cursor. */
  async page(userId: string, filters: ListFilters & { cursor?: string } = {}): Promise<NotificationPage> {
    const after = decodeNotificationCursor(filters.cursor);
    const rows = await this.#repo.page(userId, {
      type: filters.type,
      unreadOnly: filters.status === 'unread',
      after,
      limit: NOTIFICATIONS_PAGE_SIZE + 1,
    });
    const page = rows.slice(0, NOTIFICATIONS_PAGE_SIZE);
    const last = page[page.length - 1];
    return {
      items: views(page),
      nextCursor: rows.length > NOTIFICATIONS_PAGE_SIZE && last ? encodeCursor(last) : null,
    };
  }

  /** A person's newest notifications (at most `limit`), newest first. */
  async list(userId: string, filters: ListFilters = {}, limit = 200): Promise<NotificationView[]> {
    return views(
      await this.#repo.page(userId, { type: filters.type, unreadOnly: filters.status === 'unread', limit }),
    );
  }

  /** Unread notifications whose last event came after `since` (what a reconnecting page missed). */
  async unreadSince(userId: string, since: Date, limit = 50): Promise<NotificationView[]> {
    return views(await this.#repo.page(userId, { unreadOnly: true, since, limit }));
  }

  async get(userId: string, id: string): Promise<NotificationView | null> {
    if (!isNotificationId(id)) return null;
    const row = await this.#repo.get(userId, id);
    return row ? toView(row) : null;
  }

  /** The badge value (the maintained counter): one read of a small document by `_id`. */
  async unreadCount(userId: string): Promise<number> {
    return this.#repo.unreadCounter(userId);
  }

  /** Marks one notification read; false when it does not exist. */
  async markRead(userId: string, id: string): Promise<boolean> {
    if (!isNotificationId(id)) return false;
    const unread = await this.#inOrder(userId, async () => {
      const before = await this.#repo.markRead(userId, id, new Date());
      if (before === null) return undefined;
      return before === 'read' ? null : await this.#repo.moveUnreadCounter(userId, -1);
    });
    if (unread === undefined) return false;
    if (unread !== null) await this.#announceRead(userId, unread);
    return true;
  }

  /** Marks every notification read; returns how many were unread. */
  async markAllRead(userId: string): Promise<number> {
    const outcome = await this.#inOrder(userId, async () => {
      const changed = await this.#repo.markAllRead(userId, new Date());
      return {
        changed,
        counter: changed > 0 ? await this.#repo.moveUnreadCounter(userId, -changed) : null,
      };
    });
    if (outcome.counter !== null) await this.#announceRead(userId, outcome.counter);
    return outcome.changed;
  }

  async #announceRead(userId: string, unread: number): Promise<void> {
    await this.#events.publish('notifications.read', { recipientId: userId, unread });
  }

  /** The types a person receives in the app (all but those turned off). */
  async preferences(userId: string): Promise<Record<NotificationType, boolean>> {
    const muted = new Set(await this.#repo.muted(userId));
    return Object.fromEntries(
      NOTIFICATION_TYPES.map((type) => [type, !NOTIFICATION_RULES[type].optional || !muted.has(type)]),
    ) as Record<NotificationType, boolean>;
  }

  /** Keeps the listed optional types on and turns the others off. */
  async setPreferences(userId: string, enabled: readonly NotificationType[]): Promise<void> {
    const muted = NOTIFICATION_TYPES.filter(
      (type) => NOTIFICATION_RULES[type].optional && !enabled.includes(type),
    );
    await this.#inOrder(userId, () => this.#repo.setMuted(userId, muted));
  }

  /**
   * Proves the counter equals the unread notifications and repairs it when it
   * does not (after a crash between the two writes of a change).
   */
  async reconcile(userId: string): Promise<{ counter: number; actual: number; repaired: boolean }> {
    const result = await this.#inOrder(userId, async () => {
      const counter = await this.#repo.unreadCounter(userId);
      const actual = await this.#repo.countUnread(userId);
      if (counter === actual) return { counter, actual, repaired: false };
      await this.#repo.setUnreadCounter(userId, actual);
      this.#logger.warn({ userId, counter, actual }, 'unread notification counter repaired');
      return { counter, actual, repaired: true };
    });
    if (result.repaired) await this.#announceRead(userId, result.actual);
    return result;
  }

  /** Reconciles every person who has notifications (a maintenance command). */
  async reconcileAll(): Promise<{ checked: number; repaired: number }> {
    let checked = 0;
    let repaired = 0;
    for (const userId of await this.#repo.recipients()) {
      if (!isUserId(userId)) continue;
      checked++;
      if ((await this.reconcile(userId)).repaired) repaired++;
    }
    return { checked, repaired };
  }
}
