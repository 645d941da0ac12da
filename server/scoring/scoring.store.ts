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
  const parts = path.split('.');
  let node = doc as Record<string, unknown>;
  for (const part of parts.slice(0, -1)) {
    if (typeof node[part] !== 'object' || node[part] === null) node[part] = {};
    node = node[part] as Record<string, unknown>;
  }
  const last = parts[parts.length - 1]!;
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
 * The ledger's state for a replay, in memory: what it reads first comes from
 * the database, every change stays here until `flush()` writes it (cards and
 * sources replaced, lines inserted in bulk, counters of days that are over
 * left out — they only guard the day they count).
 */
export class BatchStore implements LedgerStore {
  readonly #base = new DirectStore();
  readonly #cards = new Map<string, StoredCard>();
  readonly #sources = new Map<string, StoredSource & { existed: boolean }>();
  readonly #caps = new Map<string, { value: number; expiresAt: Date; existed: boolean }>();
  readonly #lines = new Map<string, Record<string, unknown>>();
  readonly #teams = new Map<string, string | null>();
  readonly #now: () => Date;

  constructor(now: () => Date = () => new Date()) {
    this.#now = now;
  }

  async bumpCap(id: string, by: number, expiresAt: Date): Promise<number> {
    let cap = this.#caps.get(id);
    if (!cap) {
      const stored = await ScoreCap.findById(id).lean();
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
      card = ((await ScoreCard.findById(user).lean()) as StoredCard | null) ?? { _id: user, seq: 0 };
      this.#cards.set(user, card);
    }
    return card;
  }

  async incrementCard(user: string, inc: Record<string, number>): Promise<StoredCard> {
    const card = await this.#card(user);
    for (const [path, value] of Object.entries(inc)) addAt(card, path, value);
    card.seq = ((card.seq as number | undefined) ?? 0) + 1;
    return structuredClone(card);
  }

  async setOnCard(user: string, set: Record<string, unknown>): Promise<void> {
    const card = await this.#card(user);
    for (const [path, value] of Object.entries(set)) setAt(card, path, value);
  }

  async insertLine(doc: Record<string, unknown>): Promise<void> {
    this.#lines.set(String(doc._id), doc);
  }

  async findLine(id: string): Promise<Record<string, unknown> | null> {
    return this.#lines.get(id) ?? (await this.#base.findLine(id));
  }

  async #source(key: string): Promise<StoredSource & { existed: boolean }> {
    let source = this.#sources.get(key);
    if (!source) {
      const stored = await this.#base.findSource(key);
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
    for (let i = 0; i < lines.length; i += 1000)
      await ScoreEvent.collection.insertMany(lines.slice(i, i + 1000) as never[]);
    for (const [user, card] of this.#cards)
      await ScoreCard.collection.replaceOne({ _id: user as never }, { ...card, _id: user } as never, {
        upsert: true,
      });
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
