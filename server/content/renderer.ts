import { User } from '../../models/user.ts';
import { escapeRegex, op } from '../db/query.ts';
import {
  type ArticleReference,
  type MentionTarget,
  mentionedHandles,
  referencedArticles,
  renderMarkdown,
} from './markdown.ts';

export type ArticleResolver = (numbers: number[]) => Promise<Map<number, ArticleReference>>;

export interface RenderedTexts<K extends string> {
  html: Record<K, string>;
  /** Active people mentioned with @handle in any of the texts. */
  mentions: string[];
  /** KB article numbers cited (KB-123) that exist. */
  citations: number[];
}

/**
 * Renders user markdown with its references resolved: @handle (the part of a
 * colleague's email before the @) links to their profile, KB-123 to the
 * article. The knowledge base registers the article resolver when it starts.
 */
export class ContentRenderer {
  #articles: ArticleResolver | undefined;

  setArticleResolver(resolver: ArticleResolver): void {
    this.#articles = resolver;
  }

  async resolveMentions(handles: string[]): Promise<Map<string, MentionTarget>> {
    const map = new Map<string, MentionTarget>();
    if (handles.length === 0) return map;
    const pattern = `^(${handles.map(escapeRegex).join('|')})@`;
    const users = await User.find(
      { email: op({ $regex: pattern, $options: 'i' }), active: true },
      { email: 1, displayName: 1 },
    ).lean();
    for (const u of users)
      map.set(u.email.split('@')[0]!.toLowerCase(), { id: String(u._id), displayName: u.displayName });
    return map;
  }

  async render<K extends string>(texts: Record<K, string>): Promise<RenderedTexts<K>> {
    const sources = Object.values(texts) as string[];
    const handles = [...new Set(sources.flatMap(mentionedHandles))];
    const numbers = [...new Set(sources.flatMap(referencedArticles))];
    const [mentions, articles] = await Promise.all([
      this.resolveMentions(handles),
      this.#articles && numbers.length
        ? this.#articles(numbers)
        : Promise.resolve(new Map<number, ArticleReference>()),
    ]);
    const html = {} as Record<K, string>;
    for (const key of Object.keys(texts) as K[])
      html[key] = renderMarkdown(texts[key], { mentions, articles });
    return {
      html,
      mentions: [...new Set([...mentions.values()].map((m) => m.id))],
      citations: [...articles.keys()],
    };
  }
}
