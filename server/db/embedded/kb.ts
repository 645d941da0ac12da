import { KbArticle } from '../../../models/kb-article.ts';
import { KbCitation, KbFlag } from '../../../models/kb-feedback.ts';
import { KbRevision, kbRevisionId } from '../../../models/kb-revision.ts';
import type {
  KbArticleRow,
  KbCardRow,
  KbCitationRow,
  KbFlagRow,
  KbIndexSpec,
  KbRepo,
  KbRevisionRow,
} from '../../kb/kb.repo.ts';
import { citableMatch } from '../../kb/kb.repo.ts';
import { CARD_FIELDS, kbById } from '../mongodb/kb.ts';
import { readByIds } from './by-id.ts';
import type { Mirror, MirrorDoc, MirroredCollection } from './mirror.ts';
import { OrderedIndex } from './ordered-index.ts';

const ms = (d: unknown) => (d ? (d instanceof Date ? d.getTime() : new Date(String(d)).getTime()) : 0);
const idOrder = (a: unknown, b: unknown) => (String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0);

/** An article's lists: its state, and its state in each of its topics. */
function partitionsOf(doc: MirrorDoc): string[] {
  const state = String(doc.state);
  return [`state:${state}`, ...((doc.topics as unknown[]) ?? []).map((t) => `topic:${String(t)}:${state}`)];
}

/** Ids of a mirrored collection grouped by one of its fields, kept current. */
function groupBy(collection: MirroredCollection, keyOf: (doc: MirrorDoc) => string | undefined) {
  const groups = new Map<string, Map<string, MirrorDoc>>();
  collection.onChange((id, doc, previous) => {
    const before = previous ? keyOf(previous) : undefined;
    if (before !== undefined) groups.get(before)?.delete(id);
    const after = doc ? keyOf(doc) : undefined;
    if (after === undefined || !doc) return;
    let group = groups.get(after);
    if (!group) {
      group = new Map();
      groups.set(after, group);
    }
    group.set(id, doc);
  });
  return groups;
}

/**
 * The knowledge base on the embedded engine: of every article the fields its
 * lists need (with the problem and resolution texts the index's word search
 * reads) held in memory, in ordered lists per state and per topic for the two
 * orders of the index; flags whole; of citations which article and source each
 * belongs to. Articles, citations and revisions are read by `_id`.
 */
export class EmbeddedKbRepo implements KbRepo {
  readonly #ready: () => Promise<void>;
  readonly #articles: MirroredCollection;
  readonly #flags: MirroredCollection;
  readonly #byNumber = new Map<number, string>();
  readonly #recent = new OrderedIndex<MirrorDoc>({
    partitions: partitionsOf,
    sortKey: (a) => [ms(a.updatedAt), String(a._id)],
  });
  readonly #helpful = new OrderedIndex<MirrorDoc>({
    partitions: partitionsOf,
    sortKey: (a) => [Number(a.helpfulCount ?? 0), ms(a.updatedAt), String(a._id)],
  });
  readonly #citations = new OrderedIndex<MirrorDoc>({
    partitions: (c) => [`article:${String(c.article)}`],
    sortKey: (c) => [ms(c.createdAt), String(c._id)],
  });
  readonly #citationsFrom: Map<string, Map<string, MirrorDoc>>;

  feedbackOf = kbById.feedbackOf;
  revision = kbById.revision;

  constructor(mirror: Mirror) {
    this.#ready = () => mirror.ready();
    this.#articles = mirror.track(KbArticle as never, [
      ...Object.keys(CARD_FIELDS),
      'problem',
      'resolution',
      'reviewBy',
    ]);
    this.#articles.onChange((id, doc, previous) => {
      if (previous) this.#byNumber.delete(Number(previous.number));
      if (doc) this.#byNumber.set(Number(doc.number), id);
      this.#recent.set(id, doc);
      this.#helpful.set(id, doc);
    });
    this.#flags = mirror.track(KbFlag as never);
    const citations = mirror.track(KbCitation as never, ['article', 'sourceType', 'sourceId', 'createdAt']);
    citations.onChange((id, doc) => this.#citations.set(id, doc));
    this.#citationsFrom = groupBy(citations, (c) => `${String(c.sourceType)}:${String(c.sourceId)}`);
  }

  async index(spec: KbIndexSpec): Promise<KbCardRow[]> {
    await this.#ready();
    const index = spec.order === 'helpful' ? this.#helpful : this.#recent;
    const partitions = spec.topics
      ? spec.topics.map((t) => `topic:${t}:${spec.state}`)
      : [`state:${spec.state}`];
    const words = spec.words?.trim().toLowerCase();
    const where = words
      ? (a: MirrorDoc) =>
          ['title', 'problem', 'resolution'].some((f) =>
            String(a[f] ?? '')
              .toLowerCase()
              .includes(words),
          )
      : undefined;
    const rows = index.page(partitions, { where, limit: spec.offset + spec.limit });
    return rows.slice(spec.offset).map(card);
  }

  async cards(ids: string[]): Promise<KbCardRow[]> {
    await this.#ready();
    const out: KbCardRow[] = [];
    for (const id of new Set(ids)) {
      const held = this.#articles.get(id);
      if (held) out.push(card(held));
    }
    return out;
  }

  async byNumber(number: number): Promise<KbArticleRow | null> {
    await this.#ready();
    const id = this.#byNumber.get(number);
    return id ? ((await KbArticle.findById(id).lean()) as unknown as KbArticleRow | null) : null;
  }

  async byNumbers(numbers: number[]): Promise<KbArticleRow[]> {
    await this.#ready();
    const ids = [...new Set(numbers)].map((n) => this.#byNumber.get(n)).filter((id) => id !== undefined);
    return readByIds<KbArticleRow>(KbArticle as never, ids);
  }

  /** Articles of a state held in memory, ordered by one field ascending, then by id. */
  #ascending(state: string, field: string, keep?: (a: MirrorDoc) => boolean): string[] {
    const docs = this.#recent.page([`state:${state}`], { where: keep, limit: Number.MAX_SAFE_INTEGER });
    return docs
      .sort((a, b) => ms(a[field]) - ms(b[field]) || idOrder(a._id, b._id))
      .map((a) => String(a._id));
  }

  async inReview(): Promise<KbArticleRow[]> {
    await this.#ready();
    return readByIds<KbArticleRow>(KbArticle as never, this.#ascending('review', 'updatedAt'));
  }

  async overdue(now: Date): Promise<KbArticleRow[]> {
    await this.#ready();
    const ids = this.#ascending('published', 'reviewBy', (a) => Boolean(a.reviewBy) && ms(a.reviewBy) < +now);
    return readByIds<KbArticleRow>(KbArticle as never, ids);
  }

  async openFlags(articleId?: string): Promise<KbFlagRow[]> {
    await this.#ready();
    const open = [...this.#flags.docs.values()].filter(
      (f) => f.status === 'open' && (articleId === undefined || String(f.article) === articleId),
    );
    return open.sort(
      (a, b) => ms(a.createdAt) - ms(b.createdAt) || idOrder(a._id, b._id),
    ) as unknown as KbFlagRow[];
  }

  async related(articleId: string, topics: string[], limit: number): Promise<KbCardRow[]> {
    await this.#ready();
    if (topics.length === 0) return [];
    return this.#helpful
      .page(
        topics.map((t) => `topic:${t}:published`),
        { where: (a) => String(a._id) !== articleId, limit },
      )
      .map(card);
  }

  async citations(articleId: string, limit: number): Promise<KbCitationRow[]> {
    await this.#ready();
    const ids = this.#citations.page([`article:${articleId}`], { limit }).map((c) => String(c._id));
    return readByIds<KbCitationRow>(KbCitation as never, ids);
  }

  async citationsFrom(sourceType: 'post' | 'answer', sourceId: string): Promise<KbCitationRow[]> {
    await this.#ready();
    const ids = [...(this.#citationsFrom.get(`${sourceType}:${sourceId}`)?.keys() ?? [])];
    return readByIds<KbCitationRow>(KbCitation as never, ids);
  }

  async revisions(articleId: string, version: number): Promise<KbRevisionRow[]> {
    // Versions are numbered 1… and their ids follow from the article's: no list to keep.
    const versions = Array.from({ length: Math.max(0, Math.min(version, 10_000)) }, (_, i) => version - i);
    return readByIds<KbRevisionRow>(
      KbRevision as never,
      versions.map((v) => kbRevisionId(articleId, v)),
    );
  }

  async citable() {
    await this.#ready();
    return this.#recent
      .page(['state:published'], { limit: Number.MAX_SAFE_INTEGER })
      .map((a) => ({ number: Number(a.number), title: String(a.title) }))
      .sort((a, b) => a.number - b.number);
  }

  async citableMatching(typed: string, limit: number) {
    return (await this.citable()).filter((a) => citableMatch(a, typed)).slice(0, limit);
  }
}

/** What the index shows of a held article (a copy without the texts). */
function card(a: MirrorDoc): KbCardRow {
  const out: Record<string, unknown> = { _id: a._id };
  for (const f of Object.keys(CARD_FIELDS)) if (f in a) out[f] = a[f];
  return out as unknown as KbCardRow;
}
