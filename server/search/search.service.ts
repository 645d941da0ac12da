import { randomBytes, randomUUID } from 'node:crypto';
import mongoose, { Types } from 'mongoose';
import { Topic } from '../../models/topic.ts';
import type { Logger } from '../core/logger.ts';
import { ANALYZER_VERSION, analyzeFields, analyzeQuery } from './analysis.ts';
import { highlightAll, highlightParts, snippet, wordMatcher } from './highlight.ts';
import { decodePostings, EMPTY_POSTINGS, type Postings, PostingsBuilder } from './postings.ts';
import { documentKey, type NormalizedDocument, normalizeDocument, splitKey } from './search.documents.ts';
import {
  type EvaluateOptions,
  encodeTerms,
  evaluate,
  type PlannedToken,
  planQuery,
  type QueryExpansions,
  Segment,
  Tail,
} from './search.index.ts';
import {
  type DocMeta,
  type GenEntry,
  type IndexEntry,
  LOG_BLOCK,
  type LogEntry,
  type Manifest,
  partitionOf,
  SearchStore,
  type StoredRecord,
  seqId,
  type TermDoc,
} from './search.store.ts';
import {
  SEARCH_KINDS,
  type SearchDocType,
  type SearchDocument,
  type SearchFilters,
  type SearchHit,
  type SearchKind,
  type SearchQuery,
  type SearchResults,
  type SearchSource,
  type SearchViewer,
} from './search.types.ts';

export interface SearchServiceOptions {
  logger: Logger;
  /** Term partitions of new segments (default 32). */
  termPartitions?: number;
  /** Log entries after which the index is compacted in the background (default 1000). */
  compactThreshold?: number;
  /** Memory for cached posting lists, per process (default 128 MB). */
  cacheMegabytes?: number;
  /** How often the manifest is re-read even without news in the log (default 2 s). */
  manifestCheckMs?: number;
  /**
   * How long a search may rely on the last look at the log (default 250 ms).
   * This process's own writes are always visible at once; this only bounds
   * how late a search sees writes made by other app instances. 0 = look every time.
   */
  maxStalenessMs?: number;
}

export interface IndexManyReport {
  indexed: number;
  removed: number;
  compactions: number;
  ms: number;
}

export interface CompactionReport {
  gen: number;
  documents: number;
  terms: number;
  foldedEntries: number;
  ms: number;
}

export interface RebuildReport {
  gen: number;
  documents: number;
  byType: Record<string, number>;
  /** Documents the index held that no registered source has any more. */
  dropped: number;
  /** Source documents that could not be indexed (see the log). */
  invalid: number;
  ms: number;
}

export interface CheckProblem {
  type: SearchDocType;
  id: string;
}

export interface CheckReport {
  checked: number;
  /** In a source, not deleted, but not in the index. */
  missing: CheckProblem[];
  /** In the index with content that differs from the source. */
  stale: CheckProblem[];
  /** In the index, but deleted or gone from its source. */
  orphaned: CheckProblem[];
  /** Indexed documents of types no source is registered for (not checked). */
  unchecked: number;
  /** The index was built by another analyzer version: rebuild it. */
  analyzerOutdated: boolean;
  repaired: number;
  ms: number;
}

export interface SimilarItem {
  type: SearchDocType;
  id: string;
  kind: SearchKind;
  title: string;
  /** Escaped title with <mark> around matched words. */
  titleHtml: string;
  /** The title as plain and matched pieces. */
  titleParts: Array<{ text: string; mark: boolean }>;
  url: string;
  kbState: string | null;
  score: number;
}

/** A rebuild that would lose documents it cannot re-create (see `dropUnregistered`). */
export class RebuildRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RebuildRefused';
  }
}

const LEASE_MS = 60_000;
const RECORD_CACHE = 2000;
const DOC_CHUNK = 2000;
const VOCAB_CHUNK = 20_000;
const WRITE_BATCH = 2000;

type DocRow = [
  string,
  string,
  string,
  string,
  string | null,
  string[],
  string | null,
  string | null,
  string | null,
  number,
  number,
  number,
  DocMeta['visibility'],
  string,
  number,
  number,
  string,
];

function toRow(m: DocMeta): DocRow {
  return [
    m.key,
    m.url,
    m.title,
    m.kind,
    m.kbState,
    m.topics,
    m.authorId,
    m.authorName,
    m.teamId,
    m.createdAt,
    m.updatedAt,
    m.score,
    m.visibility,
    m.hash,
    m.length,
    m.rgen,
    m.version,
  ];
}

/**
 * Shares the values many documents repeat (kinds, people, teams, topic lists)
 * while a segment loads: a hundred thousand documents by ten thousand authors
 * hold ten thousand author strings, not a hundred thousand.
 */
class Interner {
  readonly #strings = new Map<string, string>();
  readonly #lists = new Map<string, string[]>();

  string<T extends string | null>(value: T): T {
    if (value === null) return value;
    const known = this.#strings.get(value);
    if (known !== undefined) return known as T;
    this.#strings.set(value, value);
    return value;
  }

  list(values: string[]): string[] {
    const key = values.join(',');
    const known = this.#lists.get(key);
    if (known) return known;
    const list = values.map((v) => this.string(v));
    this.#lists.set(key, list);
    return list;
  }
}

function fromRow(r: DocRow, shared: Interner): DocMeta {
  return {
    key: r[0],
    url: r[1],
    title: r[2],
    kind: shared.string(r[3]),
    kbState: shared.string(r[4]),
    topics: shared.list(r[5]),
    authorId: shared.string(r[6]),
    authorName: shared.string(r[7]),
    teamId: shared.string(r[8]),
    createdAt: r[9],
    updatedAt: r[10],
    score: r[11],
    visibility: r[12],
    hash: r[13],
    length: r[14],
    rgen: r[15],
    version: r[16],
  };
}

function newVersion(): string {
  return randomBytes(8).toString('hex');
}

async function* asAsync<T>(items: Iterable<T> | AsyncIterable<T>): AsyncGenerator<T> {
  yield* items;
}

/**
 * The search engine: content features index and remove their documents
 * through it (in the same request path as their own writes), pages and the
 * "search first" box query it, and the rebuild/check commands maintain it.
 * See search.store.ts for the storage layout and search.index.ts for ranking.
 *
 * Writes from this process are serialised (one log sequence at a time);
 * several processes may write, each taking the next free sequence. Reads see
 * every write that completed before they started, in any process.
 */
export class SearchService {
  readonly #store = new SearchStore();
  readonly #logger: Logger;
  readonly #sources = new Map<SearchDocType, SearchSource>();
  readonly #termPartitions: number;
  readonly #compactThreshold: number;
  readonly #cacheBytes: number;
  readonly #manifestCheckMs: number;
  readonly #maxStalenessMs: number;
  readonly #holder = randomUUID();
  readonly #records = new Map<string, StoredRecord>();

  #tail: Tail | undefined;
  #expansions: () => Promise<QueryExpansions> = async () => ({});
  #manifest: Manifest | null = null;
  #nextSeq = 1;
  #lastManifestCheck = 0;
  #lastSync = 0;
  #syncing: Promise<Tail> | undefined;
  #writing: Promise<unknown> = Promise.resolve();
  #compacting: Promise<CompactionReport | null> | undefined;

  constructor(options: SearchServiceOptions) {
    this.#logger = options.logger.child({ component: 'search' });
    this.#termPartitions = options.termPartitions ?? 32;
    this.#compactThreshold = options.compactThreshold ?? 1000;
    this.#cacheBytes = (options.cacheMegabytes ?? 128) * 1024 * 1024;
    this.#manifestCheckMs = options.manifestCheckMs ?? 2000;
    this.#maxStalenessMs = options.maxStalenessMs ?? 250;
  }

  /** What every query adds to its words (the knowledge managers' synonyms; see search.synonyms.ts). */
  useExpansions(provider: () => Promise<QueryExpansions>): void {
    this.#expansions = provider;
  }

  // ── sources ───────────────────────────────────────────────────────────

  /** A content feature registers its documents once (server/services.ts). */
  register(source: SearchSource): void {
    if (this.#sources.has(source.type))
      throw new Error(`search: a source for "${source.type}" is registered`);
    this.#sources.set(source.type, source);
  }

  unregister(type: SearchDocType): void {
    this.#sources.delete(type);
  }

  get sourceTypes(): SearchDocType[] {
    return [...this.#sources.keys()];
  }

  // ── writes ────────────────────────────────────────────────────────────

  /** Indexes (or re-indexes) one document; a document marked deleted is removed. */
  async index(document: SearchDocument): Promise<void> {
    const doc = normalizeDocument(document);
    if (doc.deleted) return this.remove(doc.type, doc.id);
    await this.#exclusive(async () => {
      await this.#view();
      const [entry, record] = this.#prepare(doc);
      await this.#store.insertRecords(record.rgen, [record]);
      await this.#append([entry]);
    });
    this.#maybeCompact();
  }

  /** Removes a document from the index (nothing happens when it is not there). */
  async remove(type: SearchDocType, id: string): Promise<void> {
    const key = documentKey(type, id);
    await this.#exclusive(async () => {
      const tail = await this.#view();
      const current = tail.lookup(key);
      if (!current) return;
      await this.#append([(seq) => ({ _id: seqId(seq), op: 'remove', key, at: new Date() })]);
      // Deleted text does not linger in the search store.
      await this.#store.deleteRecord(current.rgen, key, current.version);
      this.#records.delete(`${current.rgen}/${key}#${current.version}`);
    });
    this.#maybeCompact();
  }

  /**
   * Bulk indexing (imports, benchmarks): the same log as `index`, written in
   * batches, compacting whenever the log passes the threshold.
   */
  async indexMany(
    documents: Iterable<SearchDocument> | AsyncIterable<SearchDocument>,
  ): Promise<IndexManyReport> {
    const started = performance.now();
    let indexed = 0;
    let removed = 0;
    let compactions = 0;
    let batch: NormalizedDocument[] = [];
    const flush = async () => {
      const docs = batch;
      batch = [];
      await this.#exclusive(async () => {
        const tail = await this.#view();
        const makers: Array<(seq: number) => LogEntry> = [];
        const records: Array<StoredRecord & { key: string; rgen: number }> = [];
        for (const doc of docs) {
          if (doc.deleted) {
            if (!tail.lookup(doc.key)) continue;
            makers.push((seq) => ({ _id: seqId(seq), op: 'remove', key: doc.key, at: new Date() }));
            removed++;
            continue;
          }
          const [entry, record] = this.#prepare(doc);
          makers.push(entry);
          records.push(record);
          indexed++;
        }
        if (records.length > 0) await this.#store.insertRecords(records[0]!.rgen, records);
        await this.#append(makers);
      });
      if ((this.#tail?.entries.length ?? 0) >= this.#compactThreshold) {
        await this.compact();
        compactions++;
      }
    };
    for await (const document of asAsync(documents)) {
      batch.push(normalizeDocument(document));
      if (batch.length >= WRITE_BATCH) await flush();
    }
    if (batch.length > 0) await flush();
    return { indexed, removed, compactions, ms: performance.now() - started };
  }

  /** The log entry (as a function of its sequence) and the stored text of a document. */
  #prepare(
    doc: NormalizedDocument,
  ): [(seq: number) => IndexEntry, StoredRecord & { key: string; rgen: number }] {
    const analyzed = analyzeFields(doc);
    const rgen = this.#manifest?.rgen ?? 0;
    const version = newVersion();
    const meta = this.#metaOf(doc, analyzed.length, rgen, version);
    const terms = encodeTerms(analyzed.terms);
    const record = {
      key: doc.key,
      rgen,
      _id: `${doc.key}#${version}`,
      title: doc.title,
      problem: doc.problem,
      body: doc.body,
    };
    return [(seq) => ({ _id: seqId(seq), op: 'index', key: doc.key, at: new Date(), meta, terms }), record];
  }

  #metaOf(doc: NormalizedDocument, length: number, rgen: number, version: string): DocMeta {
    return {
      key: doc.key,
      url: doc.url,
      title: doc.title,
      kind: doc.kind,
      kbState: doc.kbState,
      topics: doc.topics,
      authorId: doc.authorId,
      authorName: doc.authorName,
      teamId: doc.teamId,
      createdAt: doc.createdAt,
      updatedAt: doc.updatedAt,
      score: doc.score,
      visibility: doc.visibility,
      hash: doc.hash,
      length,
      rgen,
      version,
    };
  }

  /** Runs write steps one at a time in this process. */
  #exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#writing.then(work, work);
    this.#writing = run.catch(() => {});
    return run;
  }

  /**
   * Appends entries at the next free sequences. When another process took a
   * sequence first, its entries are read and ours follow them.
   */
  async #append(makers: Array<(seq: number) => LogEntry>): Promise<void> {
    let pending = makers;
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > 50) throw new Error('search: could not append to the log (too much contention)');
      const first = this.#nextSeq;
      const entries = pending.map((make, i) => make(first + i));
      const written = await this.#store.appendLog(entries);
      for (const entry of entries.slice(0, written)) this.#applyEntry(entry);
      pending = pending.slice(written);
      if (pending.length > 0) await this.#view();
    }
  }

  /** Applies the entry with the next sequence (entries already applied are skipped). */
  #applyEntry(entry: LogEntry): boolean {
    const seq = Number(entry._id);
    if (seq !== this.#nextSeq) return false;
    this.#nextSeq++;
    if (entry.op !== 'gen') this.#tail!.apply(entry);
    return true;
  }

  #maybeCompact(): void {
    if (this.#compacting || (this.#tail?.entries.length ?? 0) < this.#compactThreshold) return;
    void this.compact().catch((err: unknown) => this.#logger.error({ err }, 'search compaction failed'));
  }

  // ── reading the index ─────────────────────────────────────────────────

  /**
   * The index as of now: the current segment plus every log entry written so
   * far. Searches (`fresh` false) may use a view up to maxStalenessMs old;
   * writes always look.
   */
  async #view(fresh = true): Promise<Tail> {
    if (!fresh && this.#tail && Date.now() - this.#lastSync < this.#maxStalenessMs) return this.#tail;
    if (this.#syncing) return this.#syncing;
    const run = (async () => {
      const started = Date.now();
      if (!this.#tail || Date.now() - this.#lastManifestCheck > this.#manifestCheckMs)
        await this.#checkManifest();
      await this.#catchUp();
      this.#lastSync = started;
      return this.#tail!;
    })();
    this.#syncing = run;
    try {
      return await run;
    } finally {
      if (this.#syncing === run) this.#syncing = undefined;
    }
  }

  async #checkManifest(): Promise<void> {
    const manifest = await this.#store.readManifest();
    this.#lastManifestCheck = Date.now();
    if (!this.#tail) {
      this.#manifest = manifest;
      if (!manifest) {
        this.#tail = new Tail(Segment.empty(this.#cacheBytes));
        this.#nextSeq = 1;
        return;
      }
      this.#install(await this.#loadSegment(manifest), manifest);
      return;
    }
    if (manifest && manifest.gen !== this.#tail.segment.gen) {
      this.#install(await this.#loadSegment(manifest), manifest);
    } else if (manifest) {
      this.#manifest = manifest;
    }
  }

  /** Reads the log from the next sequence until the first missing entry. */
  async #catchUp(): Promise<void> {
    let hits = 0;
    for (;;) {
      const seq = this.#nextSeq;
      let entries: LogEntry[];
      if (hits < 4) {
        const entry = await this.#store.readLogEntry(seq);
        entries = entry ? [entry] : [];
      } else {
        // Far behind (start-up, another process's bulk load): a block at a time.
        entries = await this.#store.readLogFrom(seq);
      }
      if (entries.length === 0) return;
      let progressed = false;
      for (const entry of entries) {
        if (!this.#applyEntry(entry)) continue;
        progressed = true;
        hits++;
        if (entry.op === 'gen') await this.#checkManifest();
      }
      if (!progressed && this.#nextSeq === seq) return;
    }
  }

  /** Switches to a segment; log entries it does not contain stay in the tail. */
  #install(segment: Segment, manifest: Manifest): void {
    const previous = this.#tail;
    const tail = new Tail(segment);
    this.#tail = tail;
    this.#manifest = manifest;
    if (previous) {
      for (const entry of previous.entries) if (Number(entry._id) >= segment.fromSeq) tail.apply(entry);
    }
    this.#nextSeq = Math.max(this.#nextSeq, segment.fromSeq);
    this.#records.clear();
  }

  async #loadSegment(manifest: Manifest): Promise<Segment> {
    if (manifest.gen === 0) return Segment.empty(this.#cacheBytes);
    const started = performance.now();
    const metaDocs = await this.#store.readSegmentMeta(manifest.gen);
    const docChunks = metaDocs
      .filter((d) => d._id.startsWith('docs:'))
      .sort((a, b) => (a._id < b._id ? -1 : 1));
    const docs: DocMeta[] = [];
    const shared = new Interner();
    for (const chunk of docChunks)
      for (const row of JSON.parse(chunk.d ?? '[]') as DocRow[]) docs.push(fromRow(row, shared));
    const vocab: Array<[string, number]> = [];
    for (const chunk of metaDocs.filter((d) => d._id.startsWith('vocab:'))) {
      for (const line of (chunk.d ?? '').split('\n')) {
        if (!line) continue;
        const tab = line.indexOf('\t');
        vocab.push([line.slice(0, tab), Number(line.slice(tab + 1))]);
      }
    }
    this.#logger.debug(
      {
        gen: manifest.gen,
        docs: docs.length,
        terms: vocab.length,
        ms: Math.round(performance.now() - started),
      },
      'search segment loaded',
    );
    return new Segment({
      gen: manifest.gen,
      fromSeq: manifest.fromSeq,
      termPartitions: manifest.termPartitions,
      docs,
      vocab,
      cacheLimitBytes: this.#cacheBytes,
    });
  }

  /** The segment's posting list of every variant term, from the cache or the database. */
  async #postingsFor(segment: Segment, tokens: PlannedToken[]): Promise<Map<string, Postings>> {
    const out = new Map<string, Postings>();
    const missing: string[] = [];
    for (const token of tokens) {
      for (const { term } of token.variants) {
        if (out.has(term) || !segment.df.has(term)) continue;
        const cached = segment.cached(term);
        if (cached) out.set(term, cached);
        else if (!missing.includes(term)) missing.push(term);
      }
    }
    await Promise.all(
      missing.map(async (term) => {
        const doc = await this.#store.readPostings(segment.gen, segment.termPartitions, term);
        const postings = doc ? decodePostings(doc.p.buffer, doc.n) : EMPTY_POSTINGS;
        segment.remember(term, postings);
        out.set(term, postings);
      }),
    );
    return out;
  }

  async #record(meta: DocMeta): Promise<StoredRecord | null> {
    const cacheKey = `${meta.rgen}/${meta.key}#${meta.version}`;
    const cached = this.#records.get(cacheKey);
    if (cached) return cached;
    const record = await this.#store.readRecord(meta.rgen, meta.key, meta.version);
    if (record) {
      if (this.#records.size >= RECORD_CACHE) this.#records.delete(this.#records.keys().next().value!);
      this.#records.set(cacheKey, record);
    }
    return record;
  }

  /** Loads the index into memory ahead of the first search (start-up). */
  async warm(): Promise<void> {
    await this.#view();
  }

  /**
   * Full-text search for a viewer: relevance (BM25 over title, problem and
   * body), then votes, recency and published KB articles; filters; counts per
   * kind; one page of hits with highlighted snippets.
   */
  async search(viewer: SearchViewer | null, query: SearchQuery): Promise<SearchResults> {
    const started = performance.now();
    const pageSize = Math.min(50, Math.max(1, query.pageSize ?? 10));
    const page = Math.max(1, Math.min(1000, query.page ?? 1));
    const analyzed = analyzeQuery(query.text);
    const empty: SearchResults = {
      query: query.text,
      terms: [],
      relaxed: false,
      total: 0,
      counts: Object.fromEntries(SEARCH_KINDS.map((k) => [k, 0])) as Record<SearchKind, number>,
      page,
      pageSize,
      hasNext: false,
      hits: [],
      tookMs: 0,
      timings: { syncMs: 0, postingsMs: 0, rankMs: 0, snippetsMs: 0 },
    };
    if (analyzed.tokens.length === 0) return { ...empty, tookMs: performance.now() - started };
    const evaluation = await this.#evaluate(analyzed, {
      filters: query.filters ?? {},
      viewer,
      offset: (page - 1) * pageSize,
      limit: pageSize,
    });
    const { tokens, result, timings } = evaluation;
    const snippetsStarted = performance.now();
    const matcher = wordMatcher(
      result.matchedTerms,
      tokens.flatMap((t) => (t.prefix ? [t.prefix] : [])),
    );
    const hits: SearchHit[] = await Promise.all(
      result.hits.map(async ({ meta, relevance }) => {
        const record = query.snippets === false ? null : await this.#record(meta);
        const { type, id } = splitKey(meta.key);
        return {
          type,
          id,
          url: meta.url,
          kind: meta.kind as SearchKind,
          title: meta.title,
          titleHtml: highlightAll(meta.title, matcher),
          snippetHtml: record ? snippet([record.problem, record.body], matcher) : '',
          kbState: meta.kbState as SearchHit['kbState'],
          topics: meta.topics,
          authorId: meta.authorId,
          authorName: meta.authorName,
          teamId: meta.teamId,
          createdAt: new Date(meta.createdAt),
          updatedAt: new Date(meta.updatedAt),
          score: meta.score,
          relevance,
          facts: [],
        };
      }),
    );
    await this.#attachFacts(hits);
    return {
      ...empty,
      terms: tokens.map((t) => t.word),
      relaxed: result.relaxed,
      total: result.total,
      counts: result.counts,
      hasNext: page * pageSize < result.total,
      hits,
      tookMs: performance.now() - started,
      timings: { ...timings, snippetsMs: performance.now() - snippetsStarted },
    };
  }

  /** Each source's current figures for its hits on the page (one call per source). */
  async #attachFacts(hits: SearchHit[]): Promise<void> {
    const byType = new Map<SearchDocType, SearchHit[]>();
    for (const hit of hits) {
      const list = byType.get(hit.type) ?? [];
      list.push(hit);
      byType.set(hit.type, list);
    }
    await Promise.all(
      [...byType].map(async ([type, list]) => {
        const facts = await this.#sources.get(type)?.facts?.(list.map((h) => h.id));
        if (facts) for (const hit of list) hit.facts = facts.get(hit.id) ?? [];
      }),
    );
  }

  async #evaluate(analyzed: ReturnType<typeof analyzeQuery>, options: EvaluateOptions) {
    const t0 = performance.now();
    const [tail, expansions] = await Promise.all([this.#view(false), this.#expansions()]);
    const t1 = performance.now();
    const tokens = planQuery(tail, analyzed, expansions);
    const postings = await this.#postingsFor(tail.segment, tokens);
    const t2 = performance.now();
    const result = evaluate(tail, tokens, postings, options);
    const timings = { syncMs: t1 - t0, postingsMs: t2 - t1, rankMs: performance.now() - t2, snippetsMs: 0 };
    return { tokens, result, timings };
  }

  /**
   * "Search first": questions and published KB articles similar to a question
   * being typed. Documents need half of the words (all of them for short
   * titles), so typing more narrows the list.
   */
  async similar(viewer: SearchViewer | null, text: string, limit = 6): Promise<SimilarItem[]> {
    const analyzed = analyzeQuery(text);
    if (analyzed.tokens.length === 0) return [];
    const filters: SearchFilters = { kinds: ['question', 'article'], articleStates: ['published'] };
    const { tokens, result } = await this.#evaluate(analyzed, {
      filters,
      viewer,
      offset: 0,
      limit: Math.min(20, Math.max(1, limit)),
      minimumMatch:
        analyzed.tokens.length <= 2 ? analyzed.tokens.length : Math.ceil(analyzed.tokens.length / 2),
    });
    const matcher = wordMatcher(
      result.matchedTerms,
      tokens.flatMap((t) => (t.prefix ? [t.prefix] : [])),
    );
    return result.hits.map(({ meta }) => {
      const { type, id } = splitKey(meta.key);
      return {
        type,
        id,
        kind: meta.kind as SearchKind,
        title: meta.title,
        titleHtml: highlightAll(meta.title, matcher),
        titleParts: highlightParts(meta.title, matcher),
        url: meta.url,
        kbState: meta.kbState,
        score: meta.score,
      };
    });
  }

  /** A topic and all topics below it: filtering by "Billing" includes its subtopics. */
  async topicWithDescendants(topicId: string): Promise<string[]> {
    if (!Types.ObjectId.isValid(topicId)) return [topicId];
    const below = await Topic.find({ ancestors: new Types.ObjectId(topicId) }, { _id: 1 }).lean();
    return [topicId, ...below.map((t) => String(t._id))];
  }

  /** Figures about the index as this process sees it. */
  async stats() {
    const tail = await this.#view();
    return {
      gen: tail.segment.gen,
      documents: tail.documentCount,
      segmentDocuments: tail.segment.docs.length,
      terms: tail.segment.vocab.length,
      tailEntries: tail.entries.length,
      nextSeq: this.#nextSeq,
      cachedPostingsBytes: tail.segment.cacheBytes,
      analyzer: this.#manifest?.analyzer ?? ANALYZER_VERSION,
    };
  }

  // ── compaction and rebuild ────────────────────────────────────────────

  /**
   * Folds the log into a new segment (one process at a time, under a lease).
   * Returns null when another process holds the lease.
   */
  compact(): Promise<CompactionReport | null> {
    this.#compacting ??= this.#compactNow().finally(() => {
      this.#compacting = undefined;
    });
    return this.#compacting;
  }

  async #compactNow(): Promise<CompactionReport | null> {
    if (!(await this.#store.acquireLease(this.#holder, LEASE_MS))) return null;
    try {
      const started = performance.now();
      const tail = await this.#view();
      const previous = this.#manifest;
      const segment = tail.segment;
      const lastSeq = this.#nextSeq - 1;
      const folded = tail.entries.length;
      // A consistent snapshot: nothing below is awaited until it is taken.
      const masked = tail.masked.slice();
      const live = [...tail.docs.values()].filter((d) => d.meta).sort((a, b) => a.seq - b.seq);
      const superseded = [...tail.superseded];

      const docs: DocMeta[] = [];
      const remap = new Int32Array(segment.docs.length).fill(-1);
      segment.docs.forEach((meta, ord) => {
        if (masked[ord]) return;
        remap[ord] = docs.length;
        docs.push(meta);
      });
      const tailPostings = new Map<string, PostingsBuilder>();
      for (const doc of live) {
        const ord = docs.length;
        docs.push(doc.meta!);
        for (const [term, weight] of doc.terms) {
          let builder = tailPostings.get(term);
          if (!builder) {
            builder = new PostingsBuilder();
            tailPostings.set(term, builder);
          }
          builder.push(ord, weight);
        }
      }

      await this.#migrateRecords(docs, previous?.rgen ?? 0);
      const gen = await this.#freshGeneration(previous);
      const partitions = this.#termPartitions;
      const out = new Map<number, TermDoc[]>();
      const vocab: Array<[string, number]> = [];
      const emit = (term: string, builder: PostingsBuilder) => {
        if (builder.length === 0) return;
        const p = partitionOf(term, partitions);
        const list = out.get(p) ?? [];
        list.push({ _id: term, n: builder.length, p: new mongoose.mongo.Binary(builder.encode()) });
        out.set(p, list);
        vocab.push([term, builder.length]);
      };
      for (let p = 0; p < (segment.gen === 0 ? 0 : segment.termPartitions); p++) {
        for (const termDoc of await this.#store.readTermPartition(segment.gen, p)) {
          const old = decodePostings(termDoc.p.buffer, termDoc.n);
          const builder = new PostingsBuilder();
          for (let i = 0; i < old.ords.length; i++) {
            const ord = remap[old.ords[i]!]!;
            if (ord >= 0) builder.push(ord, old.weights[i]!);
          }
          const extra = tailPostings.get(termDoc._id);
          if (extra) {
            for (let i = 0; i < extra.length; i++) builder.push(extra.ords[i]!, extra.weights[i]!);
            tailPostings.delete(termDoc._id);
          }
          emit(termDoc._id, builder);
        }
        await this.#store.renewLease(this.#holder, LEASE_MS);
      }
      for (const [term, builder] of tailPostings) emit(term, builder);
      const manifest = await this.#writeSegment(gen, out, docs, vocab, {
        rgen: previous?.rgen ?? 0,
        fromSeq: lastSeq + 1,
      });
      await this.#publish(manifest, docs, vocab);
      await this.#cleanUp(segment, superseded);
      const report = {
        gen,
        documents: docs.length,
        terms: vocab.length,
        foldedEntries: folded,
        ms: performance.now() - started,
      };
      this.#logger.info(report, 'search index compacted');
      return report;
    } finally {
      await this.#store.releaseLease(this.#holder).catch(() => {});
    }
  }

  /**
   * Documents written while a rebuild ran keep their text in the previous
   * record generation; copying it into the current one lets that go.
   */
  async #migrateRecords(docs: DocMeta[], rgen: number): Promise<void> {
    for (let i = 0; i < docs.length; i++) {
      const meta = docs[i]!;
      if (meta.rgen === rgen) continue;
      const record = await this.#store.readRecord(meta.rgen, meta.key, meta.version);
      if (record) await this.#store.insertRecords(rgen, [{ ...record, key: meta.key }]);
      docs[i] = { ...meta, rgen };
    }
  }

  /** The next generation number, with any leftovers of an interrupted build removed. */
  async #freshGeneration(previous: Manifest | null): Promise<number> {
    const gen = (previous?.gen ?? 0) + 1;
    const leftovers = (await this.#store.searchCollections()).filter((n) => n.startsWith(`search_g${gen}_`));
    await this.#store.drop(leftovers);
    return gen;
  }

  async #writeSegment(
    gen: number,
    partitions: Map<number, TermDoc[]>,
    docs: DocMeta[],
    vocab: Array<[string, number]>,
    base: { rgen: number; fromSeq: number },
  ): Promise<Manifest> {
    for (const [p, termDocs] of partitions) {
      await this.#store.writeTermPartition(gen, p, termDocs);
      await this.#store.renewLease(this.#holder, LEASE_MS);
    }
    const meta: Array<{ _id: string; d?: string; [k: string]: unknown }> = [];
    for (let i = 0; i * DOC_CHUNK < docs.length; i++) {
      meta.push({
        _id: `docs:${String(i).padStart(5, '0')}`,
        d: JSON.stringify(docs.slice(i * DOC_CHUNK, (i + 1) * DOC_CHUNK).map(toRow)),
      });
    }
    for (let i = 0; i * VOCAB_CHUNK < vocab.length; i++) {
      meta.push({
        _id: `vocab:${String(i).padStart(5, '0')}`,
        d: vocab
          .slice(i * VOCAB_CHUNK, (i + 1) * VOCAB_CHUNK)
          .map(([t, df]) => `${t}\t${df}\n`)
          .join(''),
      });
    }
    meta.push({ _id: 'stats', docs: docs.length, terms: vocab.length, builtAt: new Date() });
    await this.#store.writeSegmentMeta(gen, meta);
    return {
      _id: 'manifest',
      gen,
      rgen: base.rgen,
      fromSeq: base.fromSeq,
      termPartitions: this.#termPartitions,
      analyzer: ANALYZER_VERSION,
      docs: docs.length,
      builtAt: new Date(),
    };
  }

  /** Makes a new segment current: manifest, this process's view, then the log entry others follow. */
  async #publish(manifest: Manifest, docs: DocMeta[], vocab: Array<[string, number]>): Promise<void> {
    await this.#store.writeManifest(manifest);
    const segment = new Segment({
      gen: manifest.gen,
      fromSeq: manifest.fromSeq,
      termPartitions: manifest.termPartitions,
      docs,
      vocab,
      cacheLimitBytes: this.#cacheBytes,
    });
    this.#install(segment, manifest);
    const gen = manifest.gen;
    await this.#exclusive(() =>
      this.#append([(seq): GenEntry => ({ _id: seqId(seq), op: 'gen', key: '', at: new Date(), gen })]),
    );
  }

  /**
   * Drops what no reader needs any more: segments older than the previous one
   * (kept for searches in flight elsewhere), log blocks it contains, record
   * generations nothing refers to, and superseded record versions.
   */
  async #cleanUp(previous: Segment, superseded: Array<{ rgen: number; key: string; version: string }>) {
    try {
      const current = this.#tail!;
      const referenced = new Set<number>([this.#manifest?.rgen ?? 0]);
      for (const meta of current.live()) referenced.add(meta.rgen);
      const names = await this.#store.searchCollections();
      const drop = names.filter((name) => {
        const segmentMatch = /^search_g(\d+)_/.exec(name);
        if (segmentMatch) {
          const gen = Number(segmentMatch[1]);
          return gen < previous.gen && gen !== current.segment.gen;
        }
        const logMatch = /^search_log_(\d+)$/.exec(name);
        if (logMatch) return (Number(logMatch[1]) + 1) * LOG_BLOCK <= previous.fromSeq;
        const recordMatch = /^search_r(\d+)_/.exec(name);
        if (recordMatch) return !referenced.has(Number(recordMatch[1]));
        return false;
      });
      await this.#store.drop(drop);
      await this.#store.deleteRecords(superseded.filter((s) => referenced.has(s.rgen)));
    } catch (err) {
      this.#logger.warn({ err }, 'search clean-up failed (it is retried after the next compaction)');
    }
  }

  /**
   * Re-indexes every registered source into a new segment and new record
   * collections; documents no source has any more are dropped. Changes made
   * meanwhile are kept (they follow in the log). Refuses (RebuildRefused) when
   * the index holds documents of a type no source is registered for, or no
   * source is registered at all, unless `dropUnregistered`.
   */
  async rebuild(options: { waitMs?: number; dropUnregistered?: boolean } = {}): Promise<RebuildReport> {
    if (!options.dropUnregistered) {
      const tail = await this.#view();
      const orphanTypes = new Map<string, number>();
      for (const meta of tail.live()) {
        const { type } = splitKey(meta.key);
        if (!this.#sources.has(type)) orphanTypes.set(type, (orphanTypes.get(type) ?? 0) + 1);
      }
      if (orphanTypes.size > 0 || this.#sources.size === 0) {
        const held = [...orphanTypes].map(([type, n]) => `${n} ${type}`).join(', ');
        throw new RebuildRefused(
          this.#sources.size === 0
            ? `No content feature has registered a search source, so a rebuild would only empty the index${held ? ` (it holds ${held})` : ''}.`
            : `The index holds documents no registered source can rebuild (${held}); a rebuild would drop them.`,
        );
      }
    }
    const deadline = Date.now() + (options.waitMs ?? 120_000);
    while (!(await this.#store.acquireLease(this.#holder, LEASE_MS))) {
      if (Date.now() > deadline) throw new Error('search: another rebuild or compaction is running');
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    try {
      const started = performance.now();
      const tail = await this.#view();
      const previous = this.#manifest;
      const lastSeq = this.#nextSeq - 1;
      const before = new Set<string>();
      for (const meta of tail.live()) before.add(meta.key);
      const gen = await this.#freshGeneration(previous);
      const rgen = (previous?.rgen ?? 0) + 1;
      await this.#store.drop(
        (await this.#store.searchCollections()).filter((n) => n.startsWith(`search_r${rgen}_`)),
      );

      const docs: DocMeta[] = [];
      const builders = new Map<string, PostingsBuilder>();
      const byType: Record<string, number> = {};
      let invalid = 0;
      let records: Array<StoredRecord & { key: string }> = [];
      let lastRenewal = Date.now();
      for (const source of this.#sources.values()) {
        byType[source.type] = 0;
        for await (const document of asAsync(source.iterate())) {
          let doc: NormalizedDocument;
          try {
            doc = normalizeDocument(document);
          } catch (err) {
            invalid++;
            this.#logger.warn({ err }, 'search rebuild skipped an invalid document');
            continue;
          }
          if (doc.deleted || doc.type !== source.type) continue;
          const analyzed = analyzeFields(doc);
          const version = newVersion();
          const ord = docs.length;
          docs.push(this.#metaOf(doc, analyzed.length, rgen, version));
          for (const [term, weight] of analyzed.terms) {
            let builder = builders.get(term);
            if (!builder) {
              builder = new PostingsBuilder();
              builders.set(term, builder);
            }
            builder.push(ord, weight);
          }
          records.push({
            key: doc.key,
            _id: `${doc.key}#${version}`,
            title: doc.title,
            problem: doc.problem,
            body: doc.body,
          });
          byType[source.type]!++;
          before.delete(doc.key);
          if (records.length >= WRITE_BATCH) {
            await this.#store.insertRecords(rgen, records);
            records = [];
          }
          if (Date.now() - lastRenewal > 10_000) {
            await this.#store.renewLease(this.#holder, LEASE_MS);
            lastRenewal = Date.now();
          }
        }
      }
      if (records.length > 0) await this.#store.insertRecords(rgen, records);
      const partitions = new Map<number, TermDoc[]>();
      const vocab: Array<[string, number]> = [];
      for (const [term, builder] of builders) {
        const p = partitionOf(term, this.#termPartitions);
        const list = partitions.get(p) ?? [];
        list.push({ _id: term, n: builder.length, p: new mongoose.mongo.Binary(builder.encode()) });
        partitions.set(p, list);
        vocab.push([term, builder.length]);
      }
      builders.clear();
      const manifest = await this.#writeSegment(gen, partitions, docs, vocab, { rgen, fromSeq: lastSeq + 1 });
      const previousSegment = tail.segment;
      await this.#publish(manifest, docs, vocab);
      await this.#cleanUp(previousSegment, []);
      const report: RebuildReport = {
        gen,
        documents: docs.length,
        byType,
        dropped: before.size,
        invalid,
        ms: performance.now() - started,
      };
      this.#logger.info(report, 'search index rebuilt');
      return report;
    } finally {
      await this.#store.releaseLease(this.#holder).catch(() => {});
    }
  }

  // ── integrity ─────────────────────────────────────────────────────────

  /**
   * Compares the index with the registered sources: documents missing from
   * it, indexed with other content (stale), or indexed but deleted or gone
   * (orphaned). With `repair`, re-indexes or removes each of them.
   */
  async check(options: { repair?: boolean } = {}): Promise<CheckReport> {
    const started = performance.now();
    const tail = await this.#view();
    const missing: CheckProblem[] = [];
    const stale: CheckProblem[] = [];
    const orphaned: CheckProblem[] = [];
    const fixes: Array<() => Promise<void>> = [];
    const seen = new Set<string>();
    let checked = 0;
    for (const source of this.#sources.values()) {
      for await (const document of asAsync(source.iterate())) {
        let doc: NormalizedDocument;
        try {
          doc = normalizeDocument(document);
        } catch (err) {
          this.#logger.warn({ err }, 'search check met an invalid document');
          continue;
        }
        checked++;
        seen.add(doc.key);
        const indexed = tail.lookup(doc.key);
        const problem = { type: doc.type, id: doc.id };
        if (doc.deleted) {
          if (indexed) {
            orphaned.push(problem);
            fixes.push(() => this.remove(doc.type, doc.id));
          }
        } else if (!indexed) {
          missing.push(problem);
          fixes.push(() => this.index(document));
        } else if (indexed.hash !== doc.hash) {
          stale.push(problem);
          fixes.push(() => this.index(document));
        }
      }
    }
    let unchecked = 0;
    for (const meta of [...tail.live()]) {
      if (seen.has(meta.key)) continue;
      const { type, id } = splitKey(meta.key);
      const source = this.#sources.get(type);
      if (!source) {
        unchecked++;
        continue;
      }
      // Not listed by the source: gone, or created after it was listed.
      const current = await source.load(id);
      if (!current || current.deleted) {
        orphaned.push({ type, id });
        fixes.push(() => this.remove(type, id));
      } else if (normalizeDocument(current).hash !== meta.hash) {
        stale.push({ type, id });
        fixes.push(() => this.index(current));
      }
    }
    let repaired = 0;
    if (options.repair) {
      for (const fix of fixes) {
        await fix();
        repaired++;
      }
    }
    return {
      checked,
      missing,
      stale,
      orphaned,
      unchecked,
      analyzerOutdated: (this.#manifest?.analyzer ?? ANALYZER_VERSION) !== ANALYZER_VERSION,
      repaired,
      ms: performance.now() - started,
    };
  }

  /** Waits for background work of this process (compaction) to finish. */
  async idle(): Promise<void> {
    await this.#compacting?.catch(() => {});
    await this.#writing.catch(() => {});
  }
}
