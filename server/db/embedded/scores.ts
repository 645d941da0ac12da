import { ScoreBoard, ScoreCard, ScoreEvent } from '../../../models/score.ts';
import { User } from '../../../models/user.ts';
import {
  type BoardIncrements,
  type BoardKey,
  type BoardPage,
  type BoardPageSpec,
  type BoardWrites,
  boardIdOf,
  type MemberRow,
  type ScoreCardDoc,
  type ScoresRepo,
  sortTeams,
  type WhySpec,
} from '../../scoring/scores.repo.ts';
import type { LedgerLine } from '../../scoring/scoring.ledger.ts';
import { boardShard, shardsOf } from '../../scoring/scoring.ledger.ts';
import { eachLimited, readCard, readCards, readLines } from '../score-cards.ts';
import type { Mirror, MirrorDoc, MirroredCollection } from './mirror.ts';
import { Interner, PersonLines, RankedBoard } from './score-indexes.ts';

/** What the "why" index keeps of a ledger line (the rest is read by `_id` for the page shown). */
const LINE_FIELDS = ['user', 'at', 'dimension', 'rule', 'topics'] as const;

/**
 * Leaderboards held ranked in memory at most, in people on them together (the
 * boards read least recently are let go, and read again from their shards when
 * asked for). A global board holds everyone with points in its period.
 */
export const MAX_HELD_BOARD_ENTRIES = 500_000;

/** A person's lines read back by `_id` at once, and looked for past the card's sequence. */
const LOAD_BATCH = 64;
/** Ledger lines read lately for "why" pages, whole (a page read again asks the engine nothing). */
const LINES_KEPT = 20_000;
const PROBE_BATCH = 8;

interface Loading {
  promise: Promise<PersonLines>;
  /** Lines heard while the person's lines were being read. */
  heard: Array<[seq: number, at: number, kind: number, topics: number]>;
  removed: number[];
}

const timeOf = (value: unknown): number =>
  value instanceof Date ? value.getTime() : new Date(String(value)).getTime();

function splitLineId(id: string): { user: string; seq: number } | undefined {
  const colon = id.lastIndexOf(':');
  if (colon <= 0) return undefined;
  const seq = Number(id.slice(colon + 1));
  return Number.isInteger(seq) && seq >= 0 && seq <= 0xffffffff
    ? { user: id.slice(0, colon), seq }
    : undefined;
}

/**
 * Scores on the embedded engine, where only `_id` lookups are indexed:
 *
 * - leaderboards: each board asked for is read once from its shards (by `_id`)
 *   and kept ranked in memory (`RankedBoard`), moved on every increment this
 *   process stores — its only writer — so a page is a walk of its top and a
 *   rank one binary search;
 * - the "why" list: per person, their ledger lines ordered by (time, id), with
 *   only time, sequence, rule and topics held (`PersonLines`, 18 bytes a line);
 *   the page's lines are then read by `_id`. A person's lines are read (by
 *   `_id`, "<user>:1" … "<user>:<seq>") the first time they are asked for, then
 *   follow the ledger's writes; on a ledger that was empty when the process
 *   started, every line is heard as it is written and nothing is read back;
 * - team members and who opted in to named scores, from the people held in
 *   memory by the directory.
 */
export class EmbeddedScoresRepo implements ScoresRepo {
  readonly #ready: () => Promise<void>;
  readonly #users: MirroredCollection;
  readonly #optedIn = new Set<string>();
  readonly #members = new Map<string, Set<string>>();

  /** True while every person's lines are held (the ledger was empty at start, or dropped since). */
  #complete = false;
  /** Bumped when the ledger is dropped: lines read before it are not kept. */
  #generation = 0;
  readonly #lines = new Map<string, PersonLines>();
  readonly #loading = new Map<string, Loading>();
  readonly #kinds = new Interner();
  readonly #topicSets = new Interner();
  readonly #setsByTopic = new Map<string, Set<number>>();
  /** Lines read whole lately, most recently read last; forgotten when written. */
  readonly #recentLines = new Map<string, LedgerLine>();
  /** Ledger writes heard: a read that one overtook keeps nothing. */
  #lineWrites = 0;

  /** Boards held, least recently read first. */
  readonly #boards = new Map<string, RankedBoard>();
  /** Board reads from the shards and the shards' writes, one at a time (so none is counted twice or missed). */
  #boardQueue: Promise<unknown> = Promise.resolve();

  readonly boardWrites: BoardWrites = {
    stored: (batch, write) =>
      this.#queue(async () => {
        try {
          await write();
        } catch (err) {
          this.#boards.clear(); // what was stored is unknown: read again when asked for
          throw err;
        }
        this.#applyIncrements(batch);
      }),
    replaced: (fill) =>
      this.#queue(async () => {
        this.#boards.clear();
        try {
          await fill(async () => {});
        } finally {
          this.#boards.clear();
        }
      }),
  };

  constructor(mirror: Mirror) {
    this.#ready = () => mirror.ready();
    this.#users = mirror.track(User as never);
    this.#users.onChange((id, person, previous) => {
      if (previous?.active && previous.team) this.#members.get(String(previous.team))?.delete(id);
      if (person?.active && person.team) {
        const team = String(person.team);
        let members = this.#members.get(team);
        if (!members) {
          members = new Set();
          this.#members.set(team, members);
        }
        members.add(id);
      }
      if (person?.scoresPublic) this.#optedIn.add(id);
      else this.#optedIn.delete(id);
    });
    const ledger = mirror.stream(ScoreEvent as never, LINE_FIELDS, async (native) => {
      // An empty ledger: every line to come is heard, none needs reading back.
      this.#complete = !(await native.findOne({}, { projection: { _id: 1 } }));
    });
    ledger.onChange((id, line) => this.#heard(id, line));
    ledger.onClear(() => {
      // Dropped: empty now, so every line to come is heard (reads under way are not kept).
      this.#generation++;
      this.#lines.clear();
      this.#recentLines.clear();
      this.#loading.clear();
      this.#complete = true;
    });
  }

  // --- leaderboards ---

  #queue<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#boardQueue.then(task, task);
    this.#boardQueue = run.catch(() => undefined);
    return run;
  }

  #applyIncrements(batch: BoardIncrements): void {
    for (const [shard, entries] of batch) {
      const board = this.#boards.get(shard.slice(0, shard.lastIndexOf('|')));
      if (!board) continue;
      for (const [user, { points, team }] of entries) board.add(user, points, team);
    }
  }

  async #board(key: BoardKey): Promise<RankedBoard> {
    const id = boardIdOf(key);
    const held = this.#boards.get(id);
    if (held) {
      this.#boards.delete(id);
      this.#boards.set(id, held);
      return held;
    }
    return this.#queue(async () => {
      const again = this.#boards.get(id);
      if (again) return again;
      const shards = await Promise.all(
        Array.from({ length: shardsOf(key.scope) }, (_, shard) =>
          ScoreBoard.collection.findOne({ _id: `${id}|${shard}` as never }),
        ),
      );
      // A person's points summed over the shards: a folder written with fewer shards
      // keeps older points in the shard they went to then, newer ones in today's.
      const entries = new Map<string, [user: string, points: number, team: string | null]>();
      // The team is the one in the shard written today (the person's latest).
      shards.forEach((shard, index) => {
        if (!shard) return;
        const points = (shard.p ?? {}) as Record<string, number>;
        const teams = (shard.tm ?? {}) as Record<string, string | null>;
        for (const [user, value] of Object.entries(points)) {
          const known = entries.get(user);
          if (!known) entries.set(user, [user, value, teams[user] ?? null]);
          else {
            known[1] += value;
            if (index === boardShard(id, user)) known[2] = teams[user] ?? null;
          }
        }
      });
      const board = RankedBoard.from(entries.values());
      this.#boards.set(id, board);
      let held = 0;
      for (const b of this.#boards.values()) held += b.size;
      for (const [other, b] of this.#boards) {
        if (held <= MAX_HELD_BOARD_ENTRIES || other === id) break;
        this.#boards.delete(other);
        held -= b.size;
      }
      return board;
    });
  }

  async board(key: BoardKey, spec: BoardPageSpec): Promise<BoardPage> {
    await this.#ready();
    const board = await this.#board(key);
    const named = spec.named === 'optedIn' ? this.#optedIn : undefined;
    const rows: BoardPage['rows'] = [];
    const teams = new Map<string | null, { people: number; points: number }>();
    for (const row of board.ranked()) {
      if (named && !named.has(row.user)) {
        const team = teams.get(row.team) ?? { people: 0, points: 0 };
        team.people++;
        team.points += row.points;
        teams.set(row.team, team);
        continue;
      }
      if (rows.length < spec.limit) rows.push(row);
      else if (!named) break;
    }
    const own = board.get(spec.viewer);
    return {
      people: board.size,
      rows,
      mine: own
        ? { user: spec.viewer, points: own.points, team: own.team, rank: board.rankOf(own.points) }
        : null,
      teams: sortTeams(teams),
    };
  }

  /** Boards held in memory and the people on them (diagnostics, the memory script). */
  get heldBoards(): { boards: number; entries: number } {
    let entries = 0;
    for (const b of this.#boards.values()) entries += b.size;
    return { boards: this.#boards.size, entries };
  }

  // --- cards and team members ---

  card(user: string): Promise<ScoreCardDoc> {
    return readCard(user);
  }

  cards(users: readonly string[]): Promise<Map<string, ScoreCardDoc>> {
    return readCards(users);
  }

  async teamMembers(team: string): Promise<MemberRow[]> {
    await this.#ready();
    const people: MirrorDoc[] = [];
    for (const id of this.#members.get(team) ?? []) {
      const person = this.#users.get(id);
      if (person) people.push(person);
    }
    people.sort((a, b) => {
      const ka = String(a.nameKey ?? '');
      const kb = String(b.nameKey ?? '');
      if (ka !== kb) return ka < kb ? -1 : 1;
      return String(a._id) < String(b._id) ? -1 : 1;
    });
    return people.map((p) => ({
      id: String(p._id),
      displayName: String(p.displayName ?? ''),
      topics: ((p.topics as unknown[] | undefined) ?? []).map(String),
    }));
  }

  // --- the "why" list ---

  #topicSetOf(topics: unknown): number {
    const list = Array.isArray(topics) ? [...new Set(topics.map(String))].sort() : [];
    const key = list.join(',');
    const known = this.#topicSets.get(key);
    if (known !== undefined) return known;
    const code = this.#topicSets.code(key);
    for (const topic of list) {
      let sets = this.#setsByTopic.get(topic);
      if (!sets) {
        sets = new Set();
        this.#setsByTopic.set(topic, sets);
      }
      sets.add(code);
    }
    return code;
  }

  #packed(line: MirrorDoc): [at: number, kind: number, topics: number] {
    return [
      timeOf(line.at),
      this.#kinds.code(`${String(line.dimension)}|${String(line.rule)}`),
      this.#topicSetOf(line.topics),
    ];
  }

  /** A write of the ledger, heard from the mirror (a line written, or with `undefined` deleted). */
  #heard(id: string, line: MirrorDoc | undefined): void {
    this.#lineWrites++;
    this.#recentLines.delete(id);
    const key = splitLineId(id);
    if (!key) return;
    const loading = this.#loading.get(key.user);
    let person = this.#lines.get(key.user);
    if (!line) {
      person?.remove(key.seq);
      loading?.removed.push(key.seq);
      return;
    }
    if (!person && !loading && this.#complete) {
      person = new PersonLines();
      this.#lines.set(key.user, person);
    }
    if (!person && !loading) return; // read back whole when first asked for
    const [at, kind, topics] = this.#packed(line);
    person?.put(at, key.seq, kind, topics);
    loading?.heard.push([key.seq, at, kind, topics]);
  }

  /** A person's lines: held, or read back by `_id` (once) and held from then on. */
  async #personLines(user: string): Promise<PersonLines> {
    await this.#ready();
    const held = this.#lines.get(user);
    if (held) return held;
    if (this.#complete) {
      const empty = new PersonLines();
      this.#lines.set(user, empty);
      return empty;
    }
    const loading = this.#loading.get(user);
    if (loading) return loading.promise;
    const state: Loading = { promise: undefined as never, heard: [], removed: [] };
    this.#loading.set(user, state);
    state.promise = this.#load(user, state).finally(() => this.#loading.delete(user));
    return state.promise;
  }

  async #load(user: string, state: Loading): Promise<PersonLines> {
    const generation = this.#generation;
    const card = await ScoreCard.collection.findOne({ _id: user as never }, { projection: { seq: 1 } });
    const seq = Number(card?.seq ?? 0);
    const person = new PersonLines(Math.max(4, seq));
    const projection = Object.fromEntries(LINE_FIELDS.map((f) => [f, 1]));
    const read = async (from: number, to: number): Promise<number> => {
      const seqs = Array.from({ length: to - from + 1 }, (_, i) => from + i);
      const docs = await eachLimited(seqs, 16, (n) =>
        ScoreEvent.collection.findOne({ _id: `${user}:${n}` as never }, { projection }),
      );
      let found = 0;
      docs.forEach((doc, i) => {
        if (!doc) return;
        found++;
        const [at, kind, topics] = this.#packed(doc as MirrorDoc);
        person.put(at, seqs[i]!, kind, topics);
      });
      return found;
    };
    for (let from = 1; from <= seq; from += LOAD_BATCH)
      await read(from, Math.min(seq, from + LOAD_BATCH - 1));
    // Lines past the card's sequence (a card not yet written back, a ledger written in bulk).
    for (let from = seq + 1; ; from += PROBE_BATCH)
      if ((await read(from, from + PROBE_BATCH - 1)) === 0) break;
    for (const [n, at, kind, topics] of state.heard) person.put(at, n, kind, topics);
    for (const n of state.removed) person.remove(n);
    if (generation === this.#generation) this.#lines.set(user, person);
    return person;
  }

  async why(user: string, spec: WhySpec): Promise<LedgerLine[]> {
    const person = await this.#personLines(user);
    let kinds: Uint8Array | undefined;
    if (spec.dimension || spec.rule) {
      kinds = new Uint8Array(this.#kinds.values.length);
      this.#kinds.values.forEach((value, code) => {
        const [dimension, rule] = value.split('|');
        if ((!spec.dimension || dimension === spec.dimension) && (!spec.rule || rule === spec.rule))
          kinds![code] = 1;
      });
    }
    const sets = spec.topic ? (this.#setsByTopic.get(spec.topic) ?? new Set<number>()) : undefined;
    let after: { at: number; seq: number } | undefined;
    if (spec.after) {
      const key = splitLineId(spec.after.id);
      if (!key || key.user !== user) throw new Error(`cursor ${spec.after.id} is not a line of ${user}`);
      after = { at: spec.after.at.getTime(), seq: key.seq };
    }
    const positions = person.newest(
      spec.limit,
      after,
      kinds || sets
        ? (i) => (!kinds || kinds[person.kind[i]!] === 1) && (!sets || sets.has(person.topics[i]!))
        : undefined,
    );
    return this.#readLines(positions.map((i) => `${user}:${person.seq[i]}`));
  }

  /** Lines by `_id`, in order: those read lately from memory, the others from the engine. */
  async #readLines(ids: string[]): Promise<LedgerLine[]> {
    const missing = ids.filter((id) => !this.#recentLines.has(id));
    if (missing.length > 0) {
      const writes = this.#lineWrites;
      const generation = this.#generation;
      const read = await readLines(missing);
      if (writes === this.#lineWrites && generation === this.#generation)
        for (const line of read) {
          if (this.#recentLines.size >= LINES_KEPT)
            this.#recentLines.delete(this.#recentLines.keys().next().value!);
          this.#recentLines.set(line.id, line);
        }
      else return readLinesInOrder(ids, read, this.#recentLines);
    }
    return readLinesInOrder(ids, [], this.#recentLines);
  }

  /** Ledger lines held and the bytes they take (diagnostics, the memory script). */
  get heldLines(): { people: number; lines: number; bytes: number } {
    let lines = 0;
    let bytes = 0;
    for (const person of this.#lines.values()) {
      lines += person.n;
      bytes += person.bytes;
    }
    return { people: this.#lines.size, lines, bytes };
  }
}

/** The lines of `ids` in that order, from `read` or else `kept` (those neither holds are left out). */
function readLinesInOrder(
  ids: readonly string[],
  read: readonly LedgerLine[],
  kept: Map<string, LedgerLine>,
): LedgerLine[] {
  const fresh = new Map(read.map((line) => [line.id, line]));
  const out: LedgerLine[] = [];
  for (const id of ids) {
    const line = fresh.get(id) ?? kept.get(id);
    if (!line) continue;
    // Read again: last out.
    if (!fresh.has(id)) {
      kept.delete(id);
      kept.set(id, line);
    }
    out.push(line);
  }
  return out;
}
