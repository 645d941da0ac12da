import BTreeModule from 'sorted-btree';
import bulkLoadModule from 'sorted-btree/extended/bulkLoad.js';

// sorted-btree is CommonJS with `exports.default`: Node hands ESM the whole exports object.
const BTree = BTreeModule.default;
type BTree<K, V> = BTreeModule.default<K, V>;
const bulkLoad = (bulkLoadModule as unknown as { bulkLoad: typeof bulkLoadModule.bulkLoad }).bulkLoad;
const NODE_SIZE = 64;

/**
 * A sort position: the sort values (numbers; dates as milliseconds), then the
 * document's id as the tie-breaker. Positions are ordered descending — the
 * first in the index is the greatest — like a MongoDB sort `{ a: -1, …, _id: -1 }`
 * (an ObjectId's hex text orders like its bytes).
 */
export type SortKey = readonly [...number[], string];

function compareDescending(a: SortKey, b: SortKey): number {
  const n = a.length - 1;
  for (let i = 0; i < n; i++) {
    const d = (b[i] as number) - (a[i] as number);
    if (d !== 0) return d;
  }
  const ia = a[n] as string;
  const ib = b[n] as string;
  return ia === ib ? 0 : ia < ib ? 1 : -1;
}

export interface IndexOptions<T> {
  /** The partitions a document belongs to (none: not listed at all, e.g. deleted). */
  partitions(doc: T): Iterable<string>;
  /** Its position, descending; the last element is its id. */
  sortKey(doc: T): SortKey;
}

export interface RangeOptions<T> {
  /** Start strictly after this position (a page's cursor). */
  after?: SortKey;
  /** Stop before the first position not above this one (e.g. a time window). */
  until?: (key: SortKey) => boolean;
  /** Only documents for which this holds. */
  where?: (doc: T) => boolean;
  limit: number;
}

/**
 * In-process ordered lists of documents, one B+ tree per partition ("all",
 * "topic:<id>", "author:<id>"…), kept current by `set` on every write the
 * embedded adapter makes. A page is a walk from the cursor: no sort per request,
 * and a selective filter is answered from its own partition.
 */
export class OrderedIndex<T> {
  readonly #options: IndexOptions<T>;
  readonly #trees = new Map<string, BTree<SortKey, T>>();
  /**
   * The listed documents by id. A document is immutable while held, so its
   * position and partitions are computed again from it to take it out.
   */
  readonly #docs = new Map<string, T>();
  /** One string per partition name, shared by every entry that lists it. */
  readonly #names = new Map<string, string>();

  constructor(options: IndexOptions<T>) {
    this.#options = options;
  }

  /**
   * Whether the trees are built. Until the first read, documents are only
   * noted: the mirror's first load of a collection then costs one sort and one
   * bulk load per partition, not a tree insert per document and partition.
   */
  #built = false;

  #partitionsOf(doc: T): string[] {
    const out: string[] = [];
    for (const p of this.#options.partitions(doc)) {
      let name = this.#names.get(p);
      if (name === undefined) {
        name = p;
        this.#names.set(p, p);
      }
      if (!out.includes(name)) out.push(name);
    }
    return out;
  }

  /** Adds, moves or (with `undefined`) removes the document with this id. */
  set(id: string, doc: T | undefined): void {
    const previous = this.#docs.get(id);
    if (previous !== undefined) {
      this.#docs.delete(id);
      if (this.#built) {
        const key = this.#options.sortKey(previous);
        for (const p of this.#partitionsOf(previous)) {
          const tree = this.#trees.get(p);
          tree?.delete(key);
          if (tree && tree.size === 0) this.#trees.delete(p);
        }
      }
    }
    if (!doc) return;
    const partitions = this.#partitionsOf(doc);
    if (partitions.length === 0) return;
    this.#docs.set(id, doc);
    if (!this.#built) return;
    const key = this.#options.sortKey(doc);
    for (const p of partitions) {
      let tree = this.#trees.get(p);
      if (!tree) {
        tree = new BTree<SortKey, T>(undefined, compareDescending, NODE_SIZE);
        this.#trees.set(p, tree);
      }
      tree.set(key, doc);
    }
  }

  /** Builds every partition's tree from the documents noted so far (once; later calls do nothing). */
  build(): void {
    if (this.#built) return;
    this.#built = true;
    const groups = new Map<string, Array<{ key: SortKey; doc: T }>>();
    for (const doc of this.#docs.values()) {
      const entry = { key: this.#options.sortKey(doc), doc };
      for (const p of this.#partitionsOf(doc)) {
        let group = groups.get(p);
        if (!group) {
          group = [];
          groups.set(p, group);
        }
        group.push(entry);
      }
    }
    for (const [p, group] of groups) {
      group.sort((a, b) => compareDescending(a.key, b.key));
      this.#trees.set(
        p,
        bulkLoad(
          group.map((e) => e.key),
          group.map((e) => e.doc),
          NODE_SIZE,
          compareDescending,
        ),
      );
    }
  }

  clear(): void {
    this.#trees.clear();
    this.#docs.clear();
  }

  #tree(partition: string): BTree<SortKey, T> | undefined {
    this.build();
    return this.#trees.get(partition);
  }

  /** Documents in a partition (0 when it is empty). */
  size(partition: string): number {
    return this.#tree(partition)?.size ?? 0;
  }

  /** How many documents of a partition satisfy `where` (a walk of that partition). */
  count(partition: string, where?: (doc: T) => boolean): number {
    const tree = this.#tree(partition);
    if (!tree) return 0;
    if (!where) return tree.size;
    let n = 0;
    tree.forEachPair((_k: SortKey, doc: T) => {
      if (where(doc)) n++;
    });
    return n;
  }

  *#walk(partition: string, after: SortKey | undefined): Generator<[SortKey, T]> {
    const tree = this.#tree(partition);
    if (!tree) return;
    for (const pair of tree.entries(after)) {
      if (after && compareDescending(pair[0], after) === 0) continue;
      yield [pair[0], pair[1]];
    }
  }

  /**
   * The first `limit` documents of the union of these partitions after the
   * cursor, in index order, each once (a k-way merge of their walks).
   */
  page(partitions: string[], range: RangeOptions<T>): T[] {
    const out: T[] = [];
    if (range.limit <= 0) return out;
    const walks = [...new Set(partitions)].map((p) => this.#walk(p, range.after));
    const heads: Array<[SortKey, T] | undefined> = walks.map((w) => w.next().value ?? undefined);
    let last: SortKey | undefined;
    for (;;) {
      let best = -1;
      for (let i = 0; i < heads.length; i++) {
        const head = heads[i];
        if (head && (best < 0 || compareDescending(head[0], heads[best]![0]) < 0)) best = i;
      }
      if (best < 0) break;
      const [key, doc] = heads[best]!;
      heads[best] = walks[best]!.next().value ?? undefined;
      if (last && compareDescending(key, last) === 0) continue; // the same document in two partitions
      last = key;
      if (range.until?.(key)) break; // the greatest head left is past the window: so are all others
      if (range.where && !range.where(doc)) continue;
      out.push(doc);
      if (out.length >= range.limit) break;
    }
    for (const w of walks) w.return(undefined);
    return out;
  }
}
