import { type InferSchemaType, model, Schema } from 'mongoose';

/**
 * One notification of one person: `_id` = "<recipient>:<id>", where `id` is
 * the short id pages use (base64url, 16 characters). Grouped types have a
 * deterministic id (type and group key), so a repeated event lands on the same
 * document whatever instance stores it. Every notification is kept: the
 * notifications page is paged, newest first (`at` is the last event).
 */
const notificationSchema = new Schema(
  {
    _id: { type: String, required: true },
    /** The recipient's user id. */
    recipient: { type: String, required: true },
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
  { versionKey: false, collection: 'notifications' },
);

// A person's page, newest first, all of it, one type, or the unread ones (MongoDB adapter).
notificationSchema.index({ recipient: 1, at: -1, _id: -1 });
notificationSchema.index({ recipient: 1, type: 1, at: -1, _id: -1 });
notificationSchema.index({ recipient: 1, readAt: 1, at: -1, _id: -1 });

/** The document id of a person's notification. */
export function notificationDocId(recipientId: string, id: string): string {
  return `${recipientId}:${id}`;
}

export type NotificationFields = InferSchemaType<typeof notificationSchema>;
export const Notification = model('Notification', notificationSchema);
