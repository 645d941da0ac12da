import { model, Schema } from 'mongoose';

/**
 * A person's notification counter and preferences (`_id` = user id): a small
 * document read by the header badge on every page and written only by the
 * notifications service. It is kept apart from the person's account because
 * the embedded engine writes whole documents back: a concurrent write to the
 * same document, even of another field, can undo the other, so no other
 * feature's write may race with the counter.
 */
const notificationStateSchema = new Schema(
  {
    _id: { type: String, required: true },
    /** Unread notifications: moved with $inc by the transitions the service observes, never counted. */
    unread: { type: Number, default: 0 },
    /** Types the person turned off (server/notifications/notification-types.ts). */
    muted: { type: [String], default: [] },
  },
  { versionKey: false, collection: 'notification_states' },
);

export const NotificationState = model('NotificationState', notificationStateSchema);
