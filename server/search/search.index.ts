import type { AnalyzedQuery } from './analysis.ts';
import { EMPTY_POSTINGS, type Postings } from './postings.ts';
import type { DocMeta, IndexEntry, RemoveEntry } from './search.store.ts';
import { SEARCH_KINDS, type SearchFilters, type SearchKind, type SearchViewer } from './search.types.ts';

/**
 * One process's view of the index: the current immutable segment (its
 * document table and vocabulary in memory, posting lists fetched on demand and
 * cached — they never change) plus the tail, i.e. the log entries written
 * after the segment was built. Queries are evaluated here, synchronously, once
 * the posting lists they need are at hand.
 */

/** BM25 parameters. */
export const K1 = 1.2;
export const B = 0.75;
/** A word matched only through its typed prefix counts a little less than a whole word. */
export const PREFIX_FACTOR = 0.8;
/** Prefix expansions considered per word (the most frequent terms). */
export const MAX_EXPANSIONS = 24;
/** A word found through a synonym a knowledge manager declared counts nearly as the word. */
export const SYNONYM_FACTOR = 0.9;
/** A word found by correcting a typo counts less than the word typed. */
export const FUZZY_FACTOR = 0.6;
/** Corrections considered per word that matches nothing (the most frequent at the smallest distance). */
export const MAX_CORRECTIONS = 3;

/**
 * How many edits (a letter added, dropped, changed, or two swapped) a word of
 * this length may be away from what it is meant to be: none for short words,
 * where one edit makes another word; one from 5 letters; two from 8.
 */
export function editsAllowed(length: number): number {
  return length >= 8 ? 2 : length >= 5 ? 1 : 0;
}

/**
 * Optimal-string-alignment distance (Levenshtein with adjacent swaps) when it
 * is at most `max`, else max + 1; stops as soon as every path is over `max`.
 */
export function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  if (a === b) return 0;
  const cols = b.length + 1;
  let before = new Array<number>(cols);
  let previous = new Array<number>(cols);
  let current = new Array<number>(cols);
  for (let j = 0; j < cols; j++) previous[j] = j;
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    let best = i;
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        value = Math.min(value, before[j - 2]! + 1);
      current[j] = value;
      if (value < best) best = value;
    }
    if (best > max) return max + 1;
    [before, previous, current] = [previous, current, before];
  }
  return previous[b.length]!;
}

/** What a query adds besides the words typed: a knowledge manager's synonyms (term → its synonyms' terms). */
export interface QueryExpansions {
  synonyms?: ReadonlyMap<string, readonly string[]>;
}

/**
 * After text relevance, bounded boosts: votes / helpfulness (log scale),
 * recency (decaying over months) and published KB articles. They reorder
 * documents of similar relevance; they do not lift an unrelated one.
 */
export function rankBoost(
  meta: Pick<DocMeta, 'score' | 'updatedAt' | 'kind' | 'kbState'>,
  now: number,
): number {
  return staticBoost(meta) * recencyBoost(meta.updatedAt, now);
}

/** The part of the boost that does not change with time: votes and published KB articles. */
export function staticBoost(meta: Pick<DocMeta, 'score' | 'kind' | 'kbState'>): number {
  const votes = 1 + 0.1 * Math.log1p(Math.max(0, meta.score));
  const kb = meta.kind === 'article' && meta.kbState === 'published' ? 1.2 : 1;
  return votes * kb;
}

/** Up to +20% for what changed recently, fading over a few months. */
export function recencyBoost(updatedAt: number, now: number): number {
  const ageDays = Math.max(0, (now - updatedAt) / 86_400_000);
  return 1 + 0.2 * Math.exp(-ageDays / 90);
}

const KIND_CODE = new Map<string, number>(SEARCH_KINDS.map((kind, i) => [kind, i]));
/** Per-document flags that send ranking to the full check on the document object. */
const RESTRICTED = 1;
const ARCHIVED = 2;
const UNKNOWN_KIND = 4;

export function canSee(meta: Pick<DocMeta, 'visibility'>, viewer: SearchViewer | null): boolean {
  const visibility = meta.visibility;
  if (!visibility) return true;
  if (!viewer) return false;
  if (visibility.users.includes(viewer.id)) return true;
  return viewer.roles.some((role) => visibility.roles.includes(role));
}

export class Segment {
  readonly gen: number;
  readonly fromSeq: number;
  readonly termPartitions: number;
  readonly docs: DocMeta[];
  readonly lengths: Float32Array;
  /** Columns for ranking without touching the document objects. */
  readonly boosts: Float32Array;
  readonly updatedAt: Float64Array;
  readonly kinds: Uint8Array;
  readonly flags: Uint8Array;
  readonly ordOf = new Map<string, number>();
  readonly totalLength: number;
  /** Sorted terms, for prefix expansion. */
  readonly vocab: string[];
  readonly df = new Map<string, number>();
  readonly #cache = new Map<string, Postings>();
  #cacheBytes = 0;
  #scratch: Scratch | undefined;
  #rankBoosts: Float32Array | undefined;
  #rankBoostsHour = -1;
  readonly #cacheLimit: number;

  constructor(options: {
    gen: number;
    fromSeq: number;
    termPartitions: number;
    docs: DocMeta[];
    vocab: Array<[string, number]>;
    cacheLimitBytes: number;
  }) {
    this.gen = options.gen;
    this.fromSeq = options.fromSeq;
    this.termPartitions = options.termPartitions;
    this.docs = options.docs;
    const n = this.docs.length;
    this.lengths = new Float32Array(n);
    this.boosts = new Float32Array(n);
    this.updatedAt = new Float64Array(n);
    this.kinds = new Uint8Array(n);
    this.flags = new Uint8Array(n);
    let total = 0;
    this.docs.forEach((doc, ord) => {
      this.ordOf.set(doc.key, ord);
      this.lengths[ord] = doc.length;
      this.boosts[ord] = staticBoost(doc);
      this.updatedAt[ord] = doc.updatedAt;
      const kind = KIND_CODE.get(doc.kind);
      this.kinds[ord] = kind ?? 0;
      this.flags[ord] =
        (doc.visibility ? RESTRICTED : 0) |
        (doc.kbState === 'archived' ? ARCHIVED : 0) |
        (kind === undefined ? UNKNOWN_KIND : 0);
      total += doc.length;
    });
    this.totalLength = total;
    const sorted = options.vocab.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    this.vocab = sorted.map(([term]) => term);
    for (const [term, df] of sorted) this.df.set(term, df);
    this.#cacheLimit = options.cacheLimitBytes;
  }

  static empty(cacheLimitBytes: number): Segment {
    return new Segment({ gen: 0, fromSeq: 1, termPartitions: 1, docs: [], vocab: [], cacheLimitBytes });
  }

  cached(term: string): Postings | undefined {
    const hit = this.#cache.get(term);
    if (hit) {
      // Most recently used last: eviction takes from the front.
      this.#cache.delete(term);
      this.#cache.set(term, hit);
    }
    return hit;
  }

  remember(term: string, postings: Postings): void {
    if (this.#cache.has(term)) return;
    this.#cache.set(term, postings);
    this.#cacheBytes += postings.ords.byteLength + postings.weights.byteLength + 64;
    for (const [old, list] of this.#cache) {
      if (this.#cacheBytes <= this.#cacheLimit) break;
      this.#cache.delete(old);
      this.#cacheBytes -= list.ords.byteLength + list.weights.byteLength + 64;
    }
  }

  get cacheBytes(): number {
    return this.#cacheBytes;
  }

  /**
   * Working arrays for one evaluation, reused: evaluation is synchronous, so
   * no two evaluations ever use them at once. They are left zeroed.
   */
  scratch(): Scratch {
    const n = this.docs.length;
    this.#scratch ??= {
      total: new Float32Array(n),
      matched: new Uint8Array(n),
      tokScore: new Float32Array(n),
      touched: new Int32Array(n),
      tokTouched: new Int32Array(n),
    };
    return this.#scratch;
  }

  /** Votes, KB and recency boosts of every document, recomputed once an hour. */
  rankBoosts(now: number): Float32Array {
    const hour = Math.floor(now / 3_600_000);
    if (!this.#rankBoosts || hour !== this.#rankBoostsHour) {
      const boosts = this.#rankBoosts ?? new Float32Array(this.docs.length);
      for (let ord = 0; ord < boosts.length; ord++)
        boosts[ord] = this.boosts[ord]! * recencyBoost(this.updatedAt[ord]!, hour * 3_600_000);
      this.#rankBoosts = boosts;
      this.#rankBoostsHour = hour;
    }
    return this.#rankBoosts;
  }

  /**
   * Terms of the vocabulary within `max` edits of `term` (same first letter:
   * typos rarely hit it, and the sorted vocabulary gives those terms as one
   * range), with their distance and document frequency. Remembered per term.
   */
  termsNear(term: string, max: number): Array<[string, number, number]> {
    const key = `${max}:${term}`;
    const known = this.#near.get(key);
    if (known) return known;
    const out: Array<[string, number, number]> = [];
    for (const [candidate, df] of this.termsWithPrefix(term[0] ?? '')) {
      if (Math.abs(candidate.length - term.length) > max) continue;
      const distance = editDistance(term, candidate, max);
      if (distance <= max) out.push([candidate, distance, df]);
    }
    if (this.#near.size >= 5_000) this.#near.clear();
    this.#near.set(key, out);
    return out;
  }

  readonly #near = new Map<string, Array<[string, number, number]>>();

  /** Terms of the vocabulary that start with `prefix`, with their document frequency. */
  termsWithPrefix(prefix: string): Array<[string, number]> {
    let lo = 0;
    let hi = this.vocab.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.vocab[mid]! < prefix) lo = mid + 1;
      else hi = mid;
    }
    const out: Array<[string, number]> = [];
    for (let i = lo; i < this.vocab.length && this.vocab[i]!.startsWith(prefix); i++) {
      const term = this.vocab[i]!;
      out.push([term, this.df.get(term) ?? 0]);
    }
    return out;
  }
}

export interface Scratch {
  total: Float32Array;
  matched: Uint8Array;
  tokScore: Float32Array;
  touched: Int32Array;
  tokTouched: Int32Array;
}

export interface TailDoc {
  seq: number;
  meta: DocMeta | null;
  terms: Map<string, number>;
}

export interface Superseded {
  rgen: number;
  key: string;
  version: string;
}

export function parseTerms(encoded: string): Map<string, number> {
  const terms = new Map<string, number>();
  if (!encoded) return terms;
  const parts = encoded.split(' ');
  for (let i = 0; i + 1 < parts.length; i += 2) terms.set(parts[i]!, Number(parts[i + 1]));
  return terms;
}

export function encodeTerms(terms: Map<string, number>): string {
  const parts: string[] = [];
  for (const [term, weight] of terms) parts.push(term, String(weight));
  return parts.join(' ');
}

/** The changes written after the segment: newer versions, removals, and what they hide in the segment. */
export class Tail {
  readonly segment: Segment;
  readonly docs = new Map<string, TailDoc>();
  readonly inverted = new Map<string, Set<string>>();
  /** 1 for segment ordinals superseded or removed by the tail. */
  readonly masked: Uint8Array;
  maskedCount = 0;
  maskedLength = 0;
  liveCount = 0;
  liveLength = 0;
  /** Record versions no longer needed (compaction deletes them). */
  readonly superseded: Superseded[] = [];
  /** Applied entries, in order, to carry over to the next segment. */
  readonly entries: Array<IndexEntry | RemoveEntry> = [];

  constructor(segment: Segment) {
    this.segment = segment;
    this.masked = new Uint8Array(segment.docs.length);
  }

  #retire(key: string): void {
    const previous = this.docs.get(key);
    if (previous) {
      if (previous.meta) {
        this.liveCount--;
        this.liveLength -= previous.meta.length;
        for (const term of previous.terms.keys()) {
          const set = this.inverted.get(term);
          set?.delete(key);
          if (set?.size === 0) this.inverted.delete(term);
        }
        this.superseded.push({ rgen: previous.meta.rgen, key, version: previous.meta.version });
      }
      return;
    }
    const ord = this.segment.ordOf.get(key);
    if (ord !== undefined && !this.masked[ord]) {
      this.masked[ord] = 1;
      this.maskedCount++;
      this.maskedLength += this.segment.lengths[ord]!;
      const meta = this.segment.docs[ord]!;
      this.superseded.push({ rgen: meta.rgen, key, version: meta.version });
    }
  }

  apply(entry: IndexEntry | RemoveEntry): void {
    const seq = Number(entry._id);
    this.entries.push(entry);
    this.#retire(entry.key);
    if (entry.op === 'remove') {
      this.docs.set(entry.key, { seq, meta: null, terms: new Map() });
      return;
    }
    const terms = parseTerms(entry.terms);
    this.docs.set(entry.key, { seq, meta: entry.meta, terms });
    this.liveCount++;
    this.liveLength += entry.meta.length;
    for (const term of terms.keys()) {
      let set = this.inverted.get(term);
      if (!set) {
        set = new Set();
        this.inverted.set(term, set);
      }
      set.add(entry.key);
    }
  }

  /** The document as currently indexed, or null. */
  lookup(key: string): DocMeta | null {
    const doc = this.docs.get(key);
    if (doc) return doc.meta;
    const ord = this.segment.ordOf.get(key);
    return ord === undefined || this.masked[ord] ? null : this.segment.docs[ord]!;
  }

  /** Every indexed document. */
  *live(): Generator<DocMeta> {
    const { docs } = this.segment;
    for (let ord = 0; ord < docs.length; ord++) if (!this.masked[ord]) yield docs[ord]!;
    for (const doc of this.docs.values()) if (doc.meta) yield doc.meta;
  }

  get documentCount(): number {
    return this.segment.docs.length - this.maskedCount + this.liveCount;
  }
}

export interface Variant {
  term: string;
  factor: number;
}

export interface PlannedToken {
  word: string;
  variants: Variant[];
  prefix: string | null;
}

/**
 * The terms each query word matches: its stems; for the word being typed,
 * frequent terms it starts; the terms of the synonyms a knowledge manager
 * declared for it; and when none of these is in the index (a typo:
 * "addebbito"), the most frequent terms a few edits away ("addebit").
 */
export function planQuery(
  tail: Tail,
  query: AnalyzedQuery,
  expansions: QueryExpansions = {},
): PlannedToken[] {
  const known = (term: string) => tail.segment.df.has(term) || tail.inverted.has(term);
  return query.tokens.map((token) => {
    const variants: Variant[] = token.terms.map((term) => ({ term, factor: 1 }));
    const taken = new Set(token.terms);
    if (token.prefix) {
      const candidates = new Map<string, number>();
      for (const [term, df] of tail.segment.termsWithPrefix(token.prefix)) candidates.set(term, df);
      for (const [term, keys] of tail.inverted) {
        if (term.startsWith(token.prefix)) candidates.set(term, (candidates.get(term) ?? 0) + keys.size);
      }
      const expansionTerms = [...candidates]
        .filter(([term]) => !taken.has(term))
        .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
        .slice(0, MAX_EXPANSIONS);
      for (const [term] of expansionTerms) {
        variants.push({ term, factor: PREFIX_FACTOR });
        taken.add(term);
      }
    }
    for (const term of token.terms) {
      for (const synonym of expansions.synonyms?.get(term) ?? []) {
        if (taken.has(synonym)) continue;
        variants.push({ term: synonym, factor: SYNONYM_FACTOR });
        taken.add(synonym);
      }
    }
    const allowed = editsAllowed(token.folded.length);
    if (allowed > 0 && !variants.some((v) => known(v.term))) {
      const near = new Map<string, { distance: number; df: number }>();
      for (const term of token.terms) {
        // A short stem is corrected less (rimbo → "rimb" would meet "rima").
        const max = Math.min(allowed, editsAllowed(term.length));
        if (max === 0) continue;
        for (const [candidate, distance, df] of tail.segment.termsNear(term, max)) {
          const seen = near.get(candidate);
          if (!seen || distance < seen.distance) near.set(candidate, { distance, df });
        }
        for (const [candidate, keys] of tail.inverted) {
          if (candidate[0] !== term[0] || Math.abs(candidate.length - term.length) > max) continue;
          const distance = editDistance(term, candidate, max);
          const seen = near.get(candidate);
          if (distance <= max && (!seen || distance < seen.distance))
            near.set(candidate, { distance, df: (seen?.df ?? 0) + keys.size });
        }
      }
      const closest = Math.min(...[...near.values()].map((n) => n.distance));
      const corrections = [...near]
        .filter(([term, n]) => n.distance === closest && !taken.has(term))
        .sort((a, b) => b[1].df - a[1].df || (a[0] < b[0] ? -1 : 1))
        .slice(0, MAX_CORRECTIONS);
      for (const [term] of corrections) variants.push({ term, factor: FUZZY_FACTOR });
    }
    return { word: token.word, variants, prefix: token.prefix };
  });
}

export interface EvaluateOptions {
  filters: SearchFilters;
  viewer: SearchViewer | null;
  offset: number;
  limit: number;
  /**
   * How many query words a document must match. Default: all of them, and
   * when nothing matches all, any of them (the result says `relaxed`).
   */
  minimumMatch?: number;
  now?: number;
}

export interface RankedHit {
  meta: DocMeta;
  relevance: number;
  rank: number;
}

export interface Evaluation {
  total: number;
  relaxed: boolean;
  counts: Record<SearchKind, number>;
  hits: RankedHit[];
  /** Terms that matched at least one document (for highlighting). */
  matchedTerms: Set<string>;
}

function zeroCounts(): Record<SearchKind, number> {
  return Object.fromEntries(SEARCH_KINDS.map((k) => [k, 0])) as Record<SearchKind, number>;
}

/** Keeps the `size` best-ranked hits (a min-heap on rank). */
class TopHits {
  readonly #size: number;
  readonly #heap: RankedHit[] = [];

  constructor(size: number) {
    this.#size = size;
  }

  static #better(a: RankedHit, b: RankedHit): boolean {
    if (a.rank !== b.rank) return a.rank > b.rank;
    if (a.meta.updatedAt !== b.meta.updatedAt) return a.meta.updatedAt > b.meta.updatedAt;
    return a.meta.key < b.meta.key;
  }

  /** Whether a hit of this rank could enter (cheap pre-check before building the hit). */
  accepts(rank: number): boolean {
    return this.#heap.length < this.#size || (this.#size > 0 && rank >= this.#heap[0]!.rank);
  }

  offer(hit: RankedHit): void {
    const heap = this.#heap;
    if (heap.length < this.#size) {
      heap.push(hit);
      let i = heap.length - 1;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (!TopHits.#better(heap[parent]!, heap[i]!)) break;
        [heap[parent], heap[i]] = [heap[i]!, heap[parent]!];
        i = parent;
      }
      return;
    }
    if (this.#size === 0 || !TopHits.#better(hit, heap[0]!)) return;
    heap[0] = hit;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let worst = i;
      if (l < heap.length && TopHits.#better(heap[worst]!, heap[l]!)) worst = l;
      if (r < heap.length && TopHits.#better(heap[worst]!, heap[r]!)) worst = r;
      if (worst === i) break;
      [heap[worst], heap[i]] = [heap[i]!, heap[worst]!];
      i = worst;
    }
  }

  sorted(): RankedHit[] {
    return [...this.#heap].sort((a, b) => (TopHits.#better(a, b) ? -1 : TopHits.#better(b, a) ? 1 : 0));
  }
}

/**
 * Scores every document matching all query words (or, when none does, any of
 * them), applies visibility and filters, counts per kind, and returns the
 * requested page in rank order. `postings` holds the segment's list for every
 * variant term (missing = the segment has none).
 */
export function evaluate(
  tail: Tail,
  tokens: PlannedToken[],
  postings: Map<string, Postings>,
  options: EvaluateOptions,
): Evaluation {
  try {
    return evaluateOnScratch(tail, tokens, postings, options);
  } catch (err) {
    // The scratch arrays are reused: never leave them dirty.
    const scratch = tail.segment.scratch();
    scratch.total.fill(0);
    scratch.matched.fill(0);
    scratch.tokScore.fill(0);
    throw err;
  }
}

function evaluateOnScratch(
  tail: Tail,
  tokens: PlannedToken[],
  postings: Map<string, Postings>,
  options: EvaluateOptions,
): Evaluation {
  const segment = tail.segment;
  const lengths = segment.lengths;
  const masked = tail.masked;
  const n = Math.max(1, tail.documentCount);
  const avgdl = Math.max(1, (segment.totalLength - tail.maskedLength + tail.liveLength) / n);
  const norm = K1 * (1 - B);
  const normLen = (K1 * B) / avgdl;

  const scratch = segment.scratch();
  const { total: segTotal, matched: segMatched, tokScore, touched, tokTouched } = scratch;
  let touchedCount = 0;
  const tailTotal = new Map<string, number>();
  const tailMatched = new Map<string, number>();
  const matchedTerms = new Set<string>();

  for (const token of tokens) {
    // One variant cannot match a document twice: its scores go straight to the totals.
    const direct = token.variants.length === 1;
    let tokCount = 0;
    const tailTok = new Map<string, number>();
    for (const { term, factor } of token.variants) {
      const list = postings.get(term) ?? EMPTY_POSTINGS;
      const tailKeys = tail.inverted.get(term);
      const df = list.ords.length + (tailKeys?.size ?? 0);
      if (df === 0) continue;
      const idf = Math.max(0.01, Math.log(1 + (n - df + 0.5) / (df + 0.5))) * factor;
      const scale = idf * (K1 + 1);
      const { ords, weights } = list;
      let matchedHere = false;
      for (let i = 0; i < ords.length; i++) {
        const ord = ords[i]!;
        if (masked[ord]) continue;
        const tf = weights[i]!;
        const s = (scale * tf) / (tf + norm + normLen * lengths[ord]!);
        matchedHere = true;
        if (direct) {
          if (segMatched[ord] === 0) touched[touchedCount++] = ord;
          segMatched[ord]!++;
          segTotal[ord]! += s;
          continue;
        }
        const current = tokScore[ord]!;
        if (current === 0) tokTouched[tokCount++] = ord;
        if (s > current) tokScore[ord] = s;
      }
      if (tailKeys) {
        for (const key of tailKeys) {
          const doc = tail.docs.get(key)!;
          const tf = doc.terms.get(term) ?? 0;
          const len = doc.meta?.length ?? 0;
          const s = (scale * tf) / (tf + norm + normLen * len);
          if (s > (tailTok.get(key) ?? 0)) tailTok.set(key, s);
          matchedHere = true;
        }
      }
      if (matchedHere) matchedTerms.add(term);
    }
    for (let i = 0; i < tokCount; i++) {
      const ord = tokTouched[i]!;
      if (segMatched[ord] === 0) touched[touchedCount++] = ord;
      segMatched[ord]!++;
      segTotal[ord]! += tokScore[ord]!;
      tokScore[ord] = 0;
    }
    for (const [key, s] of tailTok) {
      tailMatched.set(key, (tailMatched.get(key) ?? 0) + 1);
      tailTotal.set(key, (tailTotal.get(key) ?? 0) + s);
    }
  }

  const run = (need: number) => {
    const { filters, viewer } = options;
    const now = options.now ?? Date.now();
    const counts = zeroCounts();
    const kindCounts = new Float64Array(SEARCH_KINDS.length);
    const top = new TopHits(options.offset + options.limit);
    let total = 0;
    const kinds = filters.kinds && filters.kinds.length > 0 ? new Set<string>(filters.kinds) : null;
    const kindCodes = kinds ? new Set([...kinds].map((k) => KIND_CODE.get(k))) : null;
    const states = filters.kbStates && filters.kbStates.length > 0 ? new Set<string>(filters.kbStates) : null;
    const topics = filters.topics && filters.topics.length > 0 ? new Set(filters.topics) : null;
    const articleStates =
      filters.articleStates && filters.articleStates.length > 0
        ? new Set<string>(filters.articleStates)
        : null;
    const from = filters.from?.getTime();
    const to = filters.to?.getTime();
    const plain =
      !states &&
      !topics &&
      !articleStates &&
      !filters.authorId &&
      !filters.teamId &&
      from === undefined &&
      to === undefined;
    // The full check, on the document object: restricted or archived documents, filters, the tail.
    const consider = (meta: DocMeta, relevance: number) => {
      if (!canSee(meta, viewer)) return;
      if (meta.kbState === 'archived' && !states?.has('archived')) return;
      if (states && !(meta.kbState && states.has(meta.kbState))) return;
      if (articleStates && meta.kind === 'article' && !(meta.kbState && articleStates.has(meta.kbState)))
        return;
      if (topics && !meta.topics.some((t) => topics.has(t))) return;
      if (filters.authorId && meta.authorId !== filters.authorId) return;
      if (filters.teamId && meta.teamId !== filters.teamId) return;
      if (from !== undefined && meta.createdAt < from) return;
      if (to !== undefined && meta.createdAt >= to) return;
      if (meta.kind in counts) counts[meta.kind as SearchKind]++;
      if (kinds && !kinds.has(meta.kind)) return;
      total++;
      const rank = relevance * rankBoost(meta, now);
      if (top.accepts(rank)) top.offer({ meta, relevance, rank });
    };
    const boosts = segment.rankBoosts(now);
    const { kinds: kindOf, flags } = segment;
    for (let i = 0; i < touchedCount; i++) {
      const ord = touched[i]!;
      if (segMatched[ord]! < need) continue;
      if (!plain || flags[ord] !== 0) {
        consider(segment.docs[ord]!, segTotal[ord]!);
        continue;
      }
      // The common case: visible to all, not archived, no filter but the kind.
      const kind = kindOf[ord]!;
      kindCounts[kind]!++;
      if (kindCodes && !kindCodes.has(kind)) continue;
      total++;
      const relevance = segTotal[ord]!;
      const rank = relevance * boosts[ord]!;
      if (top.accepts(rank)) top.offer({ meta: segment.docs[ord]!, relevance, rank });
    }
    SEARCH_KINDS.forEach((kind, i) => {
      counts[kind] += kindCounts[i]!;
    });
    for (const [key, matched] of tailMatched) {
      const meta = tail.docs.get(key)?.meta;
      if (meta && matched >= need) consider(meta, tailTotal.get(key)!);
    }
    return { total, counts, hits: top.sorted().slice(options.offset) };
  };

  const finish = (result: ReturnType<typeof run>, relaxed: boolean): Evaluation => {
    for (let i = 0; i < touchedCount; i++) {
      const ord = touched[i]!;
      segTotal[ord] = 0;
      segMatched[ord] = 0;
    }
    return { ...result, relaxed, matchedTerms };
  };
  if (options.minimumMatch !== undefined) {
    const need = Math.max(1, Math.min(tokens.length, options.minimumMatch));
    return finish(run(need), need < tokens.length);
  }
  let result = run(tokens.length);
  let relaxed = false;
  if (tokens.length > 1 && Object.values(result.counts).every((c) => c === 0)) {
    result = run(1);
    relaxed = result.total > 0 || Object.values(result.counts).some((c) => c > 0);
  }
  return finish(result, relaxed);
}
