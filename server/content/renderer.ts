import { handleOf, type UsersRepo } from '../users/users.repo.ts';
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
  readonly #users: UsersRepo;
  #articles: ArticleResolver | undefined;

  constructor(users: UsersRepo) {
    this.#users = users;
  }

  setArticleResolver(resolver: ArticleResolver): void {
    this.#articles = resolver;
  }

  async resolveMentions(handles: string[]): Promise<Map<string, MentionTarget>> {
    const map = new Map<string, MentionTarget>();
    if (handles.length === 0) return map;
    for (const person of await this.#users.activeByHandles(handles))
      map.set(handleOf(person.email), { id: person.id, displayName: person.displayName });
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
