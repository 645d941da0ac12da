import { Types } from 'mongoose';
import { KbArticle } from '../../../models/kb-article.ts';
import { KbCitation, KbFeedback, KbFlag, kbFeedbackId } from '../../../models/kb-feedback.ts';
import { KbRevision, kbRevisionId } from '../../../models/kb-revision.ts';
import type {
  KbArticleRow,
  KbCardRow,
  KbCitationRow,
  KbFeedbackRow,
  KbFlagRow,
  KbIndexSpec,
  KbRepo,
  KbRevisionRow,
} from '../../kb/kb.repo.ts';
import { citableMatch, foldText } from '../../kb/kb.repo.ts';
import { escapeRegex, op } from '../query.ts';

const OBJECT_ID = /^[0-9a-f]{24}$/i;
const oid = (id: string) => new Types.ObjectId(id);
const oids = (ids: string[]) => ids.filter((id) => OBJECT_ID.test(id)).map(oid);

/** What the index shows of an article. */
export const CARD_FIELDS = {
  number: 1,
  title: 1,
  excerpt: 1,
  topics: 1,
  helpfulCount: 1,
  notHelpfulCount: 1,
  views: 1,
  citationCount: 1,
  updatedAt: 1,
  state: 1,
} as const;

/** Reads by `_id` both adapters make (feedback and revisions have deterministic ids). */
export const kbById = {
  async feedbackOf(articleId: string, userId: string): Promise<KbFeedbackRow | null> {
    return (await KbFeedback.findById(kbFeedbackId(articleId, userId)).lean()) as KbFeedbackRow | null;
  },
  async revision(articleId: string, version: number): Promise<KbRevisionRow | null> {
    if (!Number.isInteger(version) || version < 1) return null;
    return (await KbRevision.findById(kbRevisionId(articleId, version)).lean()) as KbRevisionRow | null;
  },
};

/** The knowledge base on MongoDB: indexed queries (see the indexes in models/kb-*.ts). */
export class MongoKbRepo implements KbRepo {
  feedbackOf = kbById.feedbackOf;
  revision = kbById.revision;

  async index(spec: KbIndexSpec): Promise<KbCardRow[]> {
    const filter: Record<string, unknown> = { state: spec.state };
    if (spec.topics) filter.topics = op({ $in: oids(spec.topics) });
    const words = spec.words?.trim();
    if (words) {
      const pattern = escapeRegex(words);
      filter.$or = ['title', 'problem', 'resolution'].map((field) => ({
        [field]: op({ $regex: pattern, $options: 'i' }),
      }));
    }
    const sort: Record<string, 1 | -1> =
      spec.order === 'helpful' ? { helpfulCount: -1, updatedAt: -1, _id: -1 } : { updatedAt: -1, _id: -1 };
    return (await KbArticle.find(filter, CARD_FIELDS)
      .sort(sort)
      .skip(spec.offset)
      .limit(spec.limit)
      .lean()) as unknown as KbCardRow[];
  }

  async cards(ids: string[]): Promise<KbCardRow[]> {
    const wanted = oids([...new Set(ids)]);
    if (wanted.length === 0) return [];
    return (await KbArticle.find({ _id: op({ $in: wanted }) }, CARD_FIELDS).lean()) as unknown as KbCardRow[];
  }

  async byNumber(number: number): Promise<KbArticleRow | null> {
    if (!Number.isSafeInteger(number) || number < 1) return null;
    return (await KbArticle.findOne({ number }).lean()) as unknown as KbArticleRow | null;
  }

  async byNumbers(numbers: number[]): Promise<KbArticleRow[]> {
    const wanted = [...new Set(numbers)].filter((n) => Number.isSafeInteger(n) && n > 0);
    if (wanted.length === 0) return [];
    return (await KbArticle.find({ number: op({ $in: wanted }) }).lean()) as unknown as KbArticleRow[];
  }

  async inReview(): Promise<KbArticleRow[]> {
    return (await KbArticle.find({ state: 'review' })
      .sort({ updatedAt: 1, _id: 1 })
      .lean()) as unknown as KbArticleRow[];
  }

  async overdue(now: Date): Promise<KbArticleRow[]> {
    return (await KbArticle.find({ state: 'published', reviewBy: op({ $lt: now }) })
      .sort({ reviewBy: 1, _id: 1 })
      .lean()) as unknown as KbArticleRow[];
  }

  async openFlags(articleId?: string): Promise<KbFlagRow[]> {
    if (articleId !== undefined && !OBJECT_ID.test(articleId)) return [];
    const filter: Record<string, unknown> = { status: 'open' };
    if (articleId) filter.article = oid(articleId);
    return (await KbFlag.find(filter).sort({ createdAt: 1, _id: 1 }).lean()) as unknown as KbFlagRow[];
  }

  async related(articleId: string, topics: string[], limit: number): Promise<KbCardRow[]> {
    const wanted = oids(topics);
    if (wanted.length === 0 || !OBJECT_ID.test(articleId)) return [];
    return (await KbArticle.find(
      { _id: op({ $ne: oid(articleId) }), topics: op({ $in: wanted }), state: 'published' },
      CARD_FIELDS,
    )
      .sort({ helpfulCount: -1, updatedAt: -1, _id: -1 })
      .limit(limit)
      .lean()) as unknown as KbCardRow[];
  }

  async citations(articleId: string, limit: number): Promise<KbCitationRow[]> {
    if (!OBJECT_ID.test(articleId)) return [];
    return (await KbCitation.find({ article: oid(articleId) })
      .sort({ createdAt: -1, _id: -1 })
      .limit(limit)
      .lean()) as unknown as KbCitationRow[];
  }

  async citationsFrom(sourceType: 'post' | 'answer', sourceId: string): Promise<KbCitationRow[]> {
    if (!OBJECT_ID.test(sourceId)) return [];
    return (await KbCitation.find({
      sourceType,
      sourceId: oid(sourceId),
    }).lean()) as unknown as KbCitationRow[];
  }

  async revisions(articleId: string): Promise<KbRevisionRow[]> {
    if (!OBJECT_ID.test(articleId)) return [];
    return (await KbRevision.find({ article: oid(articleId) })
      .sort({ version: -1 })
      .lean()) as KbRevisionRow[];
  }

  async citable() {
    return (
      await KbArticle.find({ state: 'published' }, { number: 1, title: 1 }).sort({ number: 1 }).lean()
    ).map((a) => ({ number: a.number, title: a.title }));
  }
  async citableMatching(typed: string, limit: number) {
    const text = foldText(typed);
    if (/^\d+$/.test(text)) {
      // Numbers starting with these digits: KB-12 is 12, 120–129, 1200–1299…
      const first = Number(text);
      const ranges: Array<Record<string, unknown>> = [{ number: first }];
      for (let width = 1, from = first * 10; from <= 9_999_999 && width <= 1_000_000; width *= 10, from *= 10)
        ranges.push({ number: op({ $gte: from, $lt: from + width * 10 }) });
      return (
        await KbArticle.find({ state: 'published', $or: ranges }, { number: 1, title: 1 })
          .sort({ number: 1 })
          .limit(limit)
          .lean()
      ).map((a) => ({ number: a.number, title: a.title }));
    }
    // Titles are few enough (published articles) to be matched here, accents folded.
    return (await this.citable()).filter((a) => citableMatch(a, typed)).slice(0, limit);
  }
}
