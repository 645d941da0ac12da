import MarkdownIt from 'markdown-it';
import sanitizeHtml from 'sanitize-html';

/** A person mentioned as @handle (the part of their email before the @). */
export interface MentionTarget {
  id: string;
  displayName: string;
}

/** A knowledge-base article referenced as KB-123. */
export interface ArticleReference {
  url: string;
  title: string;
}

export interface RenderContext {
  mentions?: Map<string, MentionTarget>;
  articles?: Map<number, ArticleReference>;
}

const MENTION = /(^|[^\p{L}\p{N}._@/-])@([a-z0-9](?:[a-z0-9._-]{0,62}[a-z0-9])?)/giu;
const ARTICLE_REF = /\bKB-(\d{1,7})\b/g;

const md = new MarkdownIt({ html: false, linkify: true, breaks: true, typographer: false });

type Token = ReturnType<typeof md.parse>[number];

/**
 * Turns @handle and KB-123 in plain text (never inside links or code) into
 * links, when the handle or the article is known.
 */
md.core.ruler.push('passaparola_references', (state) => {
  const env = (state.env ?? {}) as RenderContext;
  for (const block of state.tokens) {
    if (block.type !== 'inline' || !block.children) continue;
    const children: Token[] = [];
    let linkDepth = 0;
    for (const token of block.children) {
      if (token.type === 'link_open') linkDepth++;
      if (token.type === 'link_close') linkDepth--;
      if (token.type !== 'text' || linkDepth > 0) {
        children.push(token);
        continue;
      }
      const text = token.content;
      const pieces: Array<{
        start: number;
        end: number;
        href: string;
        label: string;
        cls: string;
        title?: string;
      }> = [];
      for (const match of text.matchAll(MENTION)) {
        const target = env.mentions?.get((match[2] ?? '').toLowerCase());
        if (!target) continue;
        const start = (match.index ?? 0) + (match[1]?.length ?? 0);
        pieces.push({
          start,
          end: start + 1 + (match[2]?.length ?? 0),
          href: `/people/${target.id}`,
          label: `@${match[2]}`,
          cls: 'mention',
          title: target.displayName,
        });
      }
      for (const match of text.matchAll(ARTICLE_REF)) {
        const ref = env.articles?.get(Number(match[1]));
        if (!ref) continue;
        const start = match.index ?? 0;
        pieces.push({
          start,
          end: start + match[0].length,
          href: ref.url,
          label: match[0],
          cls: 'kb-ref',
          title: ref.title,
        });
      }
      if (pieces.length === 0) {
        children.push(token);
        continue;
      }
      pieces.sort((a, b) => a.start - b.start);
      let at = 0;
      for (const piece of pieces) {
        if (piece.start < at) continue;
        if (piece.start > at) {
          const before = new state.Token('text', '', 0);
          before.content = text.slice(at, piece.start);
          children.push(before);
        }
        const open = new state.Token('link_open', 'a', 1);
        open.attrs = [
          ['href', piece.href],
          ['class', piece.cls],
        ];
        if (piece.title) open.attrs.push(['title', piece.title]);
        const label = new state.Token('text', '', 0);
        label.content = piece.label;
        children.push(open, label, new state.Token('link_close', 'a', -1));
        at = piece.end;
      }
      if (at < text.length) {
        const rest = new state.Token('text', '', 0);
        rest.content = text.slice(at);
        children.push(rest);
      }
    }
    block.children = children;
  }
});

/** Only pictures uploaded to Passaparola may be shown inline. */
const OWN_UPLOAD = /^\/attachments\/[0-9a-f]{24}(?:\/[^?#]*)?$/;

const SANITIZE: sanitizeHtml.IOptions = {
  allowedTags: [
    'p',
    'br',
    'strong',
    'em',
    'del',
    's',
    'code',
    'pre',
    'blockquote',
    'ul',
    'ol',
    'li',
    'a',
    'h3',
    'h4',
    'h5',
    'h6',
    'hr',
    'table',
    'thead',
    'tbody',
    'tr',
    'th',
    'td',
    'img',
  ],
  allowedAttributes: {
    a: ['href', 'title', 'class', 'rel'],
    img: ['src', 'alt', 'title'],
    ol: ['start'],
    th: ['align'],
    td: ['align'],
  },
  allowedClasses: { a: ['mention', 'kb-ref'] },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesByTag: { img: [] },
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard',
  transformTags: {
    // Headings inside content start below the page's own headings.
    h1: 'h3',
    h2: 'h4',
    a: (tagName, attribs) => {
      const internal =
        typeof attribs.href === 'string' && attribs.href.startsWith('/') && !attribs.href.startsWith('//');
      return { tagName, attribs: { ...attribs, rel: internal ? '' : 'noopener nofollow ugc' } };
    },
  },
  exclusiveFilter: (frame) => frame.tag === 'img' && !OWN_UPLOAD.test(frame.attribs.src ?? ''),
};

/** Markdown → safe HTML: no raw HTML, an allow-list sanitizer, outbound links marked. */
export function renderMarkdown(source: string, context: RenderContext = {}): string {
  const html = md.render(source, { ...context });
  return sanitizeHtml(html, SANITIZE).replace(/ rel=""/g, '');
}

/** The plain text of some markdown (for excerpts and search), whitespace collapsed. */
export function markdownToText(source: string): string {
  const parts: string[] = [];
  const walk = (tokens: Token[]) => {
    for (const token of tokens) {
      if (token.children) walk(token.children);
      else if (
        token.type === 'text' ||
        token.type === 'code_inline' ||
        token.type === 'code_block' ||
        token.type === 'fence'
      )
        parts.push(token.content);
      else if (token.type === 'softbreak' || token.type === 'hardbreak') parts.push(' ');
    }
  };
  walk(md.parse(source, {}));
  return parts.join(' ').replace(/\s+/g, ' ').trim();
}

export function excerpt(source: string, length = 220): string {
  const text = markdownToText(source);
  if (text.length <= length) return text;
  const cut = text.slice(0, length);
  const space = cut.lastIndexOf(' ');
  return `${(space > length * 0.6 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

/** The @handles a text mentions, lower-cased, without duplicates (not inside code). */
export function mentionedHandles(source: string): string[] {
  const handles = new Set<string>();
  const walk = (tokens: Token[], inLink: number) => {
    let depth = inLink;
    for (const token of tokens) {
      if (token.type === 'link_open') depth++;
      if (token.type === 'link_close') depth--;
      if (token.children) walk(token.children, depth);
      else if (token.type === 'text' && depth === 0) {
        for (const match of token.content.matchAll(MENTION)) handles.add((match[2] ?? '').toLowerCase());
      }
    }
  };
  walk(md.parse(source, {}), 0);
  return [...handles];
}

/** The KB-123 numbers a text refers to (not inside code or links). */
export function referencedArticles(source: string): number[] {
  const numbers = new Set<number>();
  const walk = (tokens: Token[]) => {
    for (const token of tokens) {
      if (token.children) walk(token.children);
      else if (token.type === 'text')
        for (const match of token.content.matchAll(ARTICLE_REF)) numbers.add(Number(match[1]));
    }
  };
  walk(md.parse(source, {}));
  return [...numbers];
}
