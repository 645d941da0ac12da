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
