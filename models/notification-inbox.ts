import { type InferSchemaType, model, Schema } from 'mongoose';

/**
 * A person's notifications: one document per recipient (`_id` = user id),
 * holding at most NOTIFICATION_INBOX_SIZE notifications keyed by a short id.
 *
 * Why one document: on the embedded engine every query reads the whole
 * collection, and any filter other than `_id` decodes every document; a
 * per-notification collection filtered by recipient would decode every
 * notification of every person for each page. Here the notification page is
 * one `_id` read, and every change is one update of one document addressed
 * by `_id` whose "before" image says whether the unread counter
 * (models/notification-state.ts) moves. Keys are base64url, so they are safe
 * as field names on every engine.
 */
export const NOTIFICATION_INBOX_SIZE = 50;

const itemSchema = new Schema(
  {
    type: { type: String, required: true },
    variant: { type: String, default: null },
    /** Events gathered by this notification since it was last read. */
    count: { type: Number, default: 1 },
    actorId: { type: String, default: null },
    /** The actor's name when it happened (people may be renamed or deactivated later). */
    actorName: { type: String, default: null },
    target: {
      kind: { type: String, required: true },
      id: { type: String, required: true },
      /** A string, or `{ it, en }`. */
      title: { type: Schema.Types.Mixed, default: '' },
      url: { type: String, required: true },
    },
    /** Extra message parameters: strings, numbers, `{ it, en }` or `{ key }` (an i18n key). */
    data: { type: Schema.Types.Mixed, default: {} },
    /** Last event. */
    at: { type: Date, required: true },
    readAt: { type: Date, default: null },
  },
  { _id: false },
);

const inboxSchema = new Schema(
  {
    _id: { type: String, required: true },
    items: { type: Map, of: itemSchema, default: () => new Map() },
  },
  { versionKey: false, collection: 'notification_inboxes' },
);

export type NotificationItemFields = InferSchemaType<typeof itemSchema>;
export const NotificationInbox = model('NotificationInbox', inboxSchema);
