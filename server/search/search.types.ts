/**
 * The search contract: what a content feature gives the search engine, and
 * what the engine answers. Posts, answers and KB articles plug in here.
 *
 * A feature does two things:
 *
 * 1. In the same request path as every create / edit / delete, it calls
 *      await search.index(toSearchDocument(post))   // create, edit, state change, votes
 *      await search.remove('post', postId)          // hard delete (or index with deleted: true)
 *    `index` replaces whatever was indexed for (type, id); it is idempotent.
 *
 * 2. It registers a SearchSource once, in server/services.ts:
 *      search.register({ type: 'post', iterate: () => posts.allForSearch(), load: (id) => posts.forSearch(id) })
 *    so that `npm run search:rebuild` can re-index everything and
 *    `npm run search:check` can find documents missing from (or stale in) the index.
 *
 * Text fields are plain text: strip Markdown/HTML before handing them over
 * (snippets are built from them and HTML-escaped by the engine).
 */

export const SEARCH_DOC_TYPES = ['post', 'answer', 'article'] as const;
export type SearchDocType = (typeof SEARCH_DOC_TYPES)[number];

/** What a result is, for filters, counts per kind and labels. */
export const SEARCH_KINDS = ['insight', 'tip', 'question', 'answer', 'article'] as const;
export type SearchKind = (typeof SEARCH_KINDS)[number];

export const KB_STATES = ['draft', 'review', 'published', 'archived'] as const;
export type KbState = (typeof KB_STATES)[number];

/**
 * Who may see a document. `null` means everyone who may search. Otherwise a
 * viewer sees it when they hold one of `roles` or their id is in `users`
 * (e.g. a KB draft: `{ roles: ['knowledge_manager', 'admin'], users: [authorId] }`).
 */
export interface SearchVisibility {
  roles: readonly string[];
  users: readonly string[];
}

export interface SearchDocument {
  type: SearchDocType;
  /** The id of the post / answer / article in its own collection. */
  id: string;
  /** Where the result links to (a same-site path, e.g. `/posts/<id>#answer-<id>`). */
  url: string;
  /** Shown as the result's heading; also the most heavily weighted text field (×3). */
  title: string;
  /** A KB article's problem statement or a post's summary; weighted ×2. */
  problem?: string;
  /** The main text; weighted ×1. */
  body?: string;
  /**
   * Text that helps find the document without being its own, weighted ×1 and
   * never shown: an answer's question title, tags, the product name.
   */
  context?: string;

  kind: SearchKind;
  /** Topic ids (the taxonomy in models/topic.ts). */
  topics: readonly string[];
  /** KB articles only; `null` for posts and answers. */
  kbState: KbState | null;
  authorId: string | null;
  /** Display name of the author at indexing time (shown on results). */
  authorName?: string | null;
  teamId: string | null;
  createdAt: Date;
  updatedAt: Date;
  /** Votes (posts, answers) or helpfulness (articles); the higher the better. */
  score: number;
  /** A deleted document is removed from the index: never returned. */
  deleted: boolean;
  visibility: SearchVisibility | null;
}

/**
 * A content feature's documents, for rebuilds and the integrity check. The
 * engine never writes to a source.
 */
export interface SearchSource {
  type: SearchDocType;
  /** Every document of this type (deleted ones may be included with `deleted: true`). */
  iterate(): AsyncIterable<SearchDocument> | Iterable<SearchDocument>;
  /** The current state of one document, or null when it no longer exists. */
  load(id: string): Promise<SearchDocument | null>;
  /**
   * What a result shows of each of these documents now (its votes, "seen this
   * too", helpfulness), read when a page of results is shown: the index's
   * `score` is a ranking signal, not a count to show.
   */
  facts?(ids: string[]): Promise<Map<string, HitFact[]>>;
}

/** One figure a result shows: an i18n key taking `count` (`search.results.votes`: "3 votes"). */
export interface HitFact {
  key: string;
  count: number;
}

/** The person searching; `null` never sees restricted documents. */
export interface SearchViewer {
  id: string;
  roles: readonly string[];
}

export interface SearchFilters {
  kinds?: readonly SearchKind[];
  /** Any of these topic ids (callers expand a topic to its subtopics). */
  topics?: readonly string[];
  /**
   * Only KB articles in these states (posts and answers have no state, so they
   * drop out). Archived articles are returned only when this includes 'archived'.
   */
  kbStates?: readonly KbState[];
  /** Articles must be in one of these states; other kinds are unaffected (e.g. "search first"). */
  articleStates?: readonly KbState[];
  authorId?: string;
  teamId?: string;
  /** createdAt >= from */
  from?: Date;
  /** createdAt < to */
  to?: Date;
}

export interface SearchQuery {
  text: string;
  filters?: SearchFilters;
  /** 1-based. */
  page?: number;
  pageSize?: number;
  /** Build highlighted snippets (needs the stored text of each hit on the page). */
  snippets?: boolean;
}

export interface SearchHit {
  type: SearchDocType;
  id: string;
  url: string;
  kind: SearchKind;
  title: string;
  /** HTML: escaped title with <mark> around matched words. */
  titleHtml: string;
  /** HTML: escaped excerpt with <mark> around matched words ('' when not asked for). */
  snippetHtml: string;
  kbState: KbState | null;
  topics: string[];
  authorId: string | null;
  authorName: string | null;
  teamId: string | null;
  createdAt: Date;
  updatedAt: Date;
  score: number;
  relevance: number;
  /** What the result shows of its document now (see SearchSource.facts). */
  facts: HitFact[];
}

export interface SearchResults {
  query: string;
  /** Words the query was reduced to after stop words (for "searched for …"). */
  terms: string[];
  /** True when no document had every word and documents with some of them are shown. */
  relaxed: boolean;
  total: number;
  /** Matches per kind under every filter except the kind filter. */
  counts: Record<SearchKind, number>;
  page: number;
  pageSize: number;
  hasNext: boolean;
  hits: SearchHit[];
  tookMs: number;
  /** Where the time went: catching up with the log, fetching posting lists, ranking, snippets. */
  timings: { syncMs: number; postingsMs: number; rankMs: number; snippetsMs: number };
}
