import { expect } from 'chai';
import { OrderedIndex, type SortKey } from '../../../server/db/embedded/ordered-index.ts';

interface Doc {
  id: string;
  at: number;
  score: number;
  parts: string[];
}

/** A small deterministic random source, so a failure can be replayed. */
function random(seed: number) {
  let s = seed;
  return () => {
    s = (s * 1_103_515_245 + 12_345) % 2_147_483_648;
    return s / 2_147_483_648;
  };
}

const idOf = (n: number) => n.toString(16).padStart(24, '0');

/** What a sort of every document would give: descending on [at, score], then id. */
function expected(
  docs: Map<string, Doc>,
  parts: string[],
  after?: SortKey,
  limit = Number.POSITIVE_INFINITY,
) {
  const key = (d: Doc): SortKey => [d.at, d.score, d.id];
  const cmp = (a: SortKey, b: SortKey) =>
    (b[0] as number) - (a[0] as number) ||
    (b[1] as number) - (a[1] as number) ||
    (a[2] === b[2] ? 0 : (a[2] as string) < (b[2] as string) ? 1 : -1);
  return [...docs.values()]
    .filter((d) => d.parts.some((p) => parts.includes(p)))
    .filter((d) => !after || cmp(key(d), after) > 0)
    .sort((a, b) => cmp(key(a), key(b)))
    .slice(0, limit)
    .map((d) => d.id);
}

describe('ordered index (embedded adapter)', () => {
  for (const buildAfter of [0, 150, 400]) {
    it(`pages every partition and union like a full sort, with ${buildAfter} writes before the first read`, () => {
      const rnd = random(7 + buildAfter);
      const index = new OrderedIndex<Doc>({
        partitions: (d) => d.parts,
        sortKey: (d) => [d.at, d.score, d.id],
      });
      const docs = new Map<string, Doc>();
      const check = () => {
        for (const parts of [['all'], ['p0'], ['p1', 'p2'], ['p3', 'p0', 'p4'], ['none']]) {
          const all = expected(docs, parts);
          // Page by page with a cursor, 7 at a time: the same order, each document once.
          const paged: string[] = [];
          let after: SortKey | undefined;
          for (;;) {
            const page = index.page(parts, { after, limit: 7 });
            paged.push(...page.map((d) => d.id));
            if (page.length < 7) break;
            const last = page[page.length - 1]!;
            after = [last.at, last.score, last.id];
          }
          expect(paged, parts.join('+')).to.deep.equal(all);
        }
        expect(index.size('all')).to.equal([...docs.values()].filter((d) => d.parts.includes('all')).length);
        expect(index.count('p0', (d) => d.score > 5)).to.equal(
          [...docs.values()].filter((d) => d.parts.includes('p0') && d.score > 5).length,
        );
      };
      for (let step = 0; step < 500; step++) {
        if (step === buildAfter) check();
        const id = idOf(Math.floor(rnd() * 120));
        if (rnd() < 0.2) {
          index.set(id, undefined);
          docs.delete(id);
          continue;
        }
        // Ties on purpose: few distinct times and scores.
        const parts = ['p0', 'p1', 'p2', 'p3', 'p4'].filter(() => rnd() < 0.4);
        if (rnd() < 0.8) parts.push('all');
        const doc = { id, at: Math.floor(rnd() * 10), score: Math.floor(rnd() * 10), parts };
        index.set(id, doc);
        if (parts.length) docs.set(id, doc);
        else docs.delete(id);
      }
      check();
    });
  }

  it('stops at a window and filters without losing the order', () => {
    const index = new OrderedIndex<Doc>({
      partitions: (d) => d.parts,
      sortKey: (d) => [d.at, d.score, d.id],
    });
    for (let i = 0; i < 50; i++) index.set(idOf(i), { id: idOf(i), at: i, score: i % 3, parts: ['all'] });
    const page = index.page(['all'], {
      limit: 100,
      until: (k) => (k[0] as number) < 40,
      where: (d) => d.score === 0,
    });
    expect(page.map((d) => d.at)).to.deep.equal([48, 45, 42]);
  });
});
