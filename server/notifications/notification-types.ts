/**
 * The notification types. `grouped`: repeated events on the same item (same
 * grouping key) while the notification is unread make one notification that
 * counts them ("3 new answers on …"). `optional`: the person may turn it off
 * in Settings → Notifications (security notices cannot be turned off).
 * `variants`: message variants a caller may choose (`variant` in notify()).
 */
export const NOTIFICATION_TYPES = [
  'mention',
  'answer',
  'comment',
  'seenThisToo',
  'answerAccepted',
  'promoted',
  'articleFlagged',
  'award',
  'reviewPending',
  'passwordResetByAdmin',
  'removedByModerator',
  'closedAsDuplicate',
] as const;

export type NotificationType = (typeof NOTIFICATION_TYPES)[number];

export interface NotificationTypeRule {
  grouped: boolean;
  optional: boolean;
  variants?: readonly string[];
}

export const NOTIFICATION_RULES: Record<NotificationType, NotificationTypeRule> = {
  /** Someone mentioned me (@name) in a post, answer or comment. */
  mention: { grouped: true, optional: true },
  /** A new answer to my question. */
  answer: { grouped: true, optional: true },
  /** A comment on my post, answer or article. */
  comment: { grouped: true, optional: true },
  /**
   * Colleagues pressed "I've seen this too" on my insight ("3 colleagues have
   * seen this too …"), or "I have this question too" on my question (`question`).
   */
  seenThisToo: { grouped: true, optional: true, variants: ['question'] },
  /** My answer was accepted. */
  answerAccepted: { grouped: false, optional: true },
  /** My post or answer was promoted into a knowledge-base article. */
  promoted: { grouped: false, optional: true },
  /** A reader flagged an article I own (outdated, incorrect, unclear). */
  articleFlagged: { grouped: true, optional: true },
  /** I reached a level in a topic, or earned a badge. */
  award: { grouped: false, optional: true, variants: ['level', 'badge'] },
  /** Items wait in my review queue (knowledge managers). */
  reviewPending: { grouped: true, optional: true },
  /** An administrator created a link to reset my password. */
  passwordResetByAdmin: { grouped: false, optional: false },
  /** A moderator removed my post or answer, with the reason (always told). */
  removedByModerator: {
    grouped: false,
    optional: false,
    variants: ['post', 'postWithReason', 'answer', 'answerWithReason'],
  },
  /** A knowledge manager closed my question as a duplicate of another, or merged it (`merged`). */
  closedAsDuplicate: { grouped: false, optional: false, variants: ['merged'] },
};

export function isNotificationType(value: unknown): value is NotificationType {
  return typeof value === 'string' && (NOTIFICATION_TYPES as readonly string[]).includes(value);
}
