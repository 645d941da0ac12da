import { createHash, randomBytes } from 'node:crypto';
import { Types } from 'mongoose';
import { NOTIFICATION_INBOX_SIZE, NotificationInbox } from '../../models/notification-inbox.ts';
import { NotificationState } from '../../models/notification-state.ts';
import { User } from '../../models/user.ts';
import type { EventBus } from '../core/events.ts';
import type { Logger } from '../core/logger.ts';
import { op } from '../db/query.ts';
import {
  isNotificationType,
  NOTIFICATION_RULES,
  NOTIFICATION_TYPES,
  type NotificationType,
} from './notification-types.ts';
import './notifications.events.ts';

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

interface StoredItem {
  type: string;
  variant?: string | null;
  count?: number;
  actorId?: string | null;
  actorName?: string | null;
  target: NotificationTarget;
  data?: Record<string, MessageParam>;
  at: Date;
  readAt?: Date | null;
}

type StoredItems = Record<string, StoredItem | undefined>;

/** The notifications of an inbox document (lean: a plain object), or none. */
const itemsOf = (inbox: unknown): StoredItems => (inbox as { items?: StoredItems } | null)?.items ?? {};

const ID = /^[A-Za-z0-9_-]{16}$/;

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

function toView(id: string, item: StoredItem): NotificationView | null {
  if (!isNotificationType(item.type) || !item.target || !item.at) return null;
  return {
    id,
    type: item.type,
    variant: item.variant ?? null,
    count: Math.max(1, item.count ?? 1),
    actorId: item.actorId ?? null,
    actorName: item.actorName ?? null,
    target: item.target,
    data: item.data ?? {},
    at: new Date(item.at),
    readAt: item.readAt ? new Date(item.readAt) : null,
    unread: !item.readAt,
  };
}

/**
 * The notification center. Every feature notifies through `notify()` (usually
 * from a domain-event subscriber); it stores the notification for the
 * recipient unless it is their own action, the person turned the type off,
 * or the account is inactive, and groups repeated events on one item.
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
  /** The tail of each person's queue of changes. */
  readonly #queues = new Map<string, Promise<unknown>>();

  constructor(deps: { events: EventBus; logger: Logger }) {
    this.#events = deps.events;
    this.#logger = deps.logger;
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

    const recipient = await User.findById(input.recipientId).select('active').lean();
    if (!recipient) return { delivered: false, reason: 'unknownRecipient' };
    if (!recipient.active) return { delivered: false, reason: 'inactive' };
    if (rule.optional) {
      const state = await NotificationState.findById(input.recipientId).lean();
      if ((state?.muted ?? []).includes(input.type)) return { delivered: false, reason: 'muted' };
    }
    const actorName = actorId
      ? ((await User.findById(actorId).select('displayName').lean())?.displayName ?? null)
      : null;
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

  /** Writes one event into the inbox: a new notification, or one more in its group. */
  async #store(
    recipientId: string,
    id: string,
    item: Omit<StoredItem, 'at' | 'count' | 'readAt'>,
  ): Promise<{ grouped: boolean; unread: number | null }> {
    const path = `items.${id}`;
    const set: Record<string, unknown> = { [`${path}.at`]: new Date(), [`${path}.readAt`]: null };
    for (const [key, value] of Object.entries(item)) set[`${path}.${key}`] = value;
    const before = await NotificationInbox.findOneAndUpdate(
      { _id: recipientId },
      { $set: set, $inc: { [`${path}.count`]: 1 } },
      { upsert: true, returnDocument: 'before' },
    ).lean();
    const items = itemsOf(before);
    const previous = items[id];
    let delta = 0;
    if (!previous) delta = 1;
    else if (previous.readAt) {
      // A read notification opens again: it counts the events since then.
      delta = 1;
      await NotificationInbox.updateOne(
        { _id: recipientId },
        { $inc: { [`${path}.count`]: -Math.max(0, previous.count ?? 0) } },
      );
    }
    if (!previous && Object.keys(items).length >= NOTIFICATION_INBOX_SIZE) {
      delta -= await this.#prune(recipientId, items, id);
    }
    return {
      grouped: Boolean(previous),
      unread: delta !== 0 ? await this.#moveCounter(recipientId, delta) : null,
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

  /** Removes the oldest notifications beyond the inbox size; returns how many of them were unread. */
  async #prune(recipientId: string, items: StoredItems, keep: string): Promise<number> {
    const oldest = Object.entries(items)
      .filter(([key]) => key !== keep)
      // Read ones go first, then the oldest.
      .sort(([, a], [, b]) => Number(!a?.readAt) - Number(!b?.readAt) || +(a?.at ?? 0) - +(b?.at ?? 0))
      .slice(0, Object.keys(items).length + 1 - NOTIFICATION_INBOX_SIZE)
      .map(([key]) => key);
    if (oldest.length === 0) return 0;
    const before = await NotificationInbox.findOneAndUpdate(
      { _id: recipientId },
      { $unset: Object.fromEntries(oldest.map((key) => [`items.${key}`, ''])) },
      { returnDocument: 'before' },
    ).lean();
    const was = itemsOf(before);
    return oldest.filter((key) => was[key] && !was[key].readAt).length;
  }

  async #moveCounter(userId: string, delta: number): Promise<number> {
    const after = await NotificationState.findOneAndUpdate(
      { _id: userId },
      { $inc: { unread: delta } },
      { upsert: true, returnDocument: 'after' },
    ).lean();
    return Math.max(0, after?.unread ?? 0);
  }

  /** A person's notifications, newest first. */
  async list(userId: string, filters: ListFilters = {}): Promise<NotificationView[]> {
    const inbox = await NotificationInbox.findById(userId).lean();
    return Object.entries(itemsOf(inbox))
      .map(([id, item]) => (item ? toView(id, item) : null))
      .filter((view): view is NotificationView => view !== null)
      .filter((view) => !filters.type || view.type === filters.type)
      .filter((view) => filters.status !== 'unread' || view.unread)
      .sort((a, b) => b.at.getTime() - a.at.getTime() || a.id.localeCompare(b.id));
  }

  async get(userId: string, id: string): Promise<NotificationView | null> {
    if (!isNotificationId(id)) return null;
    const inbox = await NotificationInbox.findById(userId).lean();
    const item = itemsOf(inbox)[id];
    return item ? toView(id, item) : null;
  }

  /** The badge value (the maintained counter): one read of a small document by `_id`. */
  async unreadCount(userId: string): Promise<number> {
    const state = await NotificationState.findById(userId).lean();
    return Math.max(0, state?.unread ?? 0);
  }

  /** Marks one notification read; false when it does not exist. */
  async markRead(userId: string, id: string): Promise<boolean> {
    if (!isNotificationId(id)) return false;
    const unread = await this.#inOrder(userId, async () => {
      const before = await NotificationInbox.findOneAndUpdate(
        // Only an existing notification: $set alone would create a partial one.
        { _id: userId, [`items.${id}.type`]: op({ $exists: true }) },
        { $set: { [`items.${id}.readAt`]: new Date() } },
        { returnDocument: 'before' },
      ).lean();
      const item = itemsOf(before)[id];
      if (!item) return undefined;
      return item.readAt ? null : await this.#moveCounter(userId, -1);
    });
    if (unread === undefined) return false;
    if (unread !== null) await this.#announceRead(userId, unread);
    return true;
  }

  /** Marks every notification read; returns how many were unread. */
  async markAllRead(userId: string): Promise<number> {
    const outcome = await this.#inOrder(userId, async () => {
      const unread = (await this.list(userId, { status: 'unread' })).map((n) => n.id);
      if (unread.length === 0) return { changed: 0, counter: null };
      const now = new Date();
      const before = await NotificationInbox.findOneAndUpdate(
        { _id: userId },
        { $set: Object.fromEntries(unread.map((id) => [`items.${id}.readAt`, now])) },
        { returnDocument: 'before' },
      ).lean();
      const was = itemsOf(before);
      // One removed meanwhile by another instance would come back as a fragment: remove it.
      const vanished = unread.filter((id) => !was[id]);
      if (vanished.length > 0) {
        await NotificationInbox.updateOne(
          { _id: userId },
          { $unset: Object.fromEntries(vanished.map((id) => [`items.${id}`, ''])) },
        );
      }
      const changed = unread.filter((id) => was[id] && !was[id].readAt).length;
      return { changed, counter: changed > 0 ? await this.#moveCounter(userId, -changed) : null };
    });
    if (outcome.counter !== null) await this.#announceRead(userId, outcome.counter);
    return outcome.changed;
  }

  async #announceRead(userId: string, unread: number): Promise<void> {
    await this.#events.publish('notifications.read', { recipientId: userId, unread });
  }

  /** The types a person receives in the app (all but those turned off). */
  async preferences(userId: string): Promise<Record<NotificationType, boolean>> {
    const state = await NotificationState.findById(userId).lean();
    const muted = new Set(state?.muted ?? []);
    return Object.fromEntries(
      NOTIFICATION_TYPES.map((type) => [type, !NOTIFICATION_RULES[type].optional || !muted.has(type)]),
    ) as Record<NotificationType, boolean>;
  }

  /** Keeps the listed optional types on and turns the others off. */
  async setPreferences(userId: string, enabled: readonly NotificationType[]): Promise<void> {
    const muted = NOTIFICATION_TYPES.filter(
      (type) => NOTIFICATION_RULES[type].optional && !enabled.includes(type),
    );
    await this.#inOrder(userId, () =>
      NotificationState.updateOne({ _id: userId }, { $set: { muted } }, { upsert: true }),
    );
  }

  /**
   * Proves the counter equals the unread notifications and repairs it when it
   * does not (after a crash between the two writes of a change).
   */
  async reconcile(userId: string): Promise<{ counter: number; actual: number; repaired: boolean }> {
    const result = await this.#inOrder(userId, async () => {
      const counter = (await NotificationState.findById(userId).lean())?.unread ?? 0;
      const actual = (await this.list(userId, { status: 'unread' })).length;
      if (counter === actual) return { counter, actual, repaired: false };
      await NotificationState.updateOne({ _id: userId }, { $set: { unread: actual } }, { upsert: true });
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
    for await (const inbox of NotificationInbox.find().select({ _id: 1 }).lean().cursor()) {
      if (!Types.ObjectId.isValid(String(inbox._id))) continue;
      checked++;
      if ((await this.reconcile(String(inbox._id))).repaired) repaired++;
    }
    return { checked, repaired };
  }
}
