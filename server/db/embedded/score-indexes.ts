/**
 * The embedded scores repository's in-process indexes (server/db/embedded/scores.ts):
 * a person's ledger lines in "why" order, packed, and a leaderboard ranked.
 */

/** Compares two line sequences as their ids compare ("<user>:<n>" as text: "…:10" < "…:9"). */
function compareSeqText(a: number, b: number): number {
  if (a === b) return 0;
  const sa = String(a);
  const sb = String(b);
  return sa < sb ? -1 : 1;
}

/**
 * One person's ledger lines, oldest first by (time, id as text) — the "why"
 * list read backwards. Only what the list filters on is held, in typed arrays:
 * time, sequence, kind (dimension and rule, interned) and topics (the line's
 * topic set, interned): 18 bytes a line.
 */
export class PersonLines {
  n = 0;
  at: Float64Array;
  seq: Uint32Array;
  kind: Uint16Array;
  topics: Uint32Array;

  constructor(capacity = 4) {
    this.at = new Float64Array(capacity);
    this.seq = new Uint32Array(capacity);
    this.kind = new Uint16Array(capacity);
    this.topics = new Uint32Array(capacity);
  }

  #grow(): void {
    const capacity = Math.max(4, Math.ceil(this.at.length * 1.5));
    const at = new Float64Array(capacity);
    at.set(this.at);
    const seq = new Uint32Array(capacity);
    seq.set(this.seq);
    const kind = new Uint16Array(capacity);
    kind.set(this.kind);
    const topics = new Uint32Array(capacity);
    topics.set(this.topics);
    this.at = at;
    this.seq = seq;
    this.kind = kind;
    this.topics = topics;
  }

  /** Negative when line `i` comes before (is older than) the position (at, seq). */
  #compare(i: number, at: number, seq: number): number {
    const d = this.at[i]! - at;
    return d !== 0 ? d : compareSeqText(this.seq[i]!, seq);
  }

  /** The first index not before (at, seq). */
  #lowerBound(at: number, seq: number): number {
    let lo = 0;
    let hi = this.n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#compare(mid, at, seq) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Adds a line (or replaces the one with the same time and sequence). */
  put(at: number, seq: number, kind: number, topics: number): void {
    let i: number;
    if (this.n === 0 || this.#compare(this.n - 1, at, seq) < 0) i = this.n;
    else {
      i = this.#lowerBound(at, seq);
      if (i < this.n && this.#compare(i, at, seq) === 0) {
        this.kind[i] = kind;
        this.topics[i] = topics;
        return;
      }
    }
    if (this.n === this.at.length) this.#grow();
    if (i < this.n) {
      this.at.copyWithin(i + 1, i, this.n);
      this.seq.copyWithin(i + 1, i, this.n);
      this.kind.copyWithin(i + 1, i, this.n);
      this.topics.copyWithin(i + 1, i, this.n);
    }
    this.at[i] = at;
    this.seq[i] = seq;
    this.kind[i] = kind;
    this.topics[i] = topics;
    this.n++;
  }

  /** Removes the line with this sequence (a walk: lines are deleted rarely, if ever). */
  remove(seq: number): boolean {
    for (let i = 0; i < this.n; i++) {
      if (this.seq[i] !== seq) continue;
      this.at.copyWithin(i, i + 1, this.n);
      this.seq.copyWithin(i, i + 1, this.n);
      this.kind.copyWithin(i, i + 1, this.n);
      this.topics.copyWithin(i, i + 1, this.n);
      this.n--;
      return true;
    }
    return false;
  }

  /**
   * Positions of lines newest first, strictly after the cursor (an older line
   * than the one it names), that satisfy `where`, at most `limit` of them.
   */
  newest(limit: number, after?: { at: number; seq: number }, where?: (i: number) => boolean): number[] {
    const out: number[] = [];
    let i = after ? this.#lowerBound(after.at, after.seq) - 1 : this.n - 1;
    for (; i >= 0 && out.length < limit; i--) if (!where || where(i)) out.push(i);
    return out;
  }

  /** Bytes held by the typed arrays (capacity included). */
  get bytes(): number {
    return this.at.byteLength + this.seq.byteLength + this.kind.byteLength + this.topics.byteLength;
  }
}

/** Small numbers for repeated values (a line's dimension and rule, its set of topics). */
export class Interner {
  readonly #codes = new Map<string, number>();
  readonly values: string[] = [];

  code(value: string): number {
    let code = this.#codes.get(value);
    if (code === undefined) {
      code = this.values.length;
      this.values.push(value);
      this.#codes.set(value, code);
    }
    return code;
  }

  get(value: string): number | undefined {
    return this.#codes.get(value);
  }
}

interface BoardEntry {
  points: number;
  team: string | null;
}

/**
 * One leaderboard, ranked: people by points (most first), ties by user id, as
 * two sorted arrays; people with 0 points are not on it. A change of score
 * moves one person (two binary searches and a splice); a rank is a binary
 * search on the points (1 + how many have more).
 */
export class RankedBoard {
  readonly #entries = new Map<string, BoardEntry>();
  #users: string[] = [];
  #points: number[] = [];

  /** Builds a board from its people's points (in one sort). */
  static from(entries: Iterable<[user: string, points: number, team: string | null]>): RankedBoard {
    const board = new RankedBoard();
    const list: Array<[string, number]> = [];
    for (const [user, points, team] of entries) {
      if (points === 0) continue;
      board.#entries.set(user, { points, team });
      list.push([user, points]);
    }
    list.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    board.#users = list.map((e) => e[0]);
    board.#points = list.map((e) => e[1]);
    return board;
  }

  get size(): number {
    return this.#users.length;
  }

  /** The first position not ahead of (points, user) in board order. */
  #position(points: number, user: string): number {
    let lo = 0;
    let hi = this.#users.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const p = this.#points[mid]!;
      const ahead = p > points || (p === points && this.#users[mid]! < user);
      if (ahead) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Adds `delta` to a person's points (their team: the latest given). */
  add(user: string, delta: number, team: string | null): void {
    const entry = this.#entries.get(user);
    this.set(user, (entry?.points ?? 0) + delta, team);
  }

  set(user: string, points: number, team: string | null): void {
    const entry = this.#entries.get(user);
    if (entry) {
      if (entry.points === points) {
        entry.team = team;
        return;
      }
      const at = this.#position(entry.points, user);
      this.#users.splice(at, 1);
      this.#points.splice(at, 1);
      this.#entries.delete(user);
    }
    if (points === 0) return;
    const at = this.#position(points, user);
    this.#users.splice(at, 0, user);
    this.#points.splice(at, 0, points);
    this.#entries.set(user, { points, team });
  }

  get(user: string): BoardEntry | undefined {
    return this.#entries.get(user);
  }

  /** 1 + how many people have more points. */
  rankOf(points: number): number {
    let lo = 0;
    let hi = this.#points.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#points[mid]! > points) lo = mid + 1;
      else hi = mid;
    }
    return lo + 1;
  }

  /** People in board order, best first, with their rank. */
  *ranked(): Generator<{ user: string; points: number; team: string | null; rank: number }> {
    let rank = 0;
    let previous = Number.NaN;
    for (let i = 0; i < this.#users.length; i++) {
      const user = this.#users[i]!;
      const points = this.#points[i]!;
      if (points !== previous) rank = i + 1;
      previous = points;
      yield { user, points, team: this.#entries.get(user)?.team ?? null, rank };
    }
  }
}
