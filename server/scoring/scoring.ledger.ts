import { Types } from 'mongoose';
import { BOARD_SHARDS, ScoreBoard } from '../../models/score.ts';
import type { EventBus } from '../core/events.ts';
import type { Logger } from '../core/logger.ts';
import { dayKey, periodKeys } from './periods.ts';
import type { BoardWrites } from './scores.repo.ts';
import {
  BADGES,
  type Dimension,
  type Level,
  levelFor,
  levelRank,
  RULES,
  type RuleId,
  type ScoringRules,
  VOTE_COMPETENCE_RULES,
} from './scoring.rules.ts';
import type { ScoringSettings } from './scoring.settings.ts';
import './scoring.events.ts';
import { BatchStore, DirectStore, type LedgerStore, type OpenEntry } from './scoring.store.ts';

/** Decayed competence is kept in units of 2^(days since this date / half-life). */
export const DECAY_EPOCH = Date.UTC(2020, 0, 1);
const DAY_MS = 86_400_000;

export function decayFactor(at: Date, halfLifeDays: number): number {
  return 2 ** ((at.getTime() - DECAY_EPOCH) / DAY_MS / halfLifeDays);
}

/** Something that earns points: a post, a vote, an acceptance… */
export interface ScoreSourceRef {
  /** Kind of source: post, answer, comment, vote, confirm, accept, promote, cite, helpful, feedback. */
  type: string;
  /** Its id (with facets where one item gives several sources: "<post>:<user>"). */
  id: string;
  /** The thread's post (links in the "why" list). */
  post?: string | null;
  /** A source this one falls with (the post a vote is on). */
  parent?: string | null;
}

export interface Grant {
  user: string;
  rule: RuleId;
  topics: readonly string[];
  /** Who caused it (the voter, the accepter); null: the person themselves or the system. */
  actor: string | null;
}

export interface LedgerLine {
  id: string;
  user: string;
  dimension: Dimension;
  topics: string[];
  team: string | null;
  points: number;
  base: number;
  rule: string;
  capped: string | null;
  source: { type: string; id: string; post: string | null };
  actor: string | null;
  at: Date;
  reverses: string | null;
  reason: string | null;
  rulesVersion: number;
}

export type ReversalReason =
  | 'retracted'
  | 'changed'
  | 'deleted'
  | 'unaccepted'
  | 'moderator'
  | 'serialVoting'
  | 'deactivated'
  | 'feedbackChanged'
  | 'uncited';

/** The scopes an event counts in: global, each of its topics, the person's team. */
export function scopesOf(line: { topics: readonly string[]; team: string | null }): string[] {
  const scopes = ['g', ...line.topics.map((t) => `tp${t}`)];
  if (line.team) scopes.push(`tm${line.team}`);
  return scopes;
}

/**
 * Shards of a board: every board is split in BOARD_SHARDS documents (smaller
 * documents, cheaper increments; see BOARD_SHARDS).
 */
export function shardsOf(_scope: string): number {
  return BOARD_SHARDS;
}

/** The shard of `userId` on a board "<dimension>|<scope>|<period>". */
export function boardShard(board: string, userId: string): number {
  const from = board.indexOf('|') + 1;
  const to = board.indexOf('|', from);
  const scope = from === 0 ? 'g' : board.slice(from, to === -1 ? undefined : to);
  return Number.parseInt(userId.slice(-6), 16) % shardsOf(scope);
}

export function boardId(dimension: Dimension, scope: string, period: string, shard: number): string {
  return `${dimension}|${scope}|${period}|${shard}`;
}

/**
 * The card and board increments of one ledger line. The same function serves
 * the incremental path and the rebuild, so both add up the same way.
 *
 * A card keeps what a person's pages read: the global totals of every period
 * (`t.<dimension>.g.<period>`) and the all-time total of every scope
 * (`t.<dimension>.<scope>.all`). A topic's or team's total for a week, month,
 * quarter or year lives on that board only: on a card it would multiply the
 * document by the number of scopes, and every line rewrites the whole card.
 */
export function incrementsOf(
  line: Pick<LedgerLine, 'dimension' | 'topics' | 'team' | 'points' | 'rule' | 'at' | 'reverses'>,
  timeZone: string,
  halfLifeDays: number,
): { card: Record<string, number>; boards: Array<{ id: string; points: number }> } {
  const card: Record<string, number> = {};
  const boards: Array<{ id: string; points: number }> = [];
  const periods = periodKeys(line.at, timeZone);
  const scopes = scopesOf(line);
  if (line.points !== 0) {
    for (const scope of scopes) {
      for (const period of periods) {
        if (scope === 'g' || period === 'all') card[`t.${line.dimension}.${scope}.${period}`] = line.points;
        boards.push({ id: `${line.dimension}|${scope}|${period}`, points: line.points });
      }
    }
    if (line.dimension === 'competence') {
      const units = line.points * decayFactor(line.at, halfLifeDays);
      for (const scope of scopes) if (!scope.startsWith('tm')) card[`d.${scope}`] = units;
    }
    const count = line.reverses ? -1 : 1;
    card[`n.${line.rule}`] = count;
    if (line.rule === 'answerAccepted') for (const t of line.topics) card[`accepted.${t}`] = count;
    if (line.rule === 'promoted') for (const t of line.topics) card[`promoted.${t}`] = count;
  }
  return { card, boards };
}

/**
 * Leaderboard increments, gathered in memory and written together: one update
 * per touched board shard per flush instead of twenty per event. Flushed a
 * second after the first pending change, before every leaderboard read of this
 * process, and at shutdown. (A crash loses at most that second of board
 * increments; the ledger and the cards are written at once, and
 * `npm run scores:rebuild` rebuilds the boards from the ledger.)
 */
export class BoardBuffer {
  #pending = new Map<string, Map<string, { points: number; team: string | null }>>();
  #timer: NodeJS.Timeout | null = null;
  #flushing: Promise<void> = Promise.resolve();
  /** During a replay, increments wait for the replay's end (no timed flushes). */
  held = false;
  readonly #logger: Logger;
  readonly #writes: BoardWrites | undefined;
  readonly delayMs: number;

  /**
   * `writes`: the scores repository the shards' writes go through (default:
   * the one the process's repositories were last created with).
   */
  constructor(logger: Logger, delayMs = 1_000, writes?: BoardWrites) {
    this.#logger = logger;
    this.delayMs = delayMs;
    this.#writes = writes;
  }

  add(board: string, user: string, team: string | null, points: number): void {
    const id = `${board}|${boardShard(board, user)}`;
    let entries = this.#pending.get(id);
    if (!entries) {
      entries = new Map();
      this.#pending.set(id, entries);
    }
    const entry = entries.get(user);
    if (entry) {
      entry.points += points;
      entry.team = team;
    } else entries.set(user, { points, team });
    this.#schedule();
  }

  #schedule(): void {
    if (this.#timer || this.held || this.#pending.size === 0) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.flush().catch((err) => this.#logger.error({ err }, 'leaderboard flush failed'));
    }, this.delayMs);
    this.#timer.unref();
  }

  get pending(): number {
    return this.#pending.size;
  }

  /**
   * Writes every pending increment; resolves when they are stored. `fresh`:
   * most boards are new (a replay on an empty ledger), so they are inserted in
   * bulk first and only the ones that exist are incremented. `alone`: nothing
   * else writes meanwhile (the scale seed), so a board that exists is read,
   * added to and replaced. `only`: writes the
   * pending increments of those board shards alone (a replay of history stores
   * the boards of periods that are over while it goes on).
   */
  flush(
    options: { fresh?: boolean; alone?: boolean; only?: (shard: string) => boolean } = {},
  ): Promise<void> {
    const run = this.#flushing.then(async () => {
      if (this.#timer) {
        clearTimeout(this.#timer);
        this.#timer = null;
      }
      let batch = this.#pending;
      this.#pending = new Map();
      if (options.only) {
        const selected = new Map<string, Map<string, { points: number; team: string | null }>>();
        for (const [id, entries] of batch) (options.only(id) ? selected : this.#pending).set(id, entries);
        batch = selected;
      }
      if (batch.size > 0) {
        const writes = this.#writes ?? processBoardWrites;
        const write = () => this.#write(batch, options);
        await (writes ? writes.stored(batch, write) : write());
      }
      // Increments `only` left for later are written at the usual pace.
      this.#schedule();
    });
    this.#flushing = run.catch(() => undefined);
    return run;
  }

  /** Stores a batch of increments in the board shards. */
  async #write(
    batch: Map<string, Map<string, { points: number; team: string | null }>>,
    options: { fresh?: boolean; alone?: boolean },
  ): Promise<void> {
    const update = (id: string, entries: Map<string, { points: number; team: string | null }>) => {
      const inc: Record<string, number> = {};
      const set: Record<string, string | null> = {};
      for (const [user, { points, team }] of entries) {
        inc[`p.${user}`] = points;
        set[`tm.${user}`] = team;
      }
      return ScoreBoard.collection.updateOne(
        { _id: id as never },
        { $inc: inc, $set: set },
        { upsert: true },
      );
    };
    let existing = [...batch.keys()];
    if (options.fresh && existing.length > 0) {
      const docs = existing.map((id) => {
        const p: Record<string, number> = {};
        const tm: Record<string, string | null> = {};
        for (const [user, { points, team }] of batch.get(id)!) {
          p[user] = points;
          tm[user] = team;
        }
        return { _id: id, p, tm };
      });
      const taken = new Set<string>();
      for (let i = 0; i < docs.length; i += 500) {
        const chunk = docs.slice(i, i + 500);
        try {
          await ScoreBoard.collection.insertMany(chunk as never[], { ordered: false });
        } catch (err) {
          const errors = (err as { writeErrors?: Array<{ index: number; code?: number }> }).writeErrors;
          if (!errors || errors.some((e) => e.code !== 11000)) throw err;
          for (const e of errors) taken.add(chunk[e.index]!._id);
        }
      }
      existing = existing.filter((id) => taken.has(id));
    }
    if (options.alone) {
      // An update with one `$inc` per person costs the embedded engine time
      // growing with the square of the people in it (0.85 s for 4,000 people,
      // against 0.2 s to read and replace the board, measured).
      for (const id of existing) {
        const doc = await ScoreBoard.collection.findOne({ _id: id as never });
        const p = { ...((doc?.p ?? {}) as Record<string, number>) };
        const tm = { ...((doc?.tm ?? {}) as Record<string, string | null>) };
        for (const [user, { points, team }] of batch.get(id)!) {
          p[user] = (p[user] ?? 0) + points;
          tm[user] = team;
        }
        await ScoreBoard.collection.replaceOne({ _id: id as never }, { p, tm }, { upsert: true });
      }
      existing = [];
    }
    for (const id of existing) await update(id, batch.get(id)!);
  }

  /** Drops pending increments (a rebuild replaces the boards anyway). */
  discard(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#pending = new Map();
  }
}

let processBoardWrites: BoardWrites | undefined;

/**
 * The scores repository every BoardBuffer of this process writes through when
 * it was given none (the repositories set it when they are created: a replay's
 * own buffer then keeps the read side in step too).
 */
export function useBoardWrites(writes: BoardWrites | undefined): void {
  processBoardWrites = writes;
}

export interface LedgerDeps {
  settings: ScoringSettings;
  events: EventBus;
  logger: Logger;
  timeZone: string;
  boards: BoardBuffer;
}

/**
 * The score ledger: turns grants into append-only ledger lines (caps and
 * anti-gaming applied, every capped line kept with 0 points and the reason),
 * reverses sources with opposite lines, and keeps each person's card (totals,
 * levels, badges) and the leaderboards in step.
 */
export class ScoreLedger {
  readonly #deps: LedgerDeps;
  #store: LedgerStore = new DirectStore();
  readonly #written: Array<(user: string) => void> = [];
  /** While a rebuild runs, new lines wait for it (so nothing is counted twice or lost). */
  #gate: Promise<void> = Promise.resolve();

  constructor(deps: LedgerDeps) {
    this.#deps = deps;
  }

  /** Calls `listener` with the person whose card a line changed, once the line and its awards are written. */
  onWritten(listener: (user: string) => void): void {
    this.#written.push(listener);
  }

  get boards(): BoardBuffer {
    return this.#deps.boards;
  }

  get timeZone(): string {
    return this.#deps.timeZone;
  }

  /** Runs `task` with the ledger closed to new lines. */
  async exclusive<T>(task: () => Promise<T>): Promise<T> {
    const previous = this.#gate;
    let release!: () => void;
    this.#gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    await previous;
    try {
      return await task();
    } finally {
      release();
    }
  }

  /**
   * Runs a replay (the demo seed) with the ledger's changes kept in memory and
   * written together at the end: the same lines, totals and awards, without a
   * database round trip per line. Nothing else may score meanwhile. `store`:
   * a store prepared by the caller (a large replay gives it a snapshot of the
   * ledger and stores its lines as it goes).
   */
  async batch<T>(task: () => Promise<T>, store: BatchStore = new BatchStore()): Promise<T> {
    this.#store = store;
    await this.#deps.boards.flush();
    this.#deps.boards.held = true;
    try {
      return await task();
    } finally {
      this.#store = new DirectStore();
      this.#deps.boards.held = false;
      await store.flush();
      await this.#deps.boards.flush({ fresh: true });
    }
  }

  /** Records what a source earns. */
  async record(source: ScoreSourceRef, grants: readonly Grant[], at: Date): Promise<LedgerLine[]> {
    await this.#gate;
    const store = this.#store;
    const { rules, version } = await this.#deps.settings.rules();
    const lines = new Array<LedgerLine>(grants.length);
    // One person's grants one after the other (their caps and card add up in
    // order); different people's side by side (a vote: the voter's and the author's).
    const byUser = indexesByUser(grants);
    await Promise.all(
      [...byUser.values()].map(async (indexes) => {
        for (const i of indexes) {
          const grant = grants[i]!;
          const base = rules.points[grant.rule];
          const capped = await this.#cap(store, rules, grant, base, at);
          lines[i] = await this.#write(store, {
            user: grant.user,
            dimension: RULES[grant.rule],
            topics: [...new Set(grant.topics)],
            points: capped ? capped.points : base,
            base,
            rule: grant.rule,
            capped: capped?.reason ?? null,
            source: { type: source.type, id: source.id, post: source.post ?? null },
            actor: grant.actor,
            at,
            reverses: null,
            reason: null,
            rulesVersion: version,
          });
        }
      }),
    );
    const open = lines
      .filter((l) => l.points !== 0)
      .map((l) => ({ event: l.id, user: l.user, rule: l.rule, points: l.points }));
    if (open.length > 0) await store.pushOpen(sourceKeyOf(source), open);
    if (source.parent) await store.addChild(source.parent, sourceKeyOf(source));
    return lines;
  }

  /**
   * Writes the opposite of every open line of a source (and of its children
   * when asked), so undoing never edits history. `onlyUser`: reverse only what
   * that person earned (a deleted post takes its author's points, not the
   * voters' participation).
   */
  async reverseSource(
    key: string,
    reason: ReversalReason,
    at: Date,
    actor: string | null,
    options: { children?: boolean; onlyUser?: string } = {},
  ): Promise<LedgerLine[]> {
    await this.#gate;
    const store = this.#store;
    const doc = await store.findSource(key);
    if (!doc) return [];
    const reversed: LedgerLine[] = [];
    const keep: OpenEntry[] = [];
    const toReverse: OpenEntry[] = [];
    for (const entry of doc.open) {
      if (options.onlyUser && entry.user !== options.onlyUser) keep.push(entry);
      else toReverse.push(entry);
    }
    if (toReverse.length > 0) {
      await store.setOpen(key, keep);
      // As in `record`: one person's lines in order, different people's side by side.
      const byUser = indexesByUser(toReverse);
      const lines = new Array<LedgerLine | null>(toReverse.length).fill(null);
      await Promise.all(
        [...byUser.values()].map(async (indexes) => {
          for (const i of indexes)
            lines[i] = await this.#reverseLine(store, toReverse[i]!.event, reason, at, actor);
        }),
      );
      for (const line of lines) if (line) reversed.push(line);
    }
    if (options.children) {
      for (const child of doc.children)
        reversed.push(...(await this.reverseSource(child, reason, at, actor, options)));
    }
    return reversed;
  }

  /** Reverses one ledger line (a moderator's decision); null when it is already reversed or worth nothing. */
  async reverseEvent(
    eventId: string,
    reason: ReversalReason,
    at: Date,
    actor: string | null,
  ): Promise<LedgerLine | null> {
    await this.#gate;
    const store = this.#store;
    const original = await store.findLine(eventId);
    if (!original || original.reverses || original.points === 0 || !original.source) return null;
    const key = sourceKeyOf(original.source as { type: string; id: string });
    const doc = await store.findSource(key);
    const open = doc?.open ?? [];
    if (!open.some((e) => e.event === eventId)) return null;
    await store.setOpen(
      key,
      open.filter((e) => e.event !== eventId),
    );
    return this.#reverseLine(store, eventId, reason, at, actor);
  }

  async #reverseLine(
    store: LedgerStore,
    eventId: string,
    reason: ReversalReason,
    at: Date,
    actor: string | null,
  ): Promise<LedgerLine | null> {
    const found = await store.findLine(eventId);
    if (!found?.source) return null;
    const original = found as unknown as {
      user: unknown;
      dimension: Dimension;
      topics: unknown[];
      team: unknown;
      points: number;
      base: number;
      rule: string;
      source: { type: string; id: string; post?: string | null };
      at: Date;
      adjusts?: string | null;
      root?: string | null;
    };
    const { version } = await this.#deps.settings.rules();
    return this.#write(store, {
      user: String(original.user),
      dimension: original.dimension,
      topics: original.topics.map(String),
      teamOverride: original.team ? String(original.team) : null,
      points: -original.points,
      base: -original.base,
      rule: original.rule,
      capped: null,
      source: { type: original.source.type, id: original.source.id, post: original.source.post ?? null },
      actor,
      // A reversal counts in the periods of the line it reverses, so a week's
      // board loses exactly what that week gained.
      at: original.at,
      reverses: eventId,
      reason,
      rulesVersion: version,
      writtenAt: at,
      root: original.adjusts ?? original.root ?? eventId,
    });
  }

  async #cap(
    store: LedgerStore,
    rules: ScoringRules,
    grant: Grant,
    base: number,
    at: Date,
  ): Promise<{ points: number; reason: string } | null> {
    const dimension = RULES[grant.rule];
    // No self-credit: nobody earns competence from their own vote, confirmation or acceptance.
    if (dimension === 'competence' && grant.actor === grant.user) return { points: 0, reason: 'self' };
    if (grant.rule === 'answerAccepter' && grant.actor === grant.user) return { points: 0, reason: 'self' };
    const day = dayKey(at, this.#deps.timeZone);
    const expiresAt = new Date(at.getTime() + 3 * DAY_MS);
    if (grant.rule === 'voteCast') {
      const n = await store.bumpCap(`cast:${grant.user}:${day}`, 1, expiresAt);
      if (n > rules.caps.votesCastPerDay) return { points: 0, reason: 'votesCastPerDay' };
    }
    if (VOTE_COMPETENCE_RULES.includes(grant.rule) && grant.actor) {
      const pair = await store.bumpCap(`pair:${grant.actor}:${grant.user}:${day}`, 1, expiresAt);
      if (pair > rules.caps.votesPerPairPerDay) return { points: 0, reason: 'votesPerPairPerDay' };
      if (base > 0) {
        const total = await store.bumpCap(`votecomp:${grant.user}:${day}`, base, expiresAt);
        const room = rules.caps.voteCompetencePerDay - (total - base);
        if (room <= 0) return { points: 0, reason: 'voteCompetencePerDay' };
        if (room < base) return { points: room, reason: 'voteCompetencePerDay' };
      }
    }
    return null;
  }

  async #write(
    store: LedgerStore,
    input: Omit<LedgerLine, 'id' | 'team'> & {
      teamOverride?: string | null;
      writtenAt?: Date;
      root?: string;
    },
  ): Promise<LedgerLine> {
    const { rules } = await this.#deps.settings.rules();
    const team = input.teamOverride === undefined ? await store.teamOf(input.user) : input.teamOverride;
    const line = { ...input, team };
    const { card, boards } = incrementsOf(line, this.#deps.timeZone, rules.halfLifeDays);
    const after = await store.incrementCard(input.user, card);
    const seq = (after.seq as number | undefined) ?? 1;
    const id = `${input.user}:${seq}`;
    const stored: LedgerLine = {
      id,
      user: input.user,
      dimension: input.dimension,
      topics: input.topics,
      team,
      points: input.points,
      base: input.base,
      rule: input.rule,
      capped: input.capped,
      source: input.source,
      actor: input.actor,
      at: input.at,
      reverses: input.reverses,
      reason: input.reason,
      rulesVersion: input.rulesVersion,
    };
    await store.insertLine({
      ...stored,
      _id: id,
      user: toObjectId(input.user),
      topics: input.topics.map(toObjectId),
      team: team ? toObjectId(team) : null,
      actor: input.actor ? toObjectId(input.actor) : null,
      writtenAt: input.writtenAt ?? input.at,
      ...(input.root ? { root: input.root } : {}),
    });
    for (const board of boards) this.#deps.boards.add(board.id, input.user, team, board.points);
    if (input.points !== 0) await this.#awards(store, input.user, after, line, rules);
    for (const listener of this.#written) listener(input.user);
    return stored;
  }

  /** Level and badge awards: announced once, the first time they are reached. */
  async #awards(
    store: LedgerStore,
    user: string,
    card: Record<string, unknown>,
    line: Pick<LedgerLine, 'topics' | 'at'>,
    rules: ScoringRules,
  ) {
    const set: Record<string, unknown> = {};
    const reached: Array<{ topic: string; level: Level }> = [];
    const levels = (card.levels ?? {}) as Record<string, Level>;
    for (const topic of line.topics) {
      const level = levelOfCard(card, topic, rules);
      if (levelRank(level) > levelRank(levels[topic] ?? 'candidate')) {
        set[`levels.${topic}`] = level;
        reached.push({ topic, level });
      }
    }
    const badges = (card.badges ?? {}) as Record<string, unknown>;
    const counters = (card.n ?? {}) as Record<string, number>;
    const earned = BADGES.filter((b) => !badges[b.id] && (counters[b.counter] ?? 0) >= b.threshold).map(
      (b) => b.id,
    );
    for (const badge of earned) set[`badges.${badge}`] = line.at;
    if (Object.keys(set).length === 0) return;
    await store.setOnCard(user, set);
    for (const r of reached)
      await this.#deps.events.publish('score.levelReached', {
        userId: user,
        topicId: r.topic,
        level: r.level,
        at: line.at,
      });
    for (const badge of earned)
      await this.#deps.events.publish('score.badgeEarned', { userId: user, badge, at: line.at });
  }
}

/** The positions of each person's items, in order (items of one person are written one after the other). */
function indexesByUser(items: ReadonlyArray<{ user: string }>): Map<string, number[]> {
  const out = new Map<string, number[]>();
  items.forEach((item, i) => {
    const list = out.get(item.user);
    if (list) list.push(i);
    else out.set(item.user, [i]);
  });
  return out;
}

/** The level a card shows in a topic now. */
export function levelOfCard(card: Record<string, unknown>, topic: string, rules: ScoringRules): Level {
  const t = card.t as Record<string, Record<string, Record<string, number>>> | undefined;
  const points = t?.competence?.[`tp${topic}`]?.all ?? 0;
  const accepted = (card.accepted as Record<string, number> | undefined)?.[topic] ?? 0;
  const promoted = (card.promoted as Record<string, number> | undefined)?.[topic] ?? 0;
  const nominatedCoach = Boolean((card.coach as Record<string, unknown> | undefined)?.[topic]);
  return levelFor(rules, { points, accepted, promoted, nominatedCoach });
}

/** The handle a source is reversed by: "<type>:<id>". */
export function sourceKeyOf(source: { type: string; id: string }): string {
  return `${source.type}:${source.id}`;
}

function toObjectId(id: string): Types.ObjectId {
  return new Types.ObjectId(id);
}
