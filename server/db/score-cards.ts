import { ScoreCard, ScoreEvent } from '../../models/score.ts';
import { type ScoreCardDoc, toLine } from '../scoring/scores.repo.ts';
import type { LedgerLine } from '../scoring/scoring.ledger.ts';

/** What both scores repositories read by `_id`: cards and ledger lines. */

/** A person's card (`{}` when they have none). */
export async function readCard(user: string): Promise<ScoreCardDoc> {
  return (
    ((await ScoreCard.collection.findOne({ _id: user as never })) as unknown as ScoreCardDoc | null) ?? {}
  );
}

/** Runs `task` over `items`, `concurrency` at a time; results in the items' order. */
export async function eachLimited<T, R>(
  items: readonly T[],
  concurrency: number,
  task: (item: T) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await task(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return out;
}

/** Cards of these people (each once; missing ones left out), 8 `_id` reads at a time. */
export async function readCards(users: readonly string[]): Promise<Map<string, ScoreCardDoc>> {
  const unique = [...new Set(users)];
  const cards = await eachLimited(unique, 8, (user) => ScoreCard.collection.findOne({ _id: user as never }));
  const out = new Map<string, ScoreCardDoc>();
  unique.forEach((user, i) => {
    if (cards[i]) out.set(user, cards[i] as unknown as ScoreCardDoc);
  });
  return out;
}

/** Ledger lines by id, in the order given (missing ones left out). */
export async function readLines(ids: readonly string[]): Promise<LedgerLine[]> {
  const docs = await eachLimited(ids, 8, (id) => ScoreEvent.collection.findOne({ _id: id as never }));
  return docs.filter((d) => d !== null).map((d) => toLine(d as Record<string, unknown>));
}
