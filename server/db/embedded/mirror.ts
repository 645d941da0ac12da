import { BSON } from 'mongodb';
import mongoose from 'mongoose';
import { beforeWrite, readSnapshot, writeSnapshot } from './snapshot.ts';
import { inLane } from './write-lanes.ts';

/** A document as the mirror keeps it: the tracked fields and `_id`. Never mutate one. */
export type MirrorDoc = Readonly<Record<string, unknown>> & { readonly _id: unknown };

export type ChangeListener = (
  id: string,
  doc: MirrorDoc | undefined,
  previous: MirrorDoc | undefined,
) => void;

/**
 * A held copy of a document in V8's compact form. The driver builds each
 * document by adding its fields one by one, which leaves it (and each nested
 * object) in dictionary mode: about 3.3 KB for a post card, against 1.8 KB for
 * the same fields copied at once (a spread is a clone of a fast object). Values
 * other than plain objects and arrays (ObjectIds, dates, binaries) are shared.
 */
export function compact<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(compact) as T;
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  const out = { ...value } as Record<string, unknown>;
  for (const key in out) {
    const field = out[key];
    if (field !== null && typeof field === 'object') out[key] = compact(field);
  }
  return out as T;
}

/** The ids a filter names by `_id` equality or `$in`, or undefined when it names none. */
function idsOfFilter(filter: unknown): unknown[] | undefined {
  if (!filter || typeof filter !== 'object') return undefined;
  const id = (filter as { _id?: unknown })._id;
  if (id === undefined) return undefined;
  if (id && typeof id === 'object' && !(id instanceof mongoose.Types.ObjectId)) {
    const ops = id as { $eq?: unknown; $in?: unknown[] };
    if (ops.$eq !== undefined) return [ops.$eq];
    if (Array.isArray(ops.$in)) return ops.$in;
    return undefined;
  }
  return [id];
}

/**
 * One collection held in memory by the embedded adapter: every document (or
 * the fields that lists need), loaded once from the engine and kept current on
 * each write this process makes — the app is the only writer of its embedded
 * engine. Listeners (ordered indexes, counts) hear every change.
 */
export class MirroredCollection {
  readonly name: string;
  readonly fields: readonly string[] | undefined;
  readonly docs = new Map<string, MirrorDoc>();
  readonly #listeners: ChangeListener[] = [];
  readonly #clearListeners: Array<() => void> = [];
  /**
   * A streamed collection (`Mirror.stream`) holds nothing: its listeners hear
   * each write's documents (with no `previous`) and keep what they need.
   */
  readonly start: StreamStart | undefined;
  loaded = false;

  constructor(name: string, fields: readonly string[] | undefined, start?: StreamStart) {
    this.name = name;
    this.fields = fields;
    this.start = start;
  }

  get streamed(): boolean {
    return this.start !== undefined;
  }

  /** Called when the collection is dropped (a streamed collection's listeners forget everything). */
  onClear(listener: () => void): void {
    this.#clearListeners.push(listener);
  }

  get projection(): Record<string, 1> | undefined {
    return this.fields ? Object.fromEntries(this.fields.map((f) => [f, 1 as const])) : undefined;
  }

  /** Calls `listener` for every document already held, then on every change. */
  onChange(listener: ChangeListener): void {
    this.#listeners.push(listener);
    for (const [id, doc] of this.docs) listener(id, doc, undefined);
  }

  get(id: unknown): MirrorDoc | undefined {
    return this.docs.get(String(id));
  }

  /** The held form of a document: its tracked fields (or all), compact. */
  pick(doc: Record<string, unknown>): MirrorDoc {
    if (!this.fields) return compact(doc) as MirrorDoc;
    const out: Record<string, unknown> = { _id: doc._id };
    for (const f of this.fields) if (f in doc) out[f] = doc[f];
    return compact(out) as MirrorDoc;
  }

  apply(id: string, doc: MirrorDoc | undefined): void {
    if (this.start) {
      for (const listener of this.#listeners) listener(id, doc, undefined);
      return;
    }
    const previous = this.docs.get(id);
    if (doc) this.docs.set(id, doc);
    else if (previous) this.docs.delete(id);
    else return;
    for (const listener of this.#listeners) listener(id, doc, previous);
  }

  clear(): void {
    for (const id of [...this.docs.keys()]) this.apply(id, undefined);
    for (const listener of this.#clearListeners) listener();
  }

  readonly #whenLoaded: Array<() => void> = [];

  /** Calls `listener` once the collection is held (at once if it is already). */
  onLoaded(listener: () => void): void {
    if (this.loaded) listener();
    else this.#whenLoaded.push(listener);
  }

  markLoaded(): void {
    this.loaded = true;
    for (const listener of this.#whenLoaded.splice(0)) listener();
  }
}

/**
 * How a streamed collection starts: called once, inside the collection's write
 * lane (no write of this process runs meanwhile), before its writes are heard.
 */
export type StreamStart = (native: {
  findOne(filter: unknown, options?: unknown): Promise<Record<string, unknown> | null>;
}) => Promise<void>;

type NativeCollection = {
  find(
    filter: unknown,
    options?: unknown,
  ): { toArray(): Promise<Array<Record<string, unknown>>> } & AsyncIterable<Record<string, unknown>>;
  findOne(filter: unknown, options?: unknown): Promise<Record<string, unknown> | null>;
};

/** What the write hook sees of a mongoose collection. */
interface HookedCollection {
  name: string;
  conn: { name: string };
  collection: NativeCollection;
}

type Method = (...args: unknown[]) => Promise<unknown>;

/**
 * The collections this process mirrors, for the database it is connected to.
 * One at a time: the app (or a test suite) opens one database.
 */
export class Mirror {
  readonly database: string;
  readonly #collections = new Map<string, MirroredCollection>();
  #loading: Promise<void> | undefined;

  constructor(database: string) {
    this.database = database;
  }

  /** Mirrors a model's collection (its fields, or every field). */
  track(model: mongoose.Model<never>, fields?: readonly string[]): MirroredCollection {
    const name = model.collection.collectionName;
    let mirrored = this.#collections.get(name);
    if (!mirrored) {
      mirrored = new MirroredCollection(name, fields);
      this.#collections.set(name, mirrored);
    }
    return mirrored;
  }

  /**
   * Hears every write of a model's collection without holding it (a collection
   * too large to keep, e.g. the score ledger): listeners receive the written
   * documents' `fields`; nothing is read at load but what `start` reads.
   */
  stream(model: mongoose.Model<never>, fields: readonly string[], start: StreamStart): MirroredCollection {
    const name = model.collection.collectionName;
    let mirrored = this.#collections.get(name);
    if (!mirrored) {
      mirrored = new MirroredCollection(name, fields, start);
      this.#collections.set(name, mirrored);
    }
    if (!mirrored.streamed) throw new Error(`${name} is already held whole by the mirror`);
    return mirrored;
  }

  collection(name: string): MirroredCollection | undefined {
    return this.#collections.get(name);
  }

  /** Resolves once every collection tracked so far is held (loads the ones not yet read). */
  ready(): Promise<void> {
    const pending = [...this.#collections.values()].some((c) => !c.loaded);
    if (pending || !this.#loading)
      this.#loading = (this.#loading ?? Promise.resolve()).then(() => this.load());
    return this.#loading;
  }

  /**
   * The process's mirror of `database`: the active one when it mirrors that
   * database (several runtimes in one process share it), otherwise a new one
   * that becomes active.
   */
  static of(database: string): Mirror {
    if (active?.database === database) return active;
    const mirror = new Mirror(database);
    activateMirror(mirror);
    return mirror;
  }

  /**
   * Reads every tracked collection from the engine once, each inside its write
   * lane so that no write of this process slips between the read and the mirror.
   */
  async load(): Promise<void> {
    const pending = [...this.#collections.values()].filter((m) => !m.loaded);
    if (pending.length === 0) return;
    // What the previous run wrote when it stopped, if nobody opened the database since.
    const snapshot = await readSnapshot(this.database);
    // Collections are read side by side: the engine reads one while this process indexes another.
    await Promise.all(
      pending.map((mirrored) =>
        inLane(mirrored.name, async () => {
          const native = mongoose.connection.collection(mirrored.name) as unknown as {
            find(filter: unknown, options?: unknown): AsyncIterable<Record<string, unknown>>;
            findOne(filter: unknown, options?: unknown): Promise<Record<string, unknown> | null>;
          };
          // A streamed collection holds nothing: it always starts from the engine.
          if (mirrored.start) {
            await mirrored.start(native);
            mirrored.markLoaded();
            return;
          }
          const kept = snapshot?.take(mirrored.name, mirrored.fields ?? null);
          if (kept) {
            for (const doc of kept) mirrored.apply(String(doc._id), compact(doc) as MirrorDoc);
            mirrored.markLoaded();
            return;
          }
          const cursor = native.find({}, { projection: mirrored.projection, batchSize: 5000 });
          for await (const doc of cursor) mirrored.apply(String(doc._id), mirrored.pick(doc));
          mirrored.markLoaded();
        }),
      ),
    );
  }

  /**
   * Writes what is held to a file for the next start (see snapshot.ts); call
   * when the app stops, after its last write. Returns the file, if written.
   */
  async save(deadline?: number): Promise<string | undefined> {
    const held = [...this.#collections.values()].filter((m) => m.loaded && !m.streamed);
    return writeSnapshot(
      this.database,
      held.map((m) => ({ name: m.name, fields: m.fields ?? null, docs: m.docs.values() })),
      deadline,
    );
  }
}

let active: Mirror | undefined;

/** Makes `mirror` the one that hears this process's writes (undefined: none). */
export function activateMirror(mirror: Mirror | undefined): void {
  active = mirror;
  if (mirror) installEmbeddedWrites();
}

function mirrorFor(collection: HookedCollection): MirroredCollection | undefined {
  if (!active || collection.conn?.name !== active.database) return undefined;
  const mirrored = active.collection(collection.name);
  return mirrored?.loaded ? mirrored : undefined;
}

async function refresh(mirrored: MirroredCollection, native: NativeCollection, ids: Iterable<unknown>) {
  const seen = new Set<string>();
  for (const id of ids) {
    const key = String(id);
    if (seen.has(key)) continue;
    seen.add(key);
    const doc = await native.findOne({ _id: id }, { projection: mirrored.projection });
    mirrored.apply(key, doc ? mirrored.pick(doc) : undefined);
  }
}

/** The ids a write will touch, found before it runs (a filter without `_id` is asked of the engine). */
async function idsBefore(native: NativeCollection, filter: unknown, many: boolean): Promise<unknown[]> {
  const named = idsOfFilter(filter);
  if (named) return named;
  const found = await native
    .find(filter, { projection: { _id: 1 }, ...(many ? {} : { limit: 1 }) })
    .toArray();
  return found.map((d) => d._id);
}

function upsertedIdOf(result: unknown): unknown {
  if (!result || typeof result !== 'object') return undefined;
  const r = result as {
    upsertedId?: unknown;
    _id?: unknown;
    value?: { _id?: unknown } | null;
    lastErrorObject?: { upserted?: unknown };
  };
  return r.upsertedId ?? r.lastErrorObject?.upserted ?? r.value?._id ?? r._id;
}

type BulkOp = Record<string, { filter?: unknown; document?: Record<string, unknown>; upsert?: boolean }>;

/**
 * Every write of a mirrored collection, wherever in the app it is made, goes
 * through here: in its collection's lane, the ids it touches are noted, the
 * write runs, and those documents are read back by `_id` into the mirror
 * (inserted ones are taken as written). A failed write refreshes them too.
 */
const HOOKS: Record<
  string,
  (original: Method, c: HookedCollection, m: MirroredCollection, args: unknown[]) => Promise<unknown>
> = {
  async insertOne(original, c, m, args) {
    const doc = args[0] as Record<string, unknown>;
    try {
      const result = await original.apply(c, args);
      m.apply(String(doc._id), m.pick(doc));
      return result;
    } catch (err) {
      if (doc._id !== undefined) await refresh(m, c.collection, [doc._id]);
      throw err;
    }
  },
  async insertMany(original, c, m, args) {
    const docs = args[0] as Array<Record<string, unknown>>;
    try {
      const result = await original.apply(c, args);
      for (const doc of docs) m.apply(String(doc._id), m.pick(doc));
      return result;
    } catch (err) {
      await refresh(
        m,
        c.collection,
        docs.map((d) => d._id).filter((id) => id !== undefined),
      );
      throw err;
    }
  },
  async bulkWrite(original, c, m, args) {
    const ops = args[0] as BulkOp[];
    const ids: unknown[] = [];
    const inserted: Array<Record<string, unknown>> = [];
    for (const op of ops) {
      const [kind, spec] = Object.entries(op)[0]!;
      if (kind === 'insertOne') inserted.push(spec.document!);
      else ids.push(...(await idsBefore(c.collection, spec.filter, kind.endsWith('Many'))));
    }
    try {
      const result = (await original.apply(c, args)) as { upsertedIds?: Record<string, unknown> };
      for (const doc of inserted) m.apply(String(doc._id), m.pick(doc));
      await refresh(m, c.collection, [...ids, ...Object.values(result?.upsertedIds ?? {})]);
      return result;
    } catch (err) {
      await refresh(m, c.collection, [...ids, ...inserted.map((d) => d._id)]);
      throw err;
    }
  },
  async drop(original, c, m, args) {
    try {
      return await original.apply(c, args);
    } finally {
      m.clear();
    }
  },
};

for (const name of [
  'updateOne',
  'replaceOne',
  'deleteOne',
  'findOneAndUpdate',
  'findOneAndReplace',
  'findOneAndDelete',
  'updateMany',
  'deleteMany',
]) {
  HOOKS[name] = async (original, c, m, args) => {
    const ids = await idsBefore(c.collection, args[0], name.endsWith('Many'));
    try {
      const result = await original.apply(c, args);
      const upserted = ids.length === 0 ? upsertedIdOf(result) : undefined;
      if (
        ids.length === 0 &&
        upserted === undefined &&
        (args[2] as { upsert?: boolean } | undefined)?.upsert
      ) {
        // An upsert whose new id the result does not tell: find what the filter matches now.
        ids.push(...(await idsBefore(c.collection, args[0], false)));
      }
      await refresh(m, c.collection, upserted === undefined ? ids : [...ids, upserted]);
      return result;
    } catch (err) {
      await refresh(m, c.collection, ids);
      throw err;
    }
  };
}

const WRITE_METHODS = [
  'insertOne',
  'insertMany',
  'updateOne',
  'updateMany',
  'replaceOne',
  'deleteOne',
  'deleteMany',
  'findOneAndUpdate',
  'findOneAndReplace',
  'findOneAndDelete',
  'bulkWrite',
  'drop',
] as const;

/**
 * A copy of a held document as the driver would have returned it, with a
 * simple top-level projection applied; undefined when the projection is one
 * this does not handle (the engine answers then).
 */
function copyOf(doc: MirrorDoc, projection: unknown): Record<string, unknown> | undefined {
  const copy = (value: Record<string, unknown>) => BSON.deserialize(BSON.serialize(value));
  if (!projection || typeof projection !== 'object') return copy(doc);
  const entries = Object.entries(projection as Record<string, unknown>);
  if (entries.length === 0) return copy(doc);
  if (
    entries.some(
      ([k, v]) => k.includes('.') || k.startsWith('$') || (v !== 0 && v !== 1 && typeof v !== 'boolean'),
    )
  )
    return undefined;
  // `{ _id: 1 }` alone includes only the id (what `exists` asks for).
  const including = entries.some(
    ([k, v]) => (k !== '_id' || entries.length === 1) && (v === 1 || v === true),
  );
  const idShown =
    (projection as Record<string, unknown>)._id !== 0 &&
    (projection as Record<string, unknown>)._id !== false;
  // Only the fields asked for are copied (a person's document is large, a page needs a few fields).
  const out: Record<string, unknown> = {};
  if (including) {
    if (idShown) out._id = doc._id;
    for (const [k, v] of entries) if (k !== '_id' && (v === 1 || v === true) && k in doc) out[k] = doc[k];
  } else {
    const hidden = new Set(entries.map(([k]) => k));
    for (const k of Object.keys(doc)) if (!hidden.has(k)) out[k] = doc[k];
  }
  return copy(out);
}

/**
 * Whether a read with this projection needs only what the mirror holds: every
 * field (held whole), or an inclusion of held top-level fields (`_id` alone too).
 */
function coveredBy(projection: unknown, fields: readonly string[] | undefined): boolean {
  if (!fields) return true;
  if (!projection || typeof projection !== 'object') return false;
  const entries = Object.entries(projection as Record<string, unknown>);
  const asked = entries.filter(([k]) => k !== '_id');
  if (entries.length === 0) return false;
  if (asked.some(([, v]) => v !== 1 && v !== true)) return false;
  if (
    (projection as Record<string, unknown>)._id === 0 ||
    (projection as Record<string, unknown>)._id === false
  )
    return false;
  return asked.every(([k]) => fields.includes(k));
}

/** The `_id` of a filter that is exactly `{ _id: value }`, or undefined. */
function soleId(filter: unknown): unknown {
  if (!filter || typeof filter !== 'object') return undefined;
  const keys = Object.keys(filter);
  if (keys.length !== 1 || keys[0] !== '_id') return undefined;
  const id = (filter as { _id: unknown })._id;
  if (typeof id === 'string' || id instanceof mongoose.Types.ObjectId) return id;
  return undefined;
}

let installed = false;

/**
 * Installs, once per process, the embedded adapter's write path on every
 * mongoose collection: each write runs in its collection's lane, and a
 * mirrored collection's mirror follows it.
 */
export function installEmbeddedWrites(): void {
  if (installed) return;
  installed = true;
  const proto = (mongoose.Collection as unknown as { prototype: Record<string, Method> }).prototype;
  for (const name of WRITE_METHODS) {
    const original = proto[name];
    if (typeof original !== 'function') continue;
    const hook = HOOKS[name];
    proto[name] = function (this: HookedCollection, ...args: unknown[]) {
      beforeWrite();
      return inLane(this.name, () => {
        const mirrored = mirrorFor(this);
        return mirrored && hook ? hook(original, this, mirrored, args) : original.apply(this, args);
      });
    };
  }
  // Reads by `_id` of a held collection are answered from memory, as the engine would:
  // any read of a collection held whole, and of one held by some fields a read
  // that asks for those fields only (a team's name, whether a bookmark exists).
  const findOne = proto.findOne;
  if (typeof findOne === 'function') {
    proto.findOne = function (this: HookedCollection, ...args: unknown[]) {
      const mirrored = mirrorFor(this);
      const projection = (args[1] as { projection?: unknown } | undefined)?.projection;
      const id =
        mirrored && !mirrored.streamed && coveredBy(projection, mirrored.fields)
          ? soleId(args[0])
          : undefined;
      if (id !== undefined) {
        const held = mirrored!.get(id);
        if (!held) return Promise.resolve(null);
        const copy = copyOf(held, projection);
        if (copy) return Promise.resolve(copy);
      }
      return findOne.apply(this, args);
    };
  }
}
