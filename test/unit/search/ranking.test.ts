import { expect } from 'chai';
import { analyzeQuery, termsOfWord } from '../../../server/search/analysis.ts';
import { canSee, evaluate, planQuery, rankBoost } from '../../../server/search/search.index.ts';
import type { DocMeta, IndexEntry } from '../../../server/search/search.store.ts';
import { buildSegment, SEGMENT_NOW, segmentMeta } from '../../helpers/search.ts';

const NOW = SEGMENT_NOW;
const meta = segmentMeta;
const build = buildSegment;

function run(
  setup: ReturnType<typeof build>,
  text: string,
  options: Partial<Parameters<typeof evaluate>[3]> = {},
) {
  const tokens = planQuery(setup.tail, analyzeQuery(text));
  return evaluate(setup.tail, tokens, setup.postings, {
    filters: {},
    viewer: null,
    offset: 0,
    limit: 10,
    now: NOW,
    ...options,
  });
}

const keys = (result: ReturnType<typeof run>) => result.hits.map((h) => h.meta.key);

describe('search ranking (BM25 and boosts, in memory)', () => {
  it('scores higher weights first, requires every word, and falls back to any word', () => {
    const setup = build([
      [meta('a'), { modem: 1, rosso: 1 }],
      [meta('b'), { modem: 6 }],
      [meta('c'), { router: 3 }],
    ]);
    expect(keys(run(setup, 'modem '))).to.deep.equal(['b', 'a']);
    const both = run(setup, 'modem rosso ');
    expect([keys(both), both.relaxed]).to.deep.equal([['a'], false]);
    const any = run(setup, 'router rosso ');
    expect(any.relaxed).to.equal(true);
    expect(keys(any).sort()).to.deep.equal(['a', 'c']);
    expect(keys(run(setup, 'router rosso ', { minimumMatch: 2 }))).to.deep.equal([]);
    // Repeated evaluations on the reused working arrays give the same answer.
    for (let i = 0; i < 3; i++) expect(keys(run(setup, 'modem '))).to.deep.equal(['b', 'a']);
  });

  it('counts per kind under every filter but the kind, and pages in rank order', () => {
    const docs: Array<[DocMeta, Record<string, number>]> = [];
    for (let i = 0; i < 25; i++)
      docs.push([meta(`d${i}`, { kind: i % 2 ? 'tip' : 'insight', score: i }), { bolletta: 1 }]);
    const setup = build(docs);
    const all = run(setup, 'bolletta ', { limit: 10 });
    expect(all.total).to.equal(25);
    expect(all.counts).to.include({ tip: 12, insight: 13, question: 0 });
    expect(keys(all)[0]).to.equal('d24');
    const tips = run(setup, 'bolletta ', { filters: { kinds: ['tip'] }, offset: 10, limit: 10 });
    expect(tips.total).to.equal(12);
    expect(tips.counts).to.include({ tip: 12, insight: 13 });
    expect(keys(tips)).to.deep.equal(['d3', 'd1']);
  });

  it('leaves out what the viewer may not see, archived articles unless asked, and superseded versions', () => {
    const draft = meta('draft', {
      kind: 'article',
      kbState: 'draft',
      visibility: { roles: ['knowledge_manager'], users: ['u1'] },
    });
    const setup = build([
      [draft, { voltura: 1 }],
      [meta('old', { kind: 'article', kbState: 'archived' }), { voltura: 1 }],
      [meta('pub', { kind: 'article', kbState: 'published' }), { voltura: 1 }],
      [meta('post'), { voltura: 1 }],
    ]);
    expect(keys(run(setup, 'voltura ')).sort()).to.deep.equal(['post', 'pub']);
    const manager = { id: 'x', roles: ['knowledge_manager'] };
    expect(keys(run(setup, 'voltura ', { viewer: manager })).sort()).to.deep.equal(['draft', 'post', 'pub']);
    expect(keys(run(setup, 'voltura ', { viewer: { id: 'u1', roles: ['operator'] } }))).to.include('draft');
    expect(keys(run(setup, 'voltura ', { filters: { kbStates: ['archived'] } }))).to.deep.equal(['old']);
    expect(canSee(draft, null)).to.equal(false);
    // A newer version in the log hides the segment's.
    const entry: IndexEntry = {
      _id: '000000000001',
      op: 'index',
      key: 'post',
      at: new Date(),
      meta: meta('post', { title: 'nuovo' }),
      terms: `${termsOfWord('subentro')[0]} 1`,
    };
    setup.tail.apply(entry);
    expect(keys(run(setup, 'voltura ')).sort()).to.deep.equal(['pub']);
    expect(keys(run(setup, 'subentro '))).to.deep.equal(['post']);
    setup.tail.apply({ _id: '000000000002', op: 'remove', key: 'pub', at: new Date() });
    expect(keys(run(setup, 'voltura '))).to.deep.equal([]);
    expect(setup.tail.documentCount).to.equal(3);
  });

  it('expands the word being typed to the most frequent terms it starts', () => {
    const setup = build([
      [meta('a'), { rimborso: 1 }],
      [meta('b'), { rimborsabile: 1 }],
      [meta('c'), { rima: 1 }],
    ]);
    expect(keys(run(setup, 'rimbo')).sort()).to.deep.equal(['a', 'b']);
    expect(keys(run(setup, 'rimbo '))).to.deep.equal([]);
  });

  it('bounds the boosts: votes, recency and published KB lift, within a factor of 2.5', () => {
    const base = meta('x');
    expect(rankBoost({ ...base, score: 0 }, NOW)).to.be.closeTo(1, 0.01);
    expect(rankBoost({ ...base, score: 10 }, NOW)).to.be.greaterThan(1.2);
    expect(rankBoost({ ...base, updatedAt: NOW }, NOW)).to.be.closeTo(1.2, 0.001);
    expect(rankBoost({ ...base, kind: 'article', kbState: 'published' }, NOW)).to.be.closeTo(1.2, 0.01);
    expect(
      rankBoost({ ...base, score: 1000, updatedAt: NOW, kind: 'article', kbState: 'published' }, NOW),
    ).to.be.lessThan(2.6);
  });
});
