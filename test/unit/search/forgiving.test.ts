import { expect } from 'chai';
import { analyzeQuery } from '../../../server/search/analysis.ts';
import {
  editDistance,
  editsAllowed,
  evaluate,
  FUZZY_FACTOR,
  planQuery,
  type QueryExpansions,
  SYNONYM_FACTOR,
} from '../../../server/search/search.index.ts';
import { parseSynonyms, synonymTable } from '../../../server/search/search.synonyms.ts';
import { buildSegment, SEGMENT_NOW, segmentMeta } from '../../helpers/search.ts';

const NOW = SEGMENT_NOW;

/** A segment of articles, each given as its key and its words (weight 1). */
function build(docs: Array<[string, string[]]>) {
  return buildSegment(
    docs.map(([key, words]) => [
      segmentMeta(key, { kind: 'article', kbState: 'published', createdAt: NOW, updatedAt: NOW }),
      Object.fromEntries(words.map((w) => [w, 1])),
    ]),
  );
}

function search(setup: ReturnType<typeof build>, text: string, expansions: QueryExpansions = {}) {
  const tokens = planQuery(setup.tail, analyzeQuery(text), expansions);
  const result = evaluate(setup.tail, tokens, setup.postings, {
    filters: {},
    viewer: null,
    offset: 0,
    limit: 10,
    now: NOW,
  });
  return { keys: result.hits.map((h) => h.meta.key), tokens };
}

describe('search that forgives: typos, accents, synonyms', () => {
  const setup = build([
    ['addebito', ['addebito', 'respinto', 'banca']],
    ['qualita', ['qualità', 'bolletta', 'doppia']],
    ['rid', ['rid', 'mandato']],
    ['domiciliazione', ['domiciliazione', 'bolletta']],
    ['modem', ['modem', 'rosso']],
  ]);

  it('measures edits with swaps, and gives up past the limit', () => {
    expect(editDistance('addebito', 'addebito', 2)).to.equal(0);
    expect(editDistance('addebbito', 'addebito', 2)).to.equal(1);
    expect(editDistance('addebtio', 'addebito', 2)).to.equal(1);
    expect(editDistance('adebbito', 'addebito', 2)).to.equal(2);
    expect(editDistance('modem', 'router', 2)).to.equal(3);
    expect(editDistance('a', 'abcd', 1)).to.equal(2);
    expect([editsAllowed(4), editsAllowed(5), editsAllowed(7), editsAllowed(8)]).to.deep.equal([0, 1, 1, 2]);
  });

  it('finds "addebito" when "addebbito", "addebtio" or "adebbito" is typed, counting less than the word itself', () => {
    for (const typo of ['addebbito', 'addebbito ', 'addebtio ', 'adebbito ']) {
      const { keys, tokens } = search(setup, typo);
      expect(keys, typo).to.deep.equal(['addebito']);
      expect(
        tokens[0]!.variants.some((v) => v.factor === FUZZY_FACTOR),
        typo,
      ).to.equal(true);
    }
    // A short word is never corrected (one edit makes another word), nor is a word the index has.
    expect(search(setup, 'mdem ').keys).to.deep.equal([]);
    expect(search(setup, 'modem ').tokens[0]!.variants.map((v) => v.factor)).to.deep.equal([1]);
    // Nothing close: nothing found, no guess.
    expect(search(setup, 'zzzzzzzzz ').keys).to.deep.equal([]);
  });

  it('finds accented words without the accent and the other way round', () => {
    expect(search(setup, 'qualita ').keys).to.deep.equal(['qualita']);
    expect(search(setup, 'qualità ').keys).to.deep.equal(['qualita']);
    expect(search(setup, 'domiciliazióne ').keys).to.deep.equal(['domiciliazione']);
  });

  it("finds a synonym's documents too, a little below the word's own", () => {
    const synonyms = synonymTable(parseSynonyms('SDD, RID, domiciliazione\nmodem, router'));
    const { keys, tokens } = search(setup, 'rid ', { synonyms });
    expect(keys).to.deep.equal(['rid', 'domiciliazione']);
    expect(tokens[0]!.variants.filter((v) => v.factor === SYNONYM_FACTOR).length).to.be.greaterThan(0);
    expect(search(setup, 'sdd ', { synonyms }).keys.sort()).to.deep.equal(['domiciliazione', 'rid']);
    expect(search(setup, 'router ', { synonyms }).keys).to.deep.equal(['modem']);
    // Without the table, only the word itself.
    expect(search(setup, 'rid ').keys).to.deep.equal(['rid']);
  });

  it('reads the synonyms form: one group per line, commas, refusing lines that are not groups of words', () => {
    expect(parseSynonyms('SDD, RID ,domiciliazione\n\n  modem;router;modem  \n')).to.deep.equal([
      ['SDD', 'RID', 'domiciliazione'],
      ['modem', 'router'],
    ]);
    const refused = (text: string) => {
      try {
        parseSynonyms(text);
        return null;
      } catch (err) {
        return (err as { fields: Record<string, { params?: Record<string, unknown> }> }).fields.synonyms
          ?.params;
      }
    };
    expect(refused('solo\nSDD, RID\naddebito diretto, SDD\n<script>, x')).to.deep.equal({ lines: '1, 3, 4' });
    expect(refused('SDD, sdd')).to.deep.equal({ lines: '1' });
    expect(refused(Array.from({ length: 301 }, (_, i) => `a${i}, b${i}`).join('\n'))).to.deep.equal({
      max: 300,
    });
  });
});
