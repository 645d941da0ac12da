import { expect } from 'chai';
import { catalogs, createI18n, fixedT, LOCALES } from '../../../server/core/i18n.ts';

const PLURAL = /_(zero|one|two|few|many|other)$/;

function flatten(obj: Record<string, unknown>, prefix = ''): string[] {
  return Object.entries(obj).flatMap(([key, value]) =>
    value && typeof value === 'object'
      ? flatten(value as Record<string, unknown>, `${prefix}${key}.`)
      : [`${prefix}${key}`],
  );
}

describe('i18n catalogs', () => {
  const keys = Object.fromEntries(LOCALES.map((l) => [l, flatten(catalogs[l])])) as Record<string, string[]>;

  it('have the same keys in Italian and English (plural forms aside)', () => {
    const base = (list: string[]) => new Set(list.map((k) => k.replace(PLURAL, '')));
    const it = base(keys.it!);
    const en = base(keys.en!);
    expect(
      [...it].filter((k) => !en.has(k)),
      'missing in en',
    ).to.deep.equal([]);
    expect(
      [...en].filter((k) => !it.has(k)),
      'missing in it',
    ).to.deep.equal([]);
  });

  it('give every plural key all the forms its language needs', () => {
    for (const locale of LOCALES) {
      const categories = new Intl.PluralRules(locale).resolvedOptions().pluralCategories;
      const plurals = new Set(keys[locale]!.filter((k) => PLURAL.test(k)).map((k) => k.replace(PLURAL, '')));
      for (const base of plurals) {
        for (const category of categories) {
          expect(keys[locale], `${locale}: ${base}_${category}`).to.include(`${base}_${category}`);
        }
      }
    }
  });

  it('have no empty values', () => {
    for (const locale of LOCALES) {
      const empty = keys[locale]!.filter((k) => {
        const value = k
          .split('.')
          .reduce<unknown>((o, part) => (o as Record<string, unknown>)[part], catalogs[locale]);
        return typeof value !== 'string' || value.trim() === '';
      });
      expect(empty, locale).to.deep.equal([]);
    }
  });

  it('pluralise and interpolate per language', async () => {
    const i18n = await createI18n({ defaultLocale: 'it' });
    const it = i18n.getFixedT('it');
    const en = i18n.getFixedT('en');
    expect(it('posts.answers.count', { count: 1 })).to.equal('1 risposta');
    expect(it('posts.answers.count', { count: 3 })).to.equal('3 risposte');
    expect(it('posts.answers.count', { count: 1_000_000 })).to.equal('1000000 di risposte');
    expect(en('posts.answers.count', { count: 1 })).to.equal('1 answer');
    expect(en('posts.answers.count', { count: 7 })).to.equal('7 answers');
    expect(en('errors.notFound.explain', { path: '/x' })).to.include('/x');
  });

  it('leaves HTML escaping to the templates (no double escaping)', async () => {
    const i18n = await createI18n({ defaultLocale: 'en' });
    expect(i18n.getFixedT('en')('errors.notFound.explain', { path: '/a&b' })).to.include('/a&b');
  });

  it('remembers sentences per language without mixing languages, counts or values', async () => {
    const i18n = await createI18n({ defaultLocale: 'it' });
    const it = fixedT(i18n, 'it');
    const en = fixedT(i18n, 'en');
    expect(fixedT(i18n, 'it')).to.equal(it);
    for (let round = 0; round < 2; round++) {
      expect(it('posts.answers.count', { count: 1 })).to.equal('1 risposta');
      expect(it('posts.answers.count', { count: 3 })).to.equal('3 risposte');
      expect(en('posts.answers.count', { count: 1 })).to.equal('1 answer');
      expect(en('posts.answers.count', { count: 3 })).to.equal('3 answers');
      expect(en('errors.notFound.explain', { path: '/x' })).to.include('/x');
      expect(en('errors.notFound.explain', { path: '/y' }))
        .to.include('/y')
        .and.not.include('/x');
    }
    // The same value under another name, or a value that is not plain, is not taken from memory.
    const direct = i18n.getFixedT('en');
    expect(en('errors.notFound.explain', { other: '/x' })).to.equal(
      direct('errors.notFound.explain', { other: '/x' }),
    );
    expect(en('errors.notFound.explain', { path: { toString: () => '/z' } })).to.include('/z');
  });

  it('reports a missing key each time it is asked for, remembered or not', async () => {
    const missing: string[] = [];
    const i18n = await createI18n({ defaultLocale: 'en', onMissingKey: (_l, key) => missing.push(key) });
    const en = fixedT(i18n, 'en');
    expect(en('no.such.key')).to.equal('no.such.key');
    expect(en('no.such.key')).to.equal('no.such.key');
    expect(missing).to.deep.equal(['no.such.key', 'no.such.key']);
  });
});
