/** What a notification says, as stored (texts already cleaned by the service). */
export interface NotificationEvent {
  type: string;
  variant: string | null;
  actorId: string | null;
  actorName: string | null;
  target: { kind: string; id: string; title: unknown; url: string };
  data: Record<string, unknown>;
}

/** A stored notification of one person. */
export interface NotificationRow extends NotificationEvent {
  /** The short id pages use (unique per person). */
  readonly id: string;
  readonly recipient: string;
  /** Events gathered since it was last read. */
  readonly count: number;
  /** Its last event. */
  readonly at: Date;
  readonly readAt: Date | null;
}

/** Where a page ended: its last notification's time (ms) and id. */
export interface NotificationCursor {
  at: number;
  id: string;
}

export interface NotificationPageSpec {
  type?: string;
  unreadOnly?: boolean;
  /** Strictly after this position (newest first: older ones). */
  after?: NotificationCursor;
  /** Only notifications whose last event is later than this. */
  since?: Date;
  limit: number;
}

/**
 * A person's notifications: every one kept, read newest first by pages. The
 * caller (the notifications service) runs a person's changes one at a time on
 * its instance; each change here is one atomic update of one notification.
 */
export interface NotificationsRepo {
  /**
   * One more event on the notification `id` of a person: creates it, or adds
   * one to its group (a read one opens again and counts from one). Says what
   * it was before (null: it did not exist).
   */
  record(
    recipientId: string,
    id: string,
    event: NotificationEvent,
    at: Date,
  ): Promise<{ before: { readAt: Date | null } | null }>;
  /** One notification of a person (null: none with this id). */
  get(recipientId: string, id: string): Promise<NotificationRow | null>;
  /** Newest first (last event, then id), after the cursor, filtered. */
  page(recipientId: string, spec: NotificationPageSpec): Promise<NotificationRow[]>;
  /** Marks one read: what it was before (`unread` or `read`), or null when there is none. */
  markRead(recipientId: string, id: string, at: Date): Promise<'unread' | 'read' | null>;
  /** Marks every unread notification of a person read; returns how many were unread. */
  markAllRead(recipientId: string, at: Date): Promise<number>;
  /** How many notifications of a person are unread (counted; the badge reads the counter). */
  countUnread(recipientId: string): Promise<number>;
  /** Everyone who has notifications (for maintenance). */
  recipients(): Promise<string[]>;

  /** The person's unread counter (the header badge): one small document by `_id`. */
  unreadCounter(recipientId: string): Promise<number>;
  /** Moves the counter atomically; returns its new value. */
  moveUnreadCounter(recipientId: string, delta: number): Promise<number>;
  /** Sets the counter (a repair after reconciling it). */
  setUnreadCounter(recipientId: string, value: number): Promise<void>;
  /** The types the person turned off. */
  muted(recipientId: string): Promise<string[]>;
  setMuted(recipientId: string, types: string[]): Promise<void>;
}
