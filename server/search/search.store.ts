import type { AnyBulkWriteOperation, Collection, Db, Document } from 'mongodb';
import mongoose from 'mongoose';
import type { SearchVisibility } from './search.types.ts';

/**
 * Where the search index lives in the database. Every read is an `_id`
 * equality lookup on a small collection (the embedded engine scans the whole
 * collection for any query, and decodes documents only for `_id` matches), and
 * every write on the request path is an insert (updates cost a scan and a
 * commit each, and concurrent read-modify-write updates can be lost there):
 *
 *   search_state          `manifest` (current generation) and `lease` (one compactor at a time)
 *   search_log_<block>    the change log: one immutable entry per index/remove, `_id` = sequence
 *   search_r<rgen>_<k>    stored text of each document version, `_id` = `<type>:<id>#<version>`,
 *                         partitioned by a hash of the document key
 *   search_g<gen>_t<p>    an immutable segment: one posting list per term, partitioned by term hash
 *   search_g<gen>_m       the segment's document table, vocabulary and statistics
 *
 * A search reads the current segment plus the log entries written after it
 * (see search.index.ts); compaction folds the log into a new segment.
 */

export const LOG_BLOCK = 256;
/** Record collections per generation (fixed: entries and segments name a record by generation only). */
export const RECORD_PARTITIONS = 128;
export const STATE_COLLECTION = 'search_state';

/** FNV-1a over UTF-16 code units: a stable partition for a term or a key. */
export function partitionOf(value: string, partitions: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < value.length; i++) {
    hash ^= value.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % partitions;
}

export function seqId(seq: number): string {
  return String(seq).padStart(12, '0');
}

export interface Manifest {
  _id: 'manifest';
  /** Current segment generation (0 = none yet). */
  gen: number;
  /** Generation of the record collections new documents are written to. */
  rgen: number;
  /** First log sequence not contained in the segment. */
  fromSeq: number;
  termPartitions: number;
  analyzer: number;
  docs: number;
  builtAt: Date;
}

/** Everything the engine needs about one indexed document, besides its text and terms. */
export interface DocMeta {
  key: string;
  url: string;
  title: string;
  kind: string;
  kbState: string | null;
  topics: string[];
  authorId: string | null;
  authorName: string | null;
  teamId: string | null;
  createdAt: number;
  updatedAt: number;
  score: number;
  visibility: SearchVisibility | null;
  /** Hash of the SearchDocument as indexed (the integrity check compares it). */
  hash: string;
  /** Weighted length (BM25 length normalisation). */
  length: number;
  /** Record generation and version holding the document's text. */
  rgen: number;
  version: string;
}

export interface IndexEntry {
  _id: string;
  op: 'index';
  key: string;
  at: Date;
  meta: DocMeta;
  /** The weighted terms, "term weight term weight …" (terms never contain spaces). */
  terms: string;
}

export interface RemoveEntry {
  _id: string;
  op: 'remove';
  key: string;
  at: Date;
}

/** Written after a compaction or rebuild switched the manifest to `gen`. */
export interface GenEntry {
  _id: string;
  op: 'gen';
  key: '';
  at: Date;
  gen: number;
}

export type LogEntry = IndexEntry | RemoveEntry | GenEntry;

export interface StoredRecord {
  _id: string;
  title: string;
  problem: string;
  body: string;
}

export interface TermDoc {
  _id: string;
  /** Number of postings. */
  n: number;
  p: mongoose.mongo.Binary;
}

interface MetaDoc {
  _id: string;
  /** JSON (document table chunks) or "term\tdf\n…" (vocabulary chunks). */
  d?: string;
  [field: string]: unknown;
}

interface LeaseDoc {
  _id: 'lease';
  holder: string;
  until: Date;
}

function isDuplicateKey(err: unknown): boolean {
  return (err as { code?: number })?.code === 11000;
}

export class SearchStore {
  #db(): Db {
    const db = mongoose.connection.db;
    if (!db) throw new Error('search: the database is not connected');
    return db;
  }

  #collection<T extends Document>(name: string): Collection<T> {
    return this.#db().collection<T>(name);
  }

  logCollection(seq: number) {
    return this.#collection<LogEntry>(`search_log_${Math.floor(seq / LOG_BLOCK)}`);
  }

  recordCollection(rgen: number, key: string) {
    return this.#collection<StoredRecord>(`search_r${rgen}_${partitionOf(key, RECORD_PARTITIONS)}`);
  }

  termCollection(gen: number, partitions: number, term: string) {
    return this.#collection<TermDoc>(`search_g${gen}_t${partitionOf(term, partitions)}`);
  }

  // ── manifest and lease ────────────────────────────────────────────────

  async readManifest(): Promise<Manifest | null> {
    return this.#collection<Manifest>(STATE_COLLECTION).findOne({ _id: 'manifest' });
  }

  /** Only the lease holder writes the manifest. */
  async writeManifest(manifest: Manifest): Promise<void> {
    await this.#collection<Manifest>(STATE_COLLECTION).replaceOne({ _id: 'manifest' }, manifest, {
      upsert: true,
    });
  }

  /**
   * Takes the compaction lease (an insert, which the unique `_id` makes
   * atomic on every engine); an expired lease is taken over.
   */
  async acquireLease(holder: string, ttlMs: number): Promise<boolean> {
    const leases = this.#collection<LeaseDoc>(STATE_COLLECTION);
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        await leases.insertOne({ _id: 'lease', holder, until: new Date(Date.now() + ttlMs) });
        return true;
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        const current = await leases.findOne({ _id: 'lease' });
        if (current && current.until.getTime() > Date.now()) return false;
        await leases.deleteOne({ _id: 'lease' });
      }
    }
    return false;
  }

  async renewLease(holder: string, ttlMs: number): Promise<void> {
    await this.#collection<LeaseDoc>(STATE_COLLECTION).replaceOne(
      { _id: 'lease' },
      { holder, until: new Date(Date.now() + ttlMs) },
    );
  }

  async releaseLease(holder: string): Promise<void> {
    const leases = this.#collection<LeaseDoc>(STATE_COLLECTION);
    const current = await leases.findOne({ _id: 'lease' });
    if (current?.holder === holder) await leases.deleteOne({ _id: 'lease' });
  }

  // ── log ───────────────────────────────────────────────────────────────

  async readLogEntry(seq: number): Promise<LogEntry | null> {
    return this.logCollection(seq).findOne({ _id: seqId(seq) });
  }

  /** Every entry of the block holding `seq`, from `seq` on, in order. */
  async readLogFrom(seq: number): Promise<LogEntry[]> {
    const entries = await this.logCollection(seq).find({}).toArray();
    const from = seqId(seq);
    return entries.filter((e) => e._id >= from).sort((a, b) => (a._id < b._id ? -1 : 1));
  }

  /**
   * Appends entries whose `_id`s are consecutive sequences, in order. Returns
   * how many were written before another writer's entry took a sequence.
   */
  async appendLog(entries: LogEntry[]): Promise<number> {
    let written = 0;
    while (written < entries.length) {
      const first = Number(entries[written]!._id);
      const block = Math.floor(first / LOG_BLOCK);
      const batch: LogEntry[] = [];
      for (
        let i = written;
        i < entries.length && Math.floor(Number(entries[i]!._id) / LOG_BLOCK) === block;
        i++
      )
        batch.push(entries[i]!);
      try {
        await this.logCollection(first).insertMany(batch, { ordered: true });
        written += batch.length;
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        // An ordered insert stops at its first error: the entries before it were written.
        // (Read from the error's index, not the reply's count: mongo-java-server counts
        // every document it was sent, written or not.)
        const errors = (err as { writeErrors?: Array<{ index?: number }> }).writeErrors;
        const inserted =
          errors?.[0]?.index ?? (err as { result?: { insertedCount?: number } }).result?.insertedCount ?? 0;
        return written + inserted;
      }
    }
    return written;
  }

  // ── records (document text) ───────────────────────────────────────────

  async insertRecords(rgen: number, records: Array<StoredRecord & { key: string }>): Promise<void> {
    const byCollection = new Map<string, StoredRecord[]>();
    for (const { key, ...record } of records) {
      const name = `search_r${rgen}_${partitionOf(key, RECORD_PARTITIONS)}`;
      const list = byCollection.get(name) ?? [];
      list.push(record);
      byCollection.set(name, list);
    }
    for (const [name, list] of byCollection) {
      try {
        await this.#collection<StoredRecord>(name).insertMany(list, { ordered: false });
      } catch (err) {
        // A version written twice (a retried batch) is the same text: keep it.
        const errors = (err as { writeErrors?: Array<{ code?: number }> }).writeErrors;
        if (!errors || errors.some((e) => e.code !== 11000)) throw err;
      }
    }
  }

  async readRecord(rgen: number, key: string, version: string): Promise<StoredRecord | null> {
    return this.recordCollection(rgen, key).findOne({ _id: `${key}#${version}` });
  }

  async deleteRecord(rgen: number, key: string, version: string): Promise<void> {
    await this.recordCollection(rgen, key).deleteOne({ _id: `${key}#${version}` });
  }

  // ── segments ──────────────────────────────────────────────────────────

  async readPostings(gen: number, partitions: number, term: string): Promise<TermDoc | null> {
    return this.termCollection(gen, partitions, term).findOne({ _id: term });
  }

  async readTermPartition(gen: number, partition: number): Promise<TermDoc[]> {
    return this.#collection<TermDoc>(`search_g${gen}_t${partition}`).find({}).toArray();
  }

  async writeTermPartition(gen: number, partition: number, docs: TermDoc[]): Promise<void> {
    const collection = this.#collection<TermDoc>(`search_g${gen}_t${partition}`);
    // Batches of about 4 MB keep each insert well under the 16 MB message limit.
    let batch: TermDoc[] = [];
    let bytes = 0;
    for (const doc of docs) {
      batch.push(doc);
      bytes += doc.p.length() + doc._id.length + 32;
      if (bytes > 4_000_000 || batch.length >= 5000) {
        await collection.insertMany(batch, { ordered: false });
        batch = [];
        bytes = 0;
      }
    }
    if (batch.length > 0) await collection.insertMany(batch, { ordered: false });
  }

  async readSegmentMeta(gen: number): Promise<MetaDoc[]> {
    return this.#collection<MetaDoc>(`search_g${gen}_m`).find({}).toArray();
  }

  async writeSegmentMeta(gen: number, docs: MetaDoc[]): Promise<void> {
    const collection = this.#collection<MetaDoc>(`search_g${gen}_m`);
    for (const doc of docs) await collection.insertOne(doc);
  }

  // ── housekeeping ──────────────────────────────────────────────────────

  async searchCollections(): Promise<string[]> {
    const list = await this.#db().listCollections({}, { nameOnly: true }).toArray();
    return list.map((c) => c.name).filter((name) => name.startsWith('search_'));
  }

  async drop(names: string[]): Promise<void> {
    for (const name of names)
      await this.#db()
        .dropCollection(name)
        .catch(() => false);
  }

  /** Removes many records by `_id`, a few at a time. */
  async deleteRecords(items: Array<{ rgen: number; key: string; version: string }>): Promise<void> {
    const byCollection = new Map<string, string[]>();
    for (const item of items) {
      const name = `search_r${item.rgen}_${partitionOf(item.key, RECORD_PARTITIONS)}`;
      const list = byCollection.get(name) ?? [];
      list.push(`${item.key}#${item.version}`);
      byCollection.set(name, list);
    }
    for (const [name, ids] of byCollection) {
      const ops: AnyBulkWriteOperation<StoredRecord>[] = ids.map((_id) => ({
        deleteOne: { filter: { _id } },
      }));
      for (let i = 0; i < ops.length; i += 200)
        await this.#collection<StoredRecord>(name).bulkWrite(ops.slice(i, i + 200), { ordered: false });
    }
  }
}
