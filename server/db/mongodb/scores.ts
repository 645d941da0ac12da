import { Types } from 'mongoose';
import { ScoreBoardEntry, ScoreEvent } from '../../../models/score.ts';
import { User } from '../../../models/user.ts';
import {
  type BoardIncrements,
  type BoardKey,
  type BoardPage,
  type BoardPageSpec,
  type BoardRow,
  type BoardShardDoc,
  type BoardWrites,
  boardIdOf,
  type MemberRow,
  type ScoreCardDoc,
  type ScoresRepo,
  sortTeams,
  toLine,
  type WhySpec,
} from '../../scoring/scores.repo.ts';
import type { LedgerLine } from '../../scoring/scoring.ledger.ts';
import { recreateCollection } from '../connection.ts';
import { op } from '../query.ts';
import { readCard, readCards } from '../score-cards.ts';

const oid = (id: string) => new Types.ObjectId(id);
const BULK = 1000;

interface EntryDoc {
  _id: string;
  b: string;
  u: string;
  p: number;
  tm: string | null;
}

/**
 * Scores on MongoDB: indexed queries (models/score.ts). A leaderboard is its
 * board's documents in `score_board_entries` (index `{ b, p: -1, u }`): the top
 * is the first documents of that index, a rank the count of documents ahead.
 * The entries follow the board shards: every increment the shards store is
 * applied to them too (atomic `$inc`, so several instances may write), and a
 * rebuild replaces them with the shards. The "why" list walks the index
 * `{ user, at: -1, _id: -1 }` from the cursor.
 */
export class MongoScoresRepo implements ScoresRepo {
  readonly boardWrites: BoardWrites = {
    stored: async (batch, write) => {
      await write();
      await this.#increment(batch);
    },
    replaced: async (fill) => {
      await recreateCollection(ScoreBoardEntry as never);
      await fill((docs) => this.#insert(docs));
    },
  };

  async #increment(batch: BoardIncrements): Promise<void> {
    const ops: unknown[] = [];
    for (const [shard, entries] of batch) {
      const b = shard.slice(0, shard.lastIndexOf('|'));
      for (const [u, { points, team }] of entries) {
        ops.push({
          updateOne: {
            filter: { _id: `${b}|${u}` },
            update: { $inc: { p: points }, $set: { b, u, tm: team } },
            upsert: true,
          },
        });
      }
    }
    for (let i = 0; i < ops.length; i += BULK)
      await ScoreBoardEntry.collection.bulkWrite(ops.slice(i, i + BULK) as never[], { ordered: false });
  }

  async #insert(docs: readonly BoardShardDoc[]): Promise<void> {
    let entries: EntryDoc[] = [];
    for (const shard of docs) {
      const b = shard._id.slice(0, shard._id.lastIndexOf('|'));
      for (const [u, p] of Object.entries(shard.p)) {
        if (p === 0) continue;
        entries.push({ _id: `${b}|${u}`, b, u, p, tm: shard.tm[u] ?? null });
        if (entries.length >= BULK) {
          await ScoreBoardEntry.collection.insertMany(entries as never[], { ordered: false });
          entries = [];
        }
      }
    }
    if (entries.length > 0)
      await ScoreBoardEntry.collection.insertMany(entries as never[], { ordered: false });
  }

  async board(key: BoardKey, spec: BoardPageSpec): Promise<BoardPage> {
    const b = boardIdOf(key);
    const onBoard = { b, p: op({ $ne: 0 }) };
    /** 1 + the people with more points. */
    const rankOf = async (points: number) =>
      1 + (await ScoreBoardEntry.countDocuments({ b, p: op({ $gt: points, $ne: 0 }) }));
    const [people, own, optedIn] = await Promise.all([
      ScoreBoardEntry.countDocuments(onBoard),
      ScoreBoardEntry.findById(`${b}|${spec.viewer}`).lean<EntryDoc>(),
      spec.named === 'optedIn'
        ? User.find({ scoresPublic: true }, { _id: 1 })
            .lean()
            .then((users) => users.map((u) => String(u._id)))
        : undefined,
    ]);
    const sort = { p: -1 as const, u: 1 as const };
    let rows: BoardRow[];
    let teams: BoardPage['teams'] = [];
    if (!optedIn) {
      // The top of the board: ranks by position (ties share the first one's).
      const top = await ScoreBoardEntry.find(onBoard).sort(sort).limit(spec.limit).lean<EntryDoc[]>();
      let rank = 0;
      rows = top.map((e, i) => {
        if (i === 0 || e.p !== top[i - 1]!.p) rank = i + 1;
        return { user: e.u, points: e.p, team: e.tm ?? null, rank };
      });
    } else {
      const top =
        optedIn.length === 0
          ? []
          : await ScoreBoardEntry.find({ ...onBoard, u: op({ $in: optedIn }) })
              .sort(sort)
              .limit(spec.limit)
              .lean<EntryDoc[]>();
      const ranks = new Map<number, number>();
      await Promise.all([...new Set(top.map((e) => e.p))].map(async (p) => ranks.set(p, await rankOf(p))));
      rows = top.map((e) => ({ user: e.u, points: e.p, team: e.tm ?? null, rank: ranks.get(e.p)! }));
      const groups = await ScoreBoardEntry.aggregate<{ _id: string | null; people: number; points: number }>([
        { $match: { b, p: { $ne: 0 }, u: { $nin: optedIn } } },
        { $group: { _id: '$tm', people: { $sum: 1 }, points: { $sum: '$p' } } },
      ]);
      teams = sortTeams(new Map(groups.map((g) => [g._id ?? null, { people: g.people, points: g.points }])));
    }
    const listed = own && own.p !== 0 ? rows.find((r) => r.user === spec.viewer) : undefined;
    const mine =
      own && own.p !== 0
        ? (listed ?? { user: spec.viewer, points: own.p, team: own.tm ?? null, rank: await rankOf(own.p) })
        : null;
    return { people, rows, mine, teams };
  }

  card(user: string): Promise<ScoreCardDoc> {
    return readCard(user);
  }

  cards(users: readonly string[]): Promise<Map<string, ScoreCardDoc>> {
    return readCards(users);
  }

  async why(user: string, spec: WhySpec): Promise<LedgerLine[]> {
    const filter: Record<string, unknown> = { user: oid(user) };
    if (spec.dimension) filter.dimension = spec.dimension;
    if (spec.rule) filter.rule = spec.rule;
    if (spec.topic) filter.topics = oid(spec.topic);
    if (spec.after)
      filter.$or = [
        { at: op({ $lt: spec.after.at }) },
        { at: spec.after.at, _id: op({ $lt: spec.after.id }) },
      ];
    const docs = await ScoreEvent.find(filter).sort({ at: -1, _id: -1 }).limit(spec.limit).lean();
    return docs.map((d) => toLine(d as unknown as Record<string, unknown>));
  }

  async teamMembers(team: string): Promise<MemberRow[]> {
    const people = await User.find({ team: oid(team), active: true }, { displayName: 1, topics: 1 })
      .sort({ nameKey: 1, _id: 1 })
      .lean();
    return people.map((p) => ({
      id: String(p._id),
      displayName: p.displayName,
      topics: (p.topics ?? []).map(String),
    }));
  }
}
