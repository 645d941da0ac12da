import { expect } from 'chai';
import { decodePostings, encodePostings, PostingsBuilder } from '../../../server/search/postings.ts';

describe('search posting lists', () => {
  it('round-trip ordinals (small and very large gaps) and weights', () => {
    const ords = [0, 1, 2, 130, 20_000, 2_000_000, 300_000_000];
    const weights = [1, 2, 255, 7, 3, 9, 4];
    const encoded = encodePostings(ords, weights);
    const decoded = decodePostings(encoded, ords.length);
    expect([...decoded.ords]).to.deep.equal(ords);
    expect([...decoded.weights]).to.deep.equal(weights);
    // Dense lists cost about two bytes per document.
    const dense = new PostingsBuilder();
    for (let i = 0; i < 1000; i++) dense.push(i * 3, 2);
    expect(dense.encode().length).to.equal(2000);
  });

  it('clamp weights to 1…255 and refuse unordered ordinals', () => {
    const builder = new PostingsBuilder();
    builder.push(5, 0);
    builder.push(6, 999);
    const decoded = decodePostings(builder.encode(), 2);
    expect([...decoded.weights]).to.deep.equal([1, 255]);
    expect(() => encodePostings([3, 3], [1, 1])).to.throw(/ascending/);
    expect(() => encodePostings([4, 2], [1, 1])).to.throw(/ascending/);
  });
});
