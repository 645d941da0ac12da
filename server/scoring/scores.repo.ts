import type { LedgerLine } from './scoring.ledger.ts';
import type { Dimension } from './scoring.rules.ts';

/**
 * A leaderboard: one dimension, one scope (`g` everyone, `tm<team>`, `tp<topic>`)
 * and one period key (`all`, `2026`, `2026-Q4`, `2026-11`, `2026-W48`): the
 * cards' totals `t.<dimension>.<scope>.<period>` seen the other way round.
 */
export interface BoardKey {
  dimension: Dimension;
  scope: string;
  period: string;
}

/** The id boards and their shards are keyed by: "<dimension>|<scope>|<period>". */
export function boardIdOf(key: BoardKey): string {
  return `${key.dimension}|${key.scope}|${key.period}`;
}

/** One person on a board. `rank`: 1 + how many have more points (ties share a rank). */
export interface BoardRow {
  user: string;
  points: number;
  /** The person's team when they last scored on this board. */
  team: string | null;
  rank: number;
}

export interface BoardPageSpec {
  /** Rows wanted (the top of the board). */
  limit: number;
  /** The person whose own row and rank are given. */
  viewer: string;
  /**
   * `optedIn` (protected mode): only people who opted in are named in `rows`
   * (with their rank among everyone); everyone else is counted in `teams`.
   */
  named: 'everyone' | 'optedIn';
}

export interface BoardPage {
  /** People on the board: everyone with points (not zero). */
  people: number;
  /** The top `limit` named people, best first; ties in order of user id. */
  rows: BoardRow[];
  /** The viewer's row, wherever they stand; null without points here. */
  mine: BoardRow | null;
  /** With `optedIn`: the people not named, per team (team null: none), most points first. */
  teams: Array<{ team: string | null; people: number; points: number }>;
}

/** Team lines, most points first (then by team id, people without a team last). */
export function sortTeams(
  teams: ReadonlyMap<string | null, { people: number; points: number }>,
): BoardPage['teams'] {
  return [...teams.entries()]
    .map(([team, agg]) => ({ team, ...agg }))
    .sort(
      (a, b) =>
        b.points - a.points ||
        (a.team === b.team ? 0 : a.team === null ? 1 : b.team === null ? -1 : a.team < b.team ? -1 : 1),
    );
}

/** Where a page of the "why" list ended: the last line's time and id. */
export interface WhyCursor {
  at: Date;
  /** "<user>:<sequence>" */
  id: string;
}

export interface WhySpec {
  dimension?: Dimension;
  topic?: string;
  rule?: string;
  /** Lines strictly older than this one (in the list's order). */
  after?: WhyCursor;
  limit: number;
}

/**
 * The order of the "why" list, newest first: by time, then by id (text order,
 * the same on every engine), so that lines with the same time page stably.
 * Negative when `a` comes first.
 */
export function compareWhy(a: { at: number; id: string }, b: { at: number; id: string }): number {
  if (a.at !== b.at) return b.at - a.at;
  return a.id === b.id ? 0 : a.id > b.id ? -1 : 1;
}

/** A person's score card as stored (see models/score.ts); `{}` when they have none. */
export type ScoreCardDoc = Record<string, unknown> & {
  _id?: string;
  t?: Record<string, Record<string, Record<string, number>>>;
  d?: Record<string, number>;
  n?: Record<string, number>;
  levels?: Record<string, string>;
  badges?: Record<string, Date>;
  coach?: Record<string, { by: string; at: Date }>;
  seq?: number;
};

/** A member of a team, as the team dashboard lists them. */
export interface MemberRow {
  id: string;
  displayName: string;
  /** Topics the person follows as their own (models/user.ts `topics`). */
  topics: string[];
}

/** Pending leaderboard increments, per board shard id ("<board>|<shard>"), per person. */
export type BoardIncrements = ReadonlyMap<
  string,
  ReadonlyMap<string, { points: number; team: string | null }>
>;

/** A board shard as stored (models/score.ts ScoreBoard). */
export interface BoardShardDoc {
  _id: string;
  p: Record<string, number>;
  tm: Record<string, string | null>;
}

/**
 * The write side of leaderboards, as the board shards' writers (BoardBuffer,
 * the rebuild) call it: each write of shards runs through here, so that what
 * answers `board()` follows it.
 */
export interface BoardWrites {
  /** Runs `write` (it stores `batch` in the shards), then brings the read side in step. */
  stored(batch: BoardIncrements, write: () => Promise<void>): Promise<void>;
  /**
   * Runs `fill`, which replaces every shard (a rebuild) and hands each group of
   * shard documents it stored to `stored`.
   */
  replaced(fill: (stored: (docs: readonly BoardShardDoc[]) => Promise<void>) => Promise<void>): Promise<void>;
}

/**
 * Scores' storage, in domain terms: what the scores pages read on every
 * request (a board's top and the viewer's rank, a card, the "why" list, a
 * team's members and their cards) answered without reading a whole collection
 * or sorting everyone per request. `server/db/embedded/scores.ts` answers from
 * in-process indexes kept current on the writes, `server/db/mongodb/scores.ts`
 * with indexed queries.
 */
export interface ScoresRepo {
  /** A board's top, the viewer's rank and (protected mode) the team lines. */
  board(key: BoardKey, spec: BoardPageSpec): Promise<BoardPage>;
  /** A person's card by `_id` (`{}` when they have none). */
  card(user: string): Promise<ScoreCardDoc>;
  /** Cards of these people (missing ones left out), by `_id`, a few at a time. */
  cards(users: readonly string[]): Promise<Map<string, ScoreCardDoc>>;
  /** A person's ledger lines, newest first (see `compareWhy`), filtered, after the cursor. */
  why(user: string, spec: WhySpec): Promise<LedgerLine[]>;
  /** Active members of a team, in name order. */
  teamMembers(team: string): Promise<MemberRow[]>;
  /** Where the board shards' writers go through. */
  readonly boardWrites: BoardWrites;
}

/** A stored ledger line in domain terms. */
export function toLine(doc: Record<string, unknown>): LedgerLine {
  const d = doc as {
    _id: string;
    user: unknown;
    dimension: Dimension;
    topics?: unknown[];
    team?: unknown;
    points: number;
    base: number;
    rule: string;
    capped?: string | null;
    source: { type: string; id: string; post?: string | null };
    actor?: unknown;
    at: Date;
    reverses?: string | null;
    reason?: string | null;
    rulesVersion?: number;
  };
  return {
    id: String(d._id),
    user: String(d.user),
    dimension: d.dimension,
    topics: (d.topics ?? []).map(String),
    team: d.team ? String(d.team) : null,
    points: d.points,
    base: d.base,
    rule: d.rule,
    capped: d.capped ?? null,
    source: { type: d.source.type, id: d.source.id, post: d.source.post ?? null },
    actor: d.actor ? String(d.actor) : null,
    at: d.at,
    reverses: d.reverses ?? null,
    reason: d.reason ?? null,
    rulesVersion: d.rulesVersion ?? 0,
  };
}
