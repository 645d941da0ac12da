import { termsOfWord } from '../../server/search/analysis.ts';
import { decodePostings, type Postings, PostingsBuilder } from '../../server/search/postings.ts';
import { Segment, Tail } from '../../server/search/search.index.ts';
import type { DocMeta } from '../../server/search/search.store.ts';
import type { SearchDocument } from '../../server/search/search.types.ts';

let counter = 0;

/** A synthetic search document (a question post unless told otherwise). */
export function searchDoc(overrides: Partial<SearchDocument> = {}): SearchDocument {
  counter++;
  const type = overrides.type ?? 'post';
  const id = overrides.id ?? `doc${counter}${Date.now().toString(36)}`;
  const at = new Date('2026-06-01T10:00:00Z');
  return {
    type,
    id,
    url: `/${type}s/${id}`,
    title: `Documento ${counter}`,
    body: '',
    kind: type === 'answer' ? 'answer' : type === 'article' ? 'article' : 'question',
    topics: [],
    kbState: type === 'article' ? 'published' : null,
    authorId: null,
    teamId: null,
    createdAt: at,
    updatedAt: at,
    score: 0,
    deleted: false,
    visibility: null,
    ...overrides,
  };
}

/** The result links of a search page, in rank order. */
export function hitUrls(html: string): string[] {
  return [...html.matchAll(/<h2 class="hit-title"><a href="([^"]+)">/g)].map((m) => m[1]!);
}

/** The metadata of an in-memory segment's document (a year-old question unless told otherwise). */
export function segmentMeta(key: string, overrides: Partial<DocMeta> = {}): DocMeta {
  return {
    key,
    url: `/x/${key}`,
    title: key,
    kind: 'question',
    kbState: null,
    topics: [],
    authorId: null,
    authorName: null,
    teamId: null,
    createdAt: SEGMENT_NOW - 400 * 86_400_000,
    updatedAt: SEGMENT_NOW - 400 * 86_400_000,
    score: 0,
    visibility: null,
    hash: 'h',
    length: 10,
    rgen: 0,
    version: 'v',
    ...overrides,
  };
}

/** "Now" for in-memory segments. */
export const SEGMENT_NOW = Date.UTC(2026, 10, 1);

/** An in-memory segment and its postings from documents given as (meta, { word: weight }). */
export function buildSegment(docs: Array<[DocMeta, Record<string, number>]>) {
  const builders = new Map<string, PostingsBuilder>();
  docs.forEach(([, words], ord) => {
    for (const [word, weight] of Object.entries(words))
      for (const term of termsOfWord(word)) {
        const b = builders.get(term) ?? new PostingsBuilder();
        b.push(ord, weight);
        builders.set(term, b);
      }
  });
  const postings = new Map<string, Postings>();
  for (const [term, b] of builders) postings.set(term, decodePostings(b.encode(), b.length));
  const segment = new Segment({
    gen: 1,
    fromSeq: 1,
    termPartitions: 1,
    docs: docs.map(([m]) => m),
    vocab: [...builders].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([term, b]) => [term, b.length]),
    cacheLimitBytes: 1e6,
  });
  return { tail: new Tail(segment), postings };
}
