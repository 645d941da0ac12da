import type { Types } from 'mongoose';
import type { KbArticleFields, KbState } from '../../models/kb-article.ts';
import type { KbFeedbackFields, KbFlagFields } from '../../models/kb-feedback.ts';
import type { KbRevisionFields } from '../../models/kb-revision.ts';
import { foldName } from '../../models/user.ts';

/** An article, whole (never mutate one). */
export type KbArticleRow = Readonly<KbArticleFields> & { readonly _id: Types.ObjectId };

/** What the index shows of an article. */
export type KbCardRow = Pick<
  KbArticleRow,
  | '_id'
  | 'number'
  | 'title'
  | 'excerpt'
  | 'topics'
  | 'helpfulCount'
  | 'notHelpfulCount'
  | 'views'
  | 'citationCount'
  | 'updatedAt'
  | 'state'
>;

export type KbFlagRow = Readonly<KbFlagFields> & {
  readonly _id: Types.ObjectId;
  readonly createdAt: Date;
};
export type KbFeedbackRow = Readonly<KbFeedbackFields> & { readonly _id: string };
export type KbRevisionRow = Readonly<KbRevisionFields>;
export interface KbCitationRow {
  readonly _id: string;
  readonly article: Types.ObjectId;
  readonly sourceType: 'post' | 'answer';
  readonly sourceId: Types.ObjectId;
  readonly post: Types.ObjectId;
  readonly by: Types.ObjectId;
  readonly createdAt: Date;
}

export type KbIndexOrder = 'recent' | 'helpful';

/** A page of the index, in domain terms. */
export interface KbIndexSpec {
  state: KbState;
  /** In any of these topics (the caller expands a topic to its subtree). */
  topics?: string[];
  /** Words to find (as typed) in the title, the problem or the resolution, ignoring case. */
  words?: string;
  /** recent: last updated first; helpful: most "helpful" votes first, then last updated. */
  order: KbIndexOrder;
  offset: number;
  limit: number;
}

/** The knowledge base's storage, for what its pages read on every request. */
export interface KbRepo {
  /** A page of the index (ties broken by id, newest first). */
  index(spec: KbIndexSpec): Promise<KbCardRow[]>;
  /** What the index shows of the articles with these ids; missing ones left out. */
  cards(ids: string[]): Promise<KbCardRow[]>;
  /** An article by its number, whole (null: none). */
  byNumber(number: number): Promise<KbArticleRow | null>;
  /** The articles with these numbers, whole (links from content, citations); missing ones left out. */
  byNumbers(numbers: number[]): Promise<KbArticleRow[]>;
  /** Articles in review, whole, waiting longest first (last update, then id). */
  inReview(): Promise<KbArticleRow[]>;
  /** Published articles, whole, whose review date is before `now`, most overdue first. */
  overdue(now: Date): Promise<KbArticleRow[]>;
  /** Open flags, oldest first: all of them, or of one article. */
  openFlags(articleId?: string): Promise<KbFlagRow[]>;
  /** Published articles sharing a topic with an article (not itself), most helpful first. */
  related(articleId: string, topics: string[], limit: number): Promise<KbCardRow[]>;
  /** The newest citations of an article. */
  citations(articleId: string, limit: number): Promise<KbCitationRow[]>;
  /** The citations a post or an answer makes. */
  citationsFrom(sourceType: 'post' | 'answer', sourceId: string): Promise<KbCitationRow[]>;
  /** A reader's feedback on an article (null: none). */
  feedbackOf(articleId: string, userId: string): Promise<KbFeedbackRow | null>;
  /** Every version of an article, newest first (`version` is its current one). */
  revisions(articleId: string, version: number): Promise<KbRevisionRow[]>;
  /** One version of an article (null: none). */
  revision(articleId: string, version: number): Promise<KbRevisionRow | null>;
  /** Published articles, by number (the citation picker). */
  citable(): Promise<Array<{ number: number; title: string }>>;
  /**
   * Published articles matching what is typed after KB- or in the citation
   * picker (see citableMatch): at most `limit`, by number.
   */
  citableMatching(typed: string, limit: number): Promise<Array<{ number: number; title: string }>>;
}

/**
 * Whether an article matches what was typed: digits are the start of its
 * number; words each appear in its folded title (or its number).
 */
export function citableMatch(article: { number: number; title: string }, typed: string): boolean {
  const text = foldText(typed);
  if (!text) return true;
  if (/^\d+$/.test(text)) return String(article.number).startsWith(text);
  const title = `${foldText(article.title)} kb-${article.number}`;
  return text.split(/\s+/).every((word) => title.includes(word));
}

/** Lower case, without accents, spaces collapsed. */
export function foldText(value: string): string {
  return foldName(value).replace(/\s+/g, ' ');
}
