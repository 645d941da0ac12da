import { expect } from 'chai';
import {
  analyzeFields,
  analyzeQuery,
  FIELD_WEIGHTS,
  fold,
  isStopWord,
  termsOfWord,
  wordSpans,
} from '../../../server/search/analysis.ts';

/** True when two words share at least one index term (they find each other). */
function meet(a: string, b: string): boolean {
  const terms = new Set(termsOfWord(a));
  return termsOfWord(b).some((t) => terms.has(t));
}

describe('search analysis (Italian and English)', () => {
  it('lower-cases and folds accents: perché = perche, CITTÀ = citta', () => {
    expect(fold('Perché')).to.equal('perche');
    expect(fold('CITTÀ')).to.equal('citta');
    expect(fold('velocità più bassa')).to.equal('velocita piu bassa');
    expect(fold('Naïve café')).to.equal('naive cafe');
    expect(termsOfWord('Velocità')).to.deep.equal(termsOfWord('velocita'));
    expect(termsOfWord('ATTIVAZIONE')).to.deep.equal(termsOfWord('attivazione'));
  });

  it('splits words on apostrophes, hyphens and punctuation, keeping codes', () => {
    expect(wordSpans("dell'addebito, e-mail: errore E404!").map((w) => w.text)).to.deep.equal([
      'dell',
      'addebito',
      'e',
      'mail',
      'errore',
      'E404',
    ]);
    expect(termsOfWord('E404')).to.deep.equal(['e404']);
  });

  it('drops Italian and English stop words, accented ones too', () => {
    for (const word of ['il', 'della', 'perché', 'perche', 'più', 'the', 'and', 'which', 'è'])
      expect(termsOfWord(word), word).to.deep.equal([]);
    expect(isStopWord('perche')).to.equal(true);
    expect(isStopWord('bolletta')).to.equal(false);
    const it = analyzeFields({ body: 'Il cliente non trova la bolletta della luce' });
    expect([...it.terms.keys()].sort()).to.deep.equal(
      [...new Set(['cliente', 'trova', 'bolletta', 'luce'].flatMap((w) => termsOfWord(w)))].sort(),
    );
    const en = analyzeFields({ body: 'The customer cannot find the bill of this month' });
    expect(en.terms.has('the')).to.equal(false);
    expect(en.terms.has(termsOfWord('customer')[0]!)).to.equal(true);
  });

  it('stems Italian so that fatturazione, fatture and fattura meet', () => {
    expect(meet('fatturazione', 'fatture')).to.equal(true);
    expect(meet('fattura', 'fatture')).to.equal(true);
    expect(meet('fatturazione', 'fattura')).to.equal(true);
    expect(meet('rimborso', 'rimborsi')).to.equal(true);
    expect(meet('addebito', 'addebiti')).to.equal(true);
    expect(meet('bolletta', 'bollette')).to.equal(true);
    expect(meet('fattura', 'bolletta')).to.equal(false);
  });

  it('stems English so that billing, billed and bills meet', () => {
    expect(meet('billing', 'billed')).to.equal(true);
    expect(meet('bills', 'billing')).to.equal(true);
    expect(meet('refund', 'refunded')).to.equal(true);
    expect(meet('payments', 'payment')).to.equal(true);
    expect(meet('cancelled', 'cancellation')).to.equal(true);
    expect(meet('refund', 'payment')).to.equal(false);
  });

  it('indexes every word under both stemmers, so either language finds either', () => {
    // The Italian stem of fatturazione and its English stem are both terms.
    expect(termsOfWord('fatturazione')).to.have.length(2);
    expect(termsOfWord('fatturazione')).to.include('fattur');
    expect(termsOfWord('billing')).to.include('bill');
    // A word both stemmers agree on is one term.
    expect(termsOfWord('modem')).to.deep.equal(['modem']);
  });

  it('weights the title above the problem and the problem above the body', () => {
    const analyzed = analyzeFields({ title: 'Modem', problem: 'router', body: 'fibra' });
    expect(analyzed.terms.get('modem')).to.equal(FIELD_WEIGHTS.title);
    expect(analyzed.terms.get('router')).to.equal(FIELD_WEIGHTS.problem);
    expect(analyzed.terms.get(termsOfWord('fibra')[0]!)).to.equal(FIELD_WEIGHTS.body);
    expect(FIELD_WEIGHTS.title).to.be.greaterThan(FIELD_WEIGHTS.problem);
    expect(FIELD_WEIGHTS.problem).to.be.greaterThan(FIELD_WEIGHTS.body);
    expect(analyzed.length).to.equal(FIELD_WEIGHTS.title + FIELD_WEIGHTS.problem + FIELD_WEIGHTS.body);
  });

  it('matches the last word as a prefix while it is being typed', () => {
    const typing = analyzeQuery('rimborso fattu');
    expect(typing.tokens.map((t) => t.prefix)).to.deep.equal([null, 'fattu']);
    expect(analyzeQuery('refund bil').tokens[1]?.prefix).to.equal('bil');
    // A trailing space or punctuation closes the word.
    expect(analyzeQuery('rimborso fattura ').tokens[1]?.prefix).to.equal(null);
    expect(analyzeQuery('fattura?').tokens[0]?.prefix).to.equal(null);
    // Too short, or a stop word: no expansion.
    expect(analyzeQuery('modem lu').tokens[1]?.prefix ?? null).to.equal(null);
    expect(analyzeQuery('fattura della').tokens).to.have.length(1);
  });

  it('reduces a query to its meaningful words (stop words only: nothing to search)', () => {
    expect(analyzeQuery('il della the and').tokens).to.deep.equal([]);
    expect(analyzeQuery('la fattura del cliente ').tokens.map((t) => t.word)).to.deep.equal([
      'fattura',
      'cliente',
    ]);
  });
});
