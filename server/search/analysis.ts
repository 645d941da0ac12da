import snowball from 'snowball-stemmers';
import stopword from 'stopword';

/**
 * Language analysis for Italian and English, the same for documents and
 * queries, with no language detection: every word is lower-cased, folded
 * (perché → perche), dropped when it is a stop word of either language, and
 * indexed under its Italian AND its English Snowball stem. So fatturazione /
 * fatture / fattura meet on `fattur`, billing / billed / bills on `bill`, and a
 * query in either language finds documents in either.
 *
 * Change ANALYZER_VERSION whenever the terms a text produces change: the index
 * records the version it was built with and asks for a rebuild when it differs.
 */
export const ANALYZER_VERSION = 1;

/** How much one occurrence in each field counts (BM25F-style field weights). */
export const FIELD_WEIGHTS = { title: 3, problem: 2, body: 1, context: 1 } as const;
export type WeightedField = keyof typeof FIELD_WEIGHTS;

/** Longest word kept; longer runs are codes or garbage. */
const MAX_WORD = 40;
/** Words analysed per field at most (bounded work for very long texts). */
const MAX_WORDS_PER_FIELD = 20_000;
/** Shortest prefix that is expanded while typing. */
export const MIN_PREFIX = 3;
/** Words of a query used at most. */
export const MAX_QUERY_WORDS = 10;

/** Lower case without accents or other combining marks. */
export function fold(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase();
}

const STOP_WORDS: ReadonlySet<string> = new Set(
  [...(stopword.ita ?? []), ...(stopword.eng ?? [])].map((w) => fold(w)),
);

export function isStopWord(folded: string): boolean {
  return STOP_WORDS.has(folded);
}

/** A word of the original text and where it is (for highlighting). */
export interface WordSpan {
  start: number;
  end: number;
  text: string;
}

// Letters and digits, with any combining marks; apostrophes, hyphens and
// punctuation separate words (dell'addebito → dell, addebito).
const WORD = /[\p{L}\p{N}][\p{L}\p{N}\p{M}]*/gu;

export function wordSpans(text: string): WordSpan[] {
  const spans: WordSpan[] = [];
  for (const match of text.matchAll(WORD)) {
    spans.push({ start: match.index, end: match.index + match[0].length, text: match[0] });
  }
  return spans;
}

const italian = snowball.newStemmer('italian');
const english = snowball.newStemmer('english');

// Stemming costs ~30 µs per word; a vocabulary is small, so results are cached.
const termCache = new Map<string, readonly string[]>();
const TERM_CACHE_LIMIT = 200_000;
const NONE: readonly string[] = [];

/**
 * The index terms of one folded word: its Italian and English stems (one term
 * when they agree), the word itself for codes with digits, nothing for stop
 * words and single characters.
 */
export function termsOfFolded(folded: string): readonly string[] {
  const cached = termCache.get(folded);
  if (cached) return cached;
  let terms: readonly string[];
  if (folded.length < 2 || folded.length > MAX_WORD || STOP_WORDS.has(folded)) terms = NONE;
  else if (/\d/.test(folded) || folded.length < 4) terms = [folded];
  else {
    const it = italian.stem(folded);
    const en = english.stem(folded);
    const a = it.length >= 2 ? it : folded;
    const b = en.length >= 2 ? en : folded;
    terms = a === b ? [a] : [a, b];
  }
  if (termCache.size >= TERM_CACHE_LIMIT) termCache.clear();
  termCache.set(folded, terms);
  return terms;
}

export function termsOfWord(word: string): readonly string[] {
  return termsOfFolded(fold(word));
}

export interface AnalyzedText {
  /** term → weighted term frequency (Σ field weight × occurrences). */
  terms: Map<string, number>;
  /** Weighted length: Σ field weight × indexed words. */
  length: number;
}

export type FieldTexts = Partial<Record<WeightedField, string | undefined>>;

/** The weighted terms of a document's text fields. */
export function analyzeFields(fields: FieldTexts): AnalyzedText {
  const terms = new Map<string, number>();
  let length = 0;
  for (const field of Object.keys(FIELD_WEIGHTS) as WeightedField[]) {
    const text = fields[field];
    if (!text) continue;
    const weight = FIELD_WEIGHTS[field];
    let count = 0;
    for (const match of text.matchAll(WORD)) {
      if (++count > MAX_WORDS_PER_FIELD) break;
      const wordTerms = termsOfFolded(fold(match[0]));
      if (wordTerms.length === 0) continue;
      length += weight;
      for (const term of wordTerms) terms.set(term, (terms.get(term) ?? 0) + weight);
    }
  }
  return { terms, length };
}

/** One word of a query: the terms it matches and, for the word being typed, its prefix. */
export interface QueryToken {
  word: string;
  folded: string;
  terms: readonly string[];
  /** Set on the last word while it is being typed: index terms starting with it match too. */
  prefix: string | null;
}

export interface AnalyzedQuery {
  tokens: QueryToken[];
}

/**
 * A query's words. The last word is matched as a prefix too ("fattu" finds
 * fatturazione) unless the text ends with a space or punctuation, which means
 * the word is complete.
 */
export function analyzeQuery(text: string): AnalyzedQuery {
  const spans = wordSpans(text.slice(0, 500));
  const typing = spans.length > 0 && spans[spans.length - 1]!.end === Math.min(text.length, 500);
  const tokens: QueryToken[] = [];
  const seen = new Set<string>();
  spans.forEach((span, i) => {
    const folded = fold(span.text);
    const terms = termsOfFolded(folded);
    const isLast = i === spans.length - 1;
    const prefix =
      isLast && typing && folded.length >= MIN_PREFIX && !STOP_WORDS.has(folded) && folded.length <= MAX_WORD
        ? folded
        : null;
    if (terms.length === 0 && !prefix) return;
    const key = `${terms.join(' ')}|${prefix ?? ''}`;
    if (seen.has(key)) return;
    seen.add(key);
    tokens.push({ word: span.text, folded, terms, prefix });
  });
  return { tokens: tokens.slice(0, MAX_QUERY_WORDS) };
}
