import mongoose from 'mongoose';
import { notificationDocId } from '../../models/notification.ts';
import type { Logger } from '../core/logger.ts';

/** The inboxes of before: one document per person holding at most 50 notifications by short id. */
const OLD_INBOXES = 'notification_inboxes';

/**
 * Moves the notifications of the old per-person inboxes into one document
 * each (`notifications`, `_id` "<person>:<id>"), keeping their ids, read
 * states and counts (the unread counters stay true), then drops the inboxes.
 * Does nothing when there are none; an interrupted run is finished by the next
 * (a notification already moved is left as it is). Returns how many it moved.
 */
export async function migrateNotificationInboxes(): Promise<number> {
  const db = mongoose.connection.db;
  if (!db) throw new Error('Not connected to the database');
  // Names compared here: not every engine applies a listCollections filter.
  const names = (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name);
  if (!names.includes(OLD_INBOXES)) return 0;
  const inboxes = mongoose.connection.collection(OLD_INBOXES);
  const notifications = mongoose.connection.collection('notifications');
  let moved = 0;
  for await (const inbox of inboxes.find({})) {
    const recipient = String(inbox._id);
    const items = Object.entries((inbox.items ?? {}) as Record<string, Record<string, unknown> | null>);
    const ops = items
      .filter(([, item]) => item?.type && item.at && item.target)
      .map(([id, item]) => ({
        updateOne: {
          filter: { _id: notificationDocId(recipient, id) },
          update: {
            $setOnInsert: {
              recipient,
              type: item!.type,
              variant: item!.variant ?? null,
              count: Math.max(1, Number(item!.count ?? 1)),
              actorId: item!.actorId ?? null,
              actorName: item!.actorName ?? null,
              target: item!.target,
              data: item!.data ?? {},
              at: item!.at,
              readAt: item!.readAt ?? null,
            },
          },
          upsert: true,
        },
      }));
    if (ops.length > 0) {
      await notifications.bulkWrite(ops as never);
      moved += ops.length;
    }
  }
  await inboxes.drop().catch((err: { code?: number }) => {
    if (err.code !== 26) throw err; // NamespaceNotFound: another instance finished first
  });
  return moved;
}

/** Which one-time storage changes are done (`_id`: the change's name). */
const DONE = 'storage_migrations';

/**
 * Cards written before they kept only what a person's pages read: a topic's
 * or team's totals per week, month, quarter and year (on the leaderboards
 * too) are removed, the all-time totals and every global total stay. Runs
 * once per database (the next starts read one document); an interrupted run
 * is finished by the next. Returns how many cards it trimmed.
 */
export async function trimScoreCards(stopped: () => boolean = () => false): Promise<number> {
  const done = mongoose.connection.collection(DONE);
  const name = 'score-cards-scope-periods-on-boards';
  if (await done.findOne({ _id: name as never }, { projection: { _id: 1 } })) return 0;
  const cards = mongoose.connection.collection('score_cards');
  let trimmed = 0;
  for await (const card of cards.find({}, { projection: { t: 1 } })) {
    if (stopped()) return trimmed;
    const unset: Record<string, ''> = {};
    const dimensions = (card.t ?? {}) as Record<string, Record<string, Record<string, unknown>> | null>;
    for (const [dimension, scopes] of Object.entries(dimensions)) {
      for (const [scope, periods] of Object.entries(scopes ?? {})) {
        if (scope === 'g') continue;
        for (const period of Object.keys(periods ?? {}))
          if (period !== 'all') unset[`t.${dimension}.${scope}.${period}`] = '';
      }
    }
    if (Object.keys(unset).length === 0) continue;
    await cards.updateOne({ _id: card._id }, { $unset: unset });
    trimmed++;
  }
  await done.updateOne({ _id: name as never }, { $set: { at: new Date(), trimmed } }, { upsert: true });
  return trimmed;
}

/**
 * Storage-shape changes. Those the repositories need are applied at start
 * before they read anything (`ready`); those that only make documents smaller
 * run in the background once the app answers (trimming cards of the older
 * shape reads and rewrites every card: minutes at 10,000 people on the
 * embedded engine, and older cards read correctly meanwhile). `close` stops
 * the background work (the next start finishes it) and waits for it.
 */
export class StorageMigrations {
  readonly #logger: Logger | undefined;
  #background: Promise<void> | undefined;
  #stopped = false;

  constructor(logger?: Logger) {
    this.#logger = logger;
  }

  async ready(): Promise<void> {
    await migrateNotificationInboxes();
    this.#background ??= trimScoreCards(() => this.#stopped).then(
      (trimmed) => {
        if (trimmed > 0) this.#logger?.info({ trimmed }, 'score cards trimmed');
      },
      (err: unknown) => {
        if (!this.#stopped)
          this.#logger?.warn({ err }, 'trimming score cards failed; the next start tries again');
      },
    );
  }

  /** Resolves when the background migrations have finished (or failed, logged). */
  async settled(): Promise<void> {
    await this.#background;
  }

  async close(): Promise<void> {
    this.#stopped = true;
    await this.#background;
  }
}
