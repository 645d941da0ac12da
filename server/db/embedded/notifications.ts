import { Notification, notificationDocId } from '../../../models/notification.ts';
import type {
  NotificationPageSpec,
  NotificationRow,
  NotificationsRepo,
} from '../../notifications/notifications.repo.ts';
import {
  getNotification,
  markNotificationRead,
  notificationRowOf,
  notificationState,
  recordEvent,
} from '../mongodb/notifications.ts';
import { readByIds } from './by-id.ts';
import type { Mirror, MirrorDoc } from './mirror.ts';
import { OrderedIndex, type SortKey } from './ordered-index.ts';

const ms = (d: unknown) => (d instanceof Date ? d.getTime() : new Date(String(d)).getTime());
/** The recipient is the part of `_id` before the colon (a user id). */
const recipientOf = (docId: string) => docId.slice(0, docId.indexOf(':'));

/** The lists a notification belongs to: its person's, of its type, and unread. */
function partitionsOf(doc: MirrorDoc): string[] {
  const person = recipientOf(String(doc._id));
  const parts = [`all:${person}`, `type:${person}:${String(doc.type)}`];
  if (!doc.readAt) parts.push(`unread:${person}`);
  return parts;
}

/**
 * Notifications on the embedded engine: of each one only its position (last
 * event, type, read or not) is held, in ordered lists per person; a page is a
 * walk from the cursor, and its notifications are read by `_id`. Writes are
 * one update by `_id` each, as on MongoDB.
 */
export class EmbeddedNotificationsRepo implements NotificationsRepo {
  readonly #ready: () => Promise<void>;
  readonly #index = new OrderedIndex<MirrorDoc>({
    partitions: partitionsOf,
    sortKey: (doc) => [ms(doc.at), String(doc._id)],
  });
  /** Notifications per person. */
  readonly #people = new Map<string, number>();

  record = recordEvent;
  get = getNotification;
  markRead = markNotificationRead;
  // The state documents are held whole by the mirror (repositories.ts): `_id` reads come from memory.
  unreadCounter = notificationState.unreadCounter;
  moveUnreadCounter = notificationState.moveUnreadCounter;
  setUnreadCounter = notificationState.setUnreadCounter;
  muted = notificationState.muted;
  setMuted = notificationState.setMuted;

  constructor(mirror: Mirror) {
    this.#ready = () => mirror.ready();
    mirror.track(Notification as never, ['type', 'at', 'readAt']).onChange((id, doc, previous) => {
      this.#index.set(id, doc);
      const person = recipientOf(id);
      const n = (this.#people.get(person) ?? 0) + (doc ? 1 : 0) - (previous ? 1 : 0);
      if (n > 0) this.#people.set(person, n);
      else this.#people.delete(person);
    });
  }

  async page(recipientId: string, spec: NotificationPageSpec): Promise<NotificationRow[]> {
    await this.#ready();
    const partition = spec.unreadOnly
      ? `unread:${recipientId}`
      : spec.type
        ? `type:${recipientId}:${spec.type}`
        : `all:${recipientId}`;
    const since = spec.since?.getTime();
    const positions = this.#index.page([partition], {
      after: spec.after
        ? ([spec.after.at, notificationDocId(recipientId, spec.after.id)] as SortKey)
        : undefined,
      until: since === undefined ? undefined : (key) => (key[0] as number) <= since,
      where: spec.unreadOnly && spec.type ? (doc) => doc.type === spec.type : undefined,
      limit: spec.limit,
    });
    const docs = await readByIds<Record<string, unknown>>(
      Notification as never,
      positions.map((p) => String(p._id)),
    );
    return docs.map((d) => notificationRowOf(d as never));
  }

  async markAllRead(recipientId: string, at: Date): Promise<number> {
    await this.#ready();
    const unread = this.#index.page([`unread:${recipientId}`], { limit: Number.MAX_SAFE_INTEGER });
    if (unread.length === 0) return 0;
    const result = await Notification.bulkWrite(
      unread.map((doc) => ({
        updateOne: { filter: { _id: String(doc._id) }, update: { $set: { readAt: at } } },
      })),
    );
    return result.modifiedCount;
  }

  async countUnread(recipientId: string): Promise<number> {
    await this.#ready();
    return this.#index.size(`unread:${recipientId}`);
  }

  async recipients(): Promise<string[]> {
    await this.#ready();
    return [...this.#people.keys()];
  }
}
