import { Notification, notificationDocId } from '../../../models/notification.ts';
import { NotificationState } from '../../../models/notification-state.ts';
import type {
  NotificationEvent,
  NotificationPageSpec,
  NotificationRow,
  NotificationsRepo,
} from '../../notifications/notifications.repo.ts';
import { op } from '../query.ts';

type Stored = Omit<NotificationRow, 'id'> & { _id: string };

/** A stored document as a row (its short id is what follows the recipient in `_id`). */
export function notificationRowOf(doc: Stored): NotificationRow {
  const { _id, ...fields } = doc;
  return {
    ...fields,
    id: _id.slice(_id.indexOf(':') + 1),
    count: Math.max(1, fields.count ?? 1),
    variant: fields.variant ?? null,
    actorId: fields.actorId ?? null,
    actorName: fields.actorName ?? null,
    data: fields.data ?? {},
    at: new Date(fields.at),
    readAt: fields.readAt ? new Date(fields.readAt) : null,
  };
}

/** The writes both adapters make: each one update of one notification addressed by `_id`. */
export async function recordEvent(
  recipientId: string,
  id: string,
  event: NotificationEvent,
  at: Date,
): Promise<{ before: { readAt: Date | null } | null }> {
  const _id = notificationDocId(recipientId, id);
  const update = {
    $set: { ...event, recipient: recipientId, at, readAt: null },
    $inc: { count: 1 },
  };
  let before: { readAt?: Date | null; count?: number } | null;
  try {
    // No projection: the embedded engine answers findAndModify only without one.
    before = await Notification.findOneAndUpdate({ _id }, update, {
      upsert: true,
      returnDocument: 'before',
    }).lean();
  } catch (err) {
    // Two first events at once: one created it, the other adds to it.
    if ((err as { code?: number }).code !== 11000) throw err;
    before = await Notification.findOneAndUpdate({ _id }, update, { returnDocument: 'before' }).lean();
  }
  if (before?.readAt) {
    // A read notification opens again: it counts the events since then.
    await Notification.updateOne({ _id }, { $inc: { count: -Math.max(0, before.count ?? 0) } });
  }
  return { before: before ? { readAt: before.readAt ?? null } : null };
}

export async function getNotification(recipientId: string, id: string): Promise<NotificationRow | null> {
  const doc = (await Notification.findById(notificationDocId(recipientId, id)).lean()) as Stored | null;
  return doc && doc.recipient === recipientId ? notificationRowOf(doc) : null;
}

export async function markNotificationRead(
  recipientId: string,
  id: string,
  at: Date,
): Promise<'unread' | 'read' | null> {
  // `_id` alone (no upsert): an unknown id changes nothing.
  const before = await Notification.findOneAndUpdate(
    { _id: notificationDocId(recipientId, id) },
    { $set: { readAt: at } },
    { returnDocument: 'before' },
  ).lean();
  if (!before) return null;
  return before.readAt ? 'read' : 'unread';
}

/** The counter and preferences document of a person, by `_id` (both adapters). */
export const notificationState = {
  async unreadCounter(recipientId: string): Promise<number> {
    const state = await NotificationState.findById(recipientId).lean();
    return Math.max(0, state?.unread ?? 0);
  },
  async moveUnreadCounter(recipientId: string, delta: number): Promise<number> {
    const after = await NotificationState.findOneAndUpdate(
      { _id: recipientId },
      { $inc: { unread: delta } },
      { upsert: true, returnDocument: 'after' },
    ).lean();
    return Math.max(0, after?.unread ?? 0);
  },
  async setUnreadCounter(recipientId: string, value: number): Promise<void> {
    await NotificationState.updateOne({ _id: recipientId }, { $set: { unread: value } }, { upsert: true });
  },
  async muted(recipientId: string): Promise<string[]> {
    return (await NotificationState.findById(recipientId).lean())?.muted ?? [];
  },
  async setMuted(recipientId: string, types: string[]): Promise<void> {
    await NotificationState.updateOne({ _id: recipientId }, { $set: { muted: types } }, { upsert: true });
  },
};

/** Notifications on MongoDB: one document each, pages and counts from the recipient's indexes. */
export class MongoNotificationsRepo implements NotificationsRepo {
  record = recordEvent;
  get = getNotification;
  markRead = markNotificationRead;
  unreadCounter = notificationState.unreadCounter;
  moveUnreadCounter = notificationState.moveUnreadCounter;
  setUnreadCounter = notificationState.setUnreadCounter;
  muted = notificationState.muted;
  setMuted = notificationState.setMuted;

  async page(recipientId: string, spec: NotificationPageSpec): Promise<NotificationRow[]> {
    const filter: Record<string, unknown> = { recipient: recipientId };
    if (spec.type) filter.type = spec.type;
    if (spec.unreadOnly) filter.readAt = null;
    const and: Array<Record<string, unknown>> = [filter];
    if (spec.since) and.push({ at: op({ $gt: spec.since }) });
    if (spec.after) {
      const at = new Date(spec.after.at);
      const _id = notificationDocId(recipientId, spec.after.id);
      and.push({ $or: [{ at: op({ $lt: at }) }, { at, _id: op({ $lt: _id }) }] });
    }
    const docs = (await Notification.find(and.length === 1 ? filter : { $and: and })
      .sort({ at: -1, _id: -1 })
      .limit(spec.limit)
      .lean()) as Stored[];
    return docs.map(notificationRowOf);
  }

  async markAllRead(recipientId: string, at: Date): Promise<number> {
    const result = await Notification.updateMany(
      { recipient: recipientId, readAt: null },
      { $set: { readAt: at } },
    );
    return result.modifiedCount;
  }

  countUnread(recipientId: string): Promise<number> {
    return Notification.countDocuments({ recipient: recipientId, readAt: null });
  }

  async recipients(): Promise<string[]> {
    return (await Notification.distinct('recipient')).map(String);
  }
}
