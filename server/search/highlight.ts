import { fold, termsOfFolded, type WordSpan, wordSpans } from './analysis.ts';

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
  '=': '&#61;',
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`=]/g, (c) => ESCAPES[c]!);
}

/** Decides whether a word of a text is one the query matched. */
export type WordMatcher = (word: string) => boolean;

/** Matches words whose terms the query matched, or that start with the word being typed. */
export function wordMatcher(matchedTerms: ReadonlySet<string>, prefixes: readonly string[]): WordMatcher {
  return (word: string) => {
    const folded = fold(word);
    for (const term of termsOfFolded(folded)) if (matchedTerms.has(term)) return true;
    return prefixes.some((p) => folded.startsWith(p));
  };
}

/**
 * Escaped HTML of `text[from, to)` with <mark> around the matched words. Every
 * piece of the original text is escaped before any markup is added.
 */
function markRange(text: string, spans: WordSpan[], hits: boolean[], from: number, to: number): string {
  let html = '';
  let cursor = from;
  spans.forEach((span, i) => {
    if (!hits[i] || span.start < from || span.end > to) return;
    html += escapeHtml(text.slice(cursor, span.start));
    html += `<mark>${escapeHtml(span.text)}</mark>`;
    cursor = span.end;
  });
  return html + escapeHtml(text.slice(cursor, to));
}

/** The whole text, escaped, with matched words marked (titles). */
export function highlightAll(text: string, isMatch: WordMatcher): string {
  const spans = wordSpans(text);
  return markRange(
    text,
    spans,
    spans.map((s) => isMatch(s.text)),
    0,
    text.length,
  );
}

/** The text cut into plain and matched pieces (for clients that build the DOM themselves). */
export function highlightParts(text: string, isMatch: WordMatcher): Array<{ text: string; mark: boolean }> {
  const parts: Array<{ text: string; mark: boolean }> = [];
  let cursor = 0;
  for (const span of wordSpans(text)) {
    if (!isMatch(span.text)) continue;
    if (span.start > cursor) parts.push({ text: text.slice(cursor, span.start), mark: false });
    parts.push({ text: span.text, mark: true });
    cursor = span.end;
  }
  if (cursor < text.length) parts.push({ text: text.slice(cursor), mark: false });
  return parts;
}

/** The window of `size` words holding the most distinct matched words (earliest on ties). */
function densestWindow(
  spans: WordSpan[],
  hits: boolean[],
  size: number,
): { first: number; distinct: number } {
  const inWindow = new Map<string, number>();
  const step = (i: number, delta: number) => {
    if (!hits[i]) return;
    const key = fold(spans[i]!.text);
    const n = (inWindow.get(key) ?? 0) + delta;
    if (n === 0) inWindow.delete(key);
    else inWindow.set(key, n);
  };
  for (let i = 0; i < Math.min(size, spans.length); i++) step(i, 1);
  let best = { first: 0, distinct: inWindow.size };
  for (let first = 1; first + size <= spans.length; first++) {
    step(first - 1, -1);
    step(first + size - 1, 1);
    if (inWindow.size > best.distinct) best = { first, distinct: inWindow.size };
  }
  return best;
}

/**
 * An excerpt of about `maxWords` words around the densest run of matched
 * words among `texts` (earlier texts win ties), escaped and marked. When no
 * word matches, the start of the first non-empty text.
 */
export function snippet(texts: Array<string | undefined>, isMatch: WordMatcher, maxWords = 30): string {
  let best: { text: string; spans: WordSpan[]; hits: boolean[]; first: number; distinct: number } | undefined;
  for (const raw of texts) {
    const text = raw?.trim() ?? '';
    if (!text) continue;
    const spans = wordSpans(text);
    if (spans.length === 0) continue;
    const hits = spans.map((s) => isMatch(s.text));
    const window = densestWindow(spans, hits, maxWords);
    if (!best || window.distinct > best.distinct) best = { text, spans, hits, ...window };
  }
  if (!best) return '';
  const { text, spans, hits } = best;
  let first = best.first;
  // Open a few words before the first matched word, for context.
  const firstHit = hits.indexOf(true, first);
  if (firstHit > first + 3) first = Math.max(0, Math.min(firstHit - 3, spans.length - maxWords));
  const last = Math.min(spans.length, first + maxWords) - 1;
  const from = first === 0 ? 0 : spans[first]!.start;
  const to = last === spans.length - 1 ? text.length : spans[last]!.end;
  const html = markRange(text, spans, hits, from, to).trim();
  return `${from > 0 ? '… ' : ''}${html}${to < text.length ? ' …' : ''}`;
}
