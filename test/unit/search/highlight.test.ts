import { expect } from 'chai';
import { termsOfWord } from '../../../server/search/analysis.ts';
import {
  escapeHtml,
  highlightAll,
  highlightParts,
  snippet,
  wordMatcher,
} from '../../../server/search/highlight.ts';

const matcherFor = (words: string[], prefixes: string[] = []) =>
  wordMatcher(new Set(words.flatMap((w) => termsOfWord(w))), prefixes);

describe('search highlighting', () => {
  it('escapes the text before marking matched words', () => {
    const html = highlightAll('<script>alert("fattura")</script> & fatture', matcherFor(['fattura']));
    expect(html).to.equal(
      '&lt;script&gt;alert(&quot;<mark>fattura</mark>&quot;)&lt;/script&gt; &amp; <mark>fatture</mark>',
    );
    expect(html).to.not.include('<script');
    expect(escapeHtml(`'"=\``)).to.equal('&#39;&quot;&#61;&#96;');
  });

  it('marks every form of a matched word and words starting with the typed prefix', () => {
    const html = highlightAll('Fatturazione, fatture e rimborsi', matcherFor(['fattura'], ['rimb']));
    expect(html).to.equal('<mark>Fatturazione</mark>, <mark>fatture</mark> e <mark>rimborsi</mark>');
    expect(highlightAll('Customer billed twice', matcherFor(['billing']))).to.equal(
      'Customer <mark>billed</mark> twice',
    );
  });

  it('cuts a title into plain and marked parts for the client script', () => {
    expect(highlightParts('Modem <rosso> fisso', matcherFor(['modem']))).to.deep.equal([
      { text: 'Modem', mark: true },
      { text: ' <rosso> fisso', mark: false },
    ]);
  });

  it('picks the passage with the matched words, with ellipses where the text was cut', () => {
    const filler = Array.from({ length: 60 }, (_, i) => `parola${i}`).join(' ');
    const text = `${filler} il rimborso della bolletta arriva in dieci giorni ${filler}`;
    const html = snippet([undefined, '', text], matcherFor(['rimborso', 'bolletta']), 20);
    expect(html.startsWith('… ')).to.equal(true);
    expect(html.endsWith(' …')).to.equal(true);
    expect(html).to.include('<mark>rimborso</mark> della <mark>bolletta</mark>');
    // No match: the start of the first text.
    expect(snippet(['Primo testo breve.'], matcherFor(['modem']))).to.equal('Primo testo breve.');
    // The text with more matched words wins.
    expect(snippet(['solo modem', 'modem e router'], matcherFor(['modem', 'router']))).to.equal(
      '<mark>modem</mark> e <mark>router</mark>',
    );
  });
});
