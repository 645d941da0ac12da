import { expect } from 'chai';
import { Types } from 'mongoose';
import { KbArticle, type KbState } from '../../../models/kb-article.ts';
import { KbCitation, KbFeedback, KbFlag, kbCitationId, kbFeedbackId } from '../../../models/kb-feedback.ts';
import { KbRevision, kbRevisionId } from '../../../models/kb-revision.ts';
import { createRepositories, type Repositories } from '../../../server/db/repositories.ts';
import { useTestApp } from '../../helpers/app.ts';
import { testStorageAdapter } from '../../helpers/engine.ts';

const oid = () => new Types.ObjectId();
const T0 = Date.parse('2026-06-01T00:00:00Z');

interface Spec {
  number: number;
  state?: KbState;
  topics?: Types.ObjectId[];
  helpful?: number;
  minutes?: number;
  title?: string;
  problem?: string;
  resolution?: string;
  reviewBy?: Date | null;
}

async function article(spec: Spec) {
  const doc = new KbArticle({
    number: spec.number,
    title: spec.title ?? `Articolo di prova ${spec.number}`,
    problem: spec.problem ?? 'Problema',
    resolution: spec.resolution ?? 'Soluzione',
    topics: spec.topics ?? [],
    state: spec.state ?? 'published',
    createdBy: oid(),
    helpfulCount: spec.helpful ?? 0,
    reviewBy: spec.reviewBy ?? null,
    createdAt: new Date(T0),
    updatedAt: new Date(T0 + (spec.minutes ?? 0) * 60_000),
  });
  await doc.save({ timestamps: false });
  return doc;
}

describe('knowledge base repository (contract)', () => {
  useTestApp();
  let repos: Repositories;
  const topicA = oid();
  const topicB = oid();
  const ids = new Map<number, string>();
  const numbersOf = (rows: Array<{ number: number }>) => rows.map((r) => r.number);

  before(async () => {
    repos = createRepositories(testStorageAdapter());
    const specs: Spec[] = [
      // Four updated at the same minute (ties broken by id, newest first).
      { number: 1, topics: [topicA], helpful: 3, minutes: 10, title: 'Bolletta doppia: rimborso' },
      { number: 2, topics: [topicA], helpful: 3, minutes: 10, problem: 'Il cliente vede DUE addebiti' },
      { number: 3, topics: [topicB], helpful: 0, minutes: 10, resolution: 'Aprire il rimborso (a.b)' },
      { number: 4, topics: [topicA, topicB], helpful: 7, minutes: 10 },
      { number: 5, topics: [topicB], helpful: 1, minutes: 20 },
      { number: 6, topics: [topicA], helpful: 9, minutes: 5, state: 'archived' },
      { number: 7, topics: [topicA], minutes: 30, state: 'review' },
      { number: 8, topics: [topicA], minutes: 25, state: 'review' },
      { number: 9, topics: [topicB], minutes: 1, reviewBy: new Date(T0 - 86_400_000) },
      { number: 10, minutes: 2, reviewBy: new Date(T0 - 2 * 86_400_000) },
      { number: 11, minutes: 3, reviewBy: new Date(T0 + 365 * 86_400_000) },
    ];
    for (const spec of specs) ids.set(spec.number, String((await article(spec))._id));
  });

  /** The numbers of articles 1–4 (same minute) in id order, newest id first. */
  const tiedByIdDesc = () =>
    [1, 2, 3, 4].sort((a, b) => (ids.get(a)! < ids.get(b)! ? 1 : ids.get(a)! > ids.get(b)! ? -1 : 0));

  it('lists the index last updated first, ties by id, the same across pages', async () => {
    const expected = [5, ...tiedByIdDesc(), 11, 10, 9];
    const all = await repos.kb.index({ state: 'published', order: 'recent', offset: 0, limit: 50 });
    expect(numbersOf(all)).to.deep.equal(expected);
    const paged: number[] = [];
    for (let offset = 0; offset < expected.length + 2; offset += 3) {
      paged.push(
        ...numbersOf(await repos.kb.index({ state: 'published', order: 'recent', offset, limit: 3 })),
      );
    }
    expect(paged).to.deep.equal(expected);
    expect(all[0]).to.include({ number: 5, title: 'Articolo di prova 5', state: 'published' });
    expect(all[0]).to.not.have.property('problem');
  });

  it('orders by helpful votes, then last update, then id', async () => {
    const rows = await repos.kb.index({ state: 'published', order: 'helpful', offset: 0, limit: 50 });
    const tied = tiedByIdDesc().filter((n) => n === 1 || n === 2);
    expect(numbersOf(rows)).to.deep.equal([4, ...tied, 5, 3, 11, 10, 9]);
  });

  it('filters by state, topics and words (any case, taken literally)', async () => {
    const page = (extra: Partial<Parameters<Repositories['kb']['index']>[0]>) =>
      repos.kb
        .index({ state: 'published', order: 'helpful', offset: 0, limit: 50, ...extra })
        .then(numbersOf);
    expect(await page({ state: 'archived' })).to.deep.equal([6]);
    expect(await page({ state: 'draft' })).to.deep.equal([]);
    expect((await page({ topics: [String(topicA)] })).sort()).to.deep.equal([1, 2, 4]);
    expect((await page({ topics: [String(topicA), String(topicB)] })).sort((a, b) => a - b)).to.deep.equal([
      1, 2, 3, 4, 5, 9,
    ]);
    expect(await page({ topics: [String(oid())] })).to.deep.equal([]);
    expect(await page({ words: 'bolletta' })).to.deep.equal([1]);
    expect(await page({ words: 'due addebiti' })).to.deep.equal([2]);
    expect(await page({ words: '(A.B)' })).to.deep.equal([3]);
    expect(await page({ words: 'a.b.c' })).to.deep.equal([]);
    expect((await page({ words: 'rimborso' })).sort()).to.deep.equal([1, 3]);
    expect(await page({ words: 'rimborso', topics: [String(topicB)] })).to.deep.equal([3]);
  });

  it('finds articles by number and id; unknown ones are left out', async () => {
    expect((await repos.kb.byNumber(2))?.problem).to.equal('Il cliente vede DUE addebiti');
    expect(await repos.kb.byNumber(999)).to.equal(null);
    expect(await repos.kb.byNumber(0)).to.equal(null);
    expect(numbersOf(await repos.kb.byNumbers([3, 1, 999, 3])).sort()).to.deep.equal([1, 3]);
    expect(await repos.kb.byNumbers([])).to.deep.equal([]);
    const cards = await repos.kb.cards([ids.get(5)!, String(oid()), 'not-an-id']);
    expect(numbersOf(cards)).to.deep.equal([5]);
    expect(await repos.kb.citable()).to.deep.equal(
      [1, 2, 3, 4, 5, 9, 10, 11].map((n) => ({
        number: n,
        title: n === 1 ? 'Bolletta doppia: rimborso' : `Articolo di prova ${n}`,
      })),
    );
  });

  it('lists the queue: in review waiting longest first, overdue most overdue first', async () => {
    expect(numbersOf(await repos.kb.inReview())).to.deep.equal([8, 7]);
    expect(numbersOf(await repos.kb.overdue(new Date(T0)))).to.deep.equal([10, 9]);
    expect(numbersOf(await repos.kb.overdue(new Date(T0 - 1.5 * 86_400_000)))).to.deep.equal([10]);
  });

  it('lists open flags oldest first, all or of one article', async () => {
    const by = oid();
    const flag = (n: number, minutes: number, status = 'open') =>
      new KbFlag({
        article: ids.get(n),
        by,
        kind: 'outdated',
        status,
        createdAt: new Date(T0 + minutes * 60_000),
        updatedAt: new Date(T0 + minutes * 60_000),
      }).save({ timestamps: false });
    await flag(2, 3);
    await flag(1, 1);
    await flag(1, 2, 'fixed');
    await flag(4, 2);
    const numberOf = new Map([...ids].map(([n, id]) => [id, n]));
    const open = await repos.kb.openFlags();
    expect(open.map((f) => numberOf.get(String(f.article)))).to.deep.equal([1, 4, 2]);
    expect((await repos.kb.openFlags(ids.get(1))).map((f) => f.status)).to.deep.equal(['open']);
    expect(await repos.kb.openFlags(ids.get(5))).to.deep.equal([]);
    expect(await repos.kb.openFlags('not-an-id')).to.deep.equal([]);
  });

  it('finds related published articles sharing a topic, most helpful first, never itself', async () => {
    const rows = await repos.kb.related(ids.get(4)!, [String(topicA), String(topicB)], 3);
    const tied = tiedByIdDesc().filter((n) => n === 1 || n === 2);
    expect(numbersOf(rows)).to.deep.equal([...tied, 5]);
    expect(numbersOf(await repos.kb.related(ids.get(1)!, [String(topicA)], 5))).to.deep.equal([4, 2]);
    expect(await repos.kb.related(ids.get(1)!, [], 5)).to.deep.equal([]);
  });

  it('lists citations newest first and those of a source; feedback and versions by id', async () => {
    const articleId = ids.get(3)!;
    const sources = [oid(), oid(), oid()];
    for (const [i, source] of sources.entries()) {
      await new KbCitation({
        _id: kbCitationId(articleId, 'answer', String(source)),
        article: articleId,
        sourceType: 'answer',
        sourceId: source,
        post: oid(),
        by: oid(),
        createdAt: new Date(T0 + i * 1000),
      }).save({ timestamps: false });
    }
    const newest = await repos.kb.citations(articleId, 2);
    expect(newest.map((c) => String(c.sourceId))).to.deep.equal([String(sources[2]), String(sources[1])]);
    expect(await repos.kb.citations(ids.get(5)!, 20)).to.deep.equal([]);
    const from = await repos.kb.citationsFrom('answer', String(sources[0]));
    expect(from.map((c) => String(c.article))).to.deep.equal([articleId]);
    expect(await repos.kb.citationsFrom('post', String(sources[0]))).to.deep.equal([]);

    const reader = String(oid());
    await KbFeedback.create({
      _id: kbFeedbackId(articleId, reader),
      article: articleId,
      user: reader,
      helpful: true,
    });
    expect((await repos.kb.feedbackOf(articleId, reader))?.helpful).to.equal(true);
    expect(await repos.kb.feedbackOf(articleId, String(oid()))).to.equal(null);

    for (const version of [1, 2, 3]) {
      await KbRevision.create({
        _id: kbRevisionId(articleId, version),
        article: articleId,
        version,
        editor: oid(),
        at: new Date(T0 + version),
        snapshot: { title: `v${version}` },
      });
    }
    expect((await repos.kb.revisions(articleId, 3)).map((r) => r.version)).to.deep.equal([3, 2, 1]);
    expect((await repos.kb.revision(articleId, 2))?.snapshot).to.deep.equal({ title: 'v2' });
    expect(await repos.kb.revision(articleId, 9)).to.equal(null);
    expect(await repos.kb.revision(articleId, 0)).to.equal(null);
  });

  it('follows writes: a vote count and a state change move an article in the lists', async () => {
    await KbArticle.updateOne({ _id: ids.get(3) }, { $set: { helpfulCount: 50 } }, { timestamps: false });
    const top = await repos.kb.index({ state: 'published', order: 'helpful', offset: 0, limit: 1 });
    expect(numbersOf(top)).to.deep.equal([3]);
    await KbArticle.updateOne({ _id: ids.get(3) }, { $set: { state: 'archived' } }, { timestamps: false });
    expect(
      numbersOf(await repos.kb.index({ state: 'archived', order: 'recent', offset: 0, limit: 10 })),
    ).to.deep.equal([3, 6]);
  });
});
