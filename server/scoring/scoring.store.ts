import { ScoreCap, ScoreCard, ScoreEvent, ScoreSource } from '../../models/score.ts';
import { User } from '../../models/user.ts';

export type StoredCard = Record<string, unknown>;
export interface OpenEntry {
  event: string;
  user: string;
  rule: string;
  points: number;
}
export interface StoredSource {
  open: OpenEntry[];
  children: string[];
}

/**
 * Where the ledger keeps its state. `DirectStore` writes each change at once
 * (what the app does); `BatchStore` keeps the changes of a long replay in
 * memory and writes them together at the end (the demo seed writes months of
 * history in seconds instead of minutes). The ledger's rules — caps,
 * reversals, awards — are the same code either way.
 */
export interface LedgerStore {
  /** Adds `by` to an anti-gaming counter; returns the new value. */
  bumpCap(id: string, by: number, expiresAt: Date): Promise<number>;
  /** Applies increments (dotted paths) to a card and advances its sequence; returns the card after. */
  incrementCard(user: string, inc: Record<string, number>): Promise<StoredCard>;
  setOnCard(user: string, set: Record<string, unknown>): Promise<void>;
  insertLine(doc: Record<string, unknown>): Promise<void>;
  findLine(id: string): Promise<Record<string, unknown> | null>;
  findSource(key: string): Promise<StoredSource | null>;
  pushOpen(key: string, entries: OpenEntry[]): Promise<void>;
  setOpen(key: string, entries: OpenEntry[]): Promise<void>;
  addChild(parent: string, child: string): Promise<void>;
  teamOf(user: string): Promise<string | null>;
}

export class DirectStore implements LedgerStore {
  async bumpCap(id: string, by: number, expiresAt: Date): Promise<number> {
    const doc = await ScoreCap.collection.findOneAndUpdate(
      { _id: id as never },
      { $inc: { value: by }, $set: { expiresAt } },
      { upsert: true, returnDocument: 'after' },
    );
    return (doc?.value as number | undefined) ?? by;
  }

  async incrementCard(user: string, inc: Record<string, number>): Promise<StoredCard> {
    const after = await ScoreCard.collection.findOneAndUpdate(
      { _id: user as never },
      { $inc: { ...inc, seq: 1 } },
      { upsert: true, returnDocument: 'after' },
    );
    return (after ?? { seq: 1 }) as StoredCard;
  }

  async setOnCard(user: string, set: Record<string, unknown>): Promise<void> {
    await ScoreCard.collection.updateOne({ _id: user as never }, { $set: set });
  }

  async insertLine(doc: Record<string, unknown>): Promise<void> {
    await ScoreEvent.collection.insertOne(doc as never);
  }

  async findLine(id: string): Promise<Record<string, unknown> | null> {
    return (await ScoreEvent.findById(id).lean()) as Record<string, unknown> | null;
  }

  async findSource(key: string): Promise<StoredSource | null> {
    const doc = await ScoreSource.findById(key).lean();
    return doc ? { open: doc.open.map((e) => ({ ...e })), children: doc.children ?? [] } : null;
  }

  async pushOpen(key: string, entries: OpenEntry[]): Promise<void> {
    await ScoreSource.collection.updateOne(
      { _id: key as never },
      { $push: { open: { $each: entries } } } as never,
      { upsert: true },
    );
  }

  async setOpen(key: string, entries: OpenEntry[]): Promise<void> {
    await ScoreSource.collection.updateOne({ _id: key as never }, { $set: { open: entries } });
  }

  async addChild(parent: string, child: string): Promise<void> {
    await ScoreSource.collection.updateOne(
      { _id: parent as never },
      { $addToSet: { children: child } } as never,
      { upsert: true },
    );
  }

  async teamOf(user: string): Promise<string | null> {
    const doc = await User.findById(user, { team: 1 }).lean();
    return doc?.team ? String(doc.team) : null;
  }
}

/** Adds `value` at a dotted path of a plain object (what `$inc` does on the stored document). */
export function addAt(doc: StoredCard, path: string, value: number): void {
  // Walked with indexOf rather than split: a replay or rebuild adds millions of paths.
  let node = doc as Record<string, unknown>;
  let start = 0;
  for (let dot = path.indexOf('.'); dot !== -1; dot = path.indexOf('.', start)) {
    const part = path.slice(start, dot);
    let next = node[part];
    if (typeof next !== 'object' || next === null) {
      next = {};
      node[part] = next;
    }
    node = next as Record<string, unknown>;
    start = dot + 1;
  }
  const last = path.slice(start);
  node[last] = ((node[last] as number | undefined) ?? 0) + value;
}

function setAt(doc: StoredCard, path: string, value: unknown): void {
  const parts = path.split('.');
  let node = doc as Record<string, unknown>;
  for (const part of parts.slice(0, -1)) {
    if (typeof node[part] !== 'object' || node[part] === null) node[part] = {};
    node = node[part] as Record<string, unknown>;
  }
  node[parts[parts.length - 1]!] = value;
}

/**
 * What the ledger had stored when a replay began, read in one pass per
 * collection (`BatchStore.snapshot()`). With it a replay looks nothing up one
 * key at a time: a key it does not hold is new (a long replay meets hundreds of
 * thousands of new sources and day counters, each a round trip otherwise).
 */
export interface LedgerSnapshot {
  cards: Map<string, StoredCard>;
  sources: Map<string, StoredSource>;
  caps: Map<string, { value: number; expiresAt: Date }>;
  /** Every person's current team. */
  teams: Map<string, string | null>;
}

export interface BatchStoreOptions {
  now?: () => Date;
  snapshot?: LedgerSnapshot;
}

/**
 * The ledger's state for a replay, in memory: what it reads first comes from
 * the database (or from a snapshot taken before), every change stays here
 * until `flush()` writes it (cards and sources replaced, lines inserted in
 * bulk, counters of days that are over left out — they only guard the day they
 * count). `flushLines()` writes the lines kept so far earlier, so a long
 * replay does not hold them all.
 */
export class BatchStore implements LedgerStore {
  readonly #base = new DirectStore();
  readonly #cards = new Map<string, StoredCard>();
  readonly #sources = new Map<string, StoredSource & { existed: boolean }>();
  readonly #caps = new Map<string, { value: number; expiresAt: Date; existed: boolean }>();
  readonly #lines = new Map<string, Record<string, unknown>>();
  /** Lines handed to `flushLines()` and not yet stored. */
  readonly #writing = new Map<string, Record<string, unknown>>();
  #linesWritten: Promise<void> = Promise.resolve();
  /** Sources `flushSources()` stored and let go of. */
  readonly #storedSources = new Set<string>();
  #sourcesWritten: Promise<void> = Promise.resolve();
  readonly #teams = new Map<string, string | null>();
  readonly #now: () => Date;
  readonly #snapshot: LedgerSnapshot | undefined;

  constructor(options: BatchStoreOptions = {}) {
    this.#now = options.now ?? (() => new Date());
    this.#snapshot = options.snapshot;
    if (this.#snapshot) for (const [user, team] of this.#snapshot.teams) this.#teams.set(user, team);
  }

  /** Reads the ledger's whole state (cards, sources, day counters) and every person's team. */
  static async snapshot(): Promise<LedgerSnapshot> {
    const snapshot: LedgerSnapshot = {
      cards: new Map(),
      sources: new Map(),
      caps: new Map(),
      teams: new Map(),
    };
    for await (const card of ScoreCard.collection.find({})) snapshot.cards.set(String(card._id), card);
    for await (const doc of ScoreSource.collection.find({}))
      snapshot.sources.set(String(doc._id), {
        open: ((doc.open ?? []) as OpenEntry[]).map((e) => ({ ...e })),
        children: (doc.children ?? []) as string[],
      });
    for await (const cap of ScoreCap.collection.find({}))
      snapshot.caps.set(String(cap._id), { value: cap.value as number, expiresAt: cap.expiresAt as Date });
    for await (const user of User.collection.find({}, { projection: { team: 1 } }))
      snapshot.teams.set(String(user._id), user.team ? String(user.team) : null);
    return snapshot;
  }

  async bumpCap(id: string, by: number, expiresAt: Date): Promise<number> {
    let cap = this.#caps.get(id);
    if (!cap) {
      const stored = this.#snapshot ? this.#snapshot.caps.get(id) : await ScoreCap.findById(id).lean();
      cap = { value: stored?.value ?? 0, expiresAt, existed: Boolean(stored) };
      this.#caps.set(id, cap);
    }
    cap.value += by;
    cap.expiresAt = expiresAt;
    return cap.value;
  }

  async #card(user: string): Promise<StoredCard> {
    let card = this.#cards.get(user);
    if (!card) {
      const stored = this.#snapshot
        ? this.#snapshot.cards.get(user)
        : ((await ScoreCard.findById(user).lean()) as StoredCard | null);
      card = stored ?? { _id: user, seq: 0 };
      this.#cards.set(user, card);
    }
    return card;
  }

  async incrementCard(user: string, inc: Record<string, number>): Promise<StoredCard> {
    const card = await this.#card(user);
    for (const [path, value] of Object.entries(inc)) addAt(card, path, value);
    card.seq = ((card.seq as number | undefined) ?? 0) + 1;
    // The card itself, not a copy: a replay records one line at a time, and the
    // ledger reads what it needs (sequence, award fields) before the next
    // change. (A card holds every period of every scope; copying it for each
    // line cost more than the replay itself.)
    return card;
  }

  async setOnCard(user: string, set: Record<string, unknown>): Promise<void> {
    const card = await this.#card(user);
    for (const [path, value] of Object.entries(set)) setAt(card, path, value);
  }

  async insertLine(doc: Record<string, unknown>): Promise<void> {
    this.#lines.set(String(doc._id), doc);
  }

  async findLine(id: string): Promise<Record<string, unknown> | null> {
    const kept = this.#lines.get(id) ?? this.#writing.get(id);
    if (kept) return kept;
    await this.#linesWritten;
    return this.#base.findLine(id);
  }

  /**
   * Stores the sources `complete` names (a replay knows which sources will not
   * change any more) and lets go of them: should one change after all, it is
   * read back from the database. Runs in the background like `flushLines()`.
   */
  flushSources(complete: (key: string) => boolean): Promise<void> {
    const fresh: Array<Record<string, unknown>> = [];
    const replaced: Array<Record<string, unknown>> = [];
    for (const [key, { open, children, existed }] of this.#sources) {
      if (!complete(key)) continue;
      this.#sources.delete(key);
      this.#storedSources.add(key);
      if (existed) replaced.push({ _id: key, open, children });
      else if (open.length > 0 || children.length > 0) fresh.push({ _id: key, open, children });
    }
    const previous = this.#sourcesWritten;
    const run = (async () => {
      await previous;
      for (let i = 0; i < fresh.length; i += 1000)
        await ScoreSource.collection.insertMany(fresh.slice(i, i + 1000) as never[]);
      for (const doc of replaced)
        await ScoreSource.collection.replaceOne({ _id: doc._id as never }, doc as never, { upsert: true });
    })();
    this.#sourcesWritten = run.catch(() => undefined);
    return run;
  }

  /** Sources kept in memory. */
  get pendingSources(): number {
    return this.#sources.size;
  }

  /** Lines this store has written so far. */
  linesStored = 0;

  /** Lines kept in memory and not yet stored. */
  get pendingLines(): number {
    return this.#lines.size;
  }

  /**
   * Stores the lines kept so far (in bulk, in the background: the promise
   * resolves when they are written; the replay may go on meanwhile).
   */
  flushLines(): Promise<void> {
    const lines = [...this.#lines.values()];
    this.#lines.clear();
    for (const line of lines) this.#writing.set(String(line._id), line);
    const previous = this.#linesWritten;
    const run = (async () => {
      await previous;
      for (let i = 0; i < lines.length; i += 1000)
        await ScoreEvent.collection.insertMany(lines.slice(i, i + 1000) as never[]);
      this.linesStored += lines.length;
      for (const line of lines) this.#writing.delete(String(line._id));
    })();
    this.#linesWritten = run.catch(() => undefined);
    return run;
  }

  async #source(key: string): Promise<StoredSource & { existed: boolean }> {
    let source = this.#sources.get(key);
    if (!source) {
      let stored: StoredSource | null | undefined;
      if (this.#storedSources.has(key)) {
        await this.#sourcesWritten;
        stored = await this.#base.findSource(key);
      } else stored = this.#snapshot ? this.#snapshot.sources.get(key) : await this.#base.findSource(key);
      source = { open: stored?.open ?? [], children: stored?.children ?? [], existed: Boolean(stored) };
      this.#sources.set(key, source);
    }
    return source;
  }

  async findSource(key: string): Promise<StoredSource | null> {
    const source = await this.#source(key);
    return source.existed || source.open.length > 0 || source.children.length > 0
      ? { open: [...source.open], children: [...source.children] }
      : null;
  }

  async pushOpen(key: string, entries: OpenEntry[]): Promise<void> {
    (await this.#source(key)).open.push(...entries);
  }

  async setOpen(key: string, entries: OpenEntry[]): Promise<void> {
    (await this.#source(key)).open = [...entries];
  }

  async addChild(parent: string, child: string): Promise<void> {
    const source = await this.#source(parent);
    if (!source.children.includes(child)) source.children.push(child);
  }

  async teamOf(user: string): Promise<string | null> {
    if (!this.#teams.has(user)) this.#teams.set(user, await this.#base.teamOf(user));
    return this.#teams.get(user) ?? null;
  }

  /** Writes everything kept so far. */
  async flush(): Promise<{ lines: number; cards: number; sources: number }> {
    const lines = [...this.#lines.values()];
    await this.#linesWritten;
    await this.#sourcesWritten;
    for (let i = 0; i < lines.length; i += 1000)
      await ScoreEvent.collection.insertMany(lines.slice(i, i + 1000) as never[]);
    this.linesStored += lines.length;
    // Cards of people who had none are inserted in bulk; the others replaced.
    const freshCards: StoredCard[] = [];
    for (const [user, card] of this.#cards) {
      const stored = this.#snapshot ? this.#snapshot.cards.has(user) : true;
      if (!stored) freshCards.push({ ...card, _id: user });
      else
        await ScoreCard.collection.replaceOne({ _id: user as never }, { ...card, _id: user } as never, {
          upsert: true,
        });
    }
    for (let i = 0; i < freshCards.length; i += 200)
      await ScoreCard.collection.insertMany(freshCards.slice(i, i + 200) as never[]);
    const fresh: Array<Record<string, unknown>> = [];
    for (const [key, { open, children, existed }] of this.#sources) {
      if (existed)
        await ScoreSource.collection.replaceOne({ _id: key as never }, { open, children } as never, {
          upsert: true,
        });
      else if (open.length > 0 || children.length > 0) fresh.push({ _id: key, open, children });
    }
    for (let i = 0; i < fresh.length; i += 1000)
      await ScoreSource.collection.insertMany(fresh.slice(i, i + 1000) as never[]);
    const now = this.#now().getTime();
    for (const [id, cap] of this.#caps) {
      if (cap.expiresAt.getTime() <= now && !cap.existed) continue;
      await ScoreCap.collection.replaceOne(
        { _id: id as never },
        { value: cap.value, expiresAt: cap.expiresAt } as never,
        { upsert: true },
      );
    }
    const report = { lines: lines.length, cards: this.#cards.size, sources: this.#sources.size };
    this.#lines.clear();
    this.#cards.clear();
    this.#sources.clear();
    this.#caps.clear();
    return report;
  }
}
