import { expect } from 'chai';
import type { HelperOptions } from 'handlebars';
import type { AssetManifest } from '../../../server/core/assets.ts';
import { createViewHelpers, relativeTime } from '../../../server/core/view-helpers.ts';

const helpers = createViewHelpers({} as AssetManifest);
const page = (lang: 'it' | 'en', hash: Record<string, unknown> = {}) =>
  ({ data: { root: { lang } }, hash }) as unknown as HelperOptions;

describe('dates and numbers in the page language', () => {
  const date = new Date('2026-11-23T13:05:00Z');

  it('write dates the Italian way and, in English, day first as in Europe', () => {
    expect(helpers.formatDate(date, page('it', { style: 'long' }))).to.equal('23 novembre 2026');
    expect(helpers.formatDate(date, page('en', { style: 'long' }))).to.equal('23 November 2026');
    expect(helpers.formatDate(date, page('it'))).to.equal('23 nov 2026');
    expect(helpers.formatDate(date, page('en'))).to.equal('23 Nov 2026');
  });

  it('write times on a 24-hour clock in both languages', () => {
    const it = helpers.formatDateTime(date, page('it'));
    const en = helpers.formatDateTime(date, page('en'));
    expect(it).to.match(/^23 nov 2026, \d{2}:05$/);
    expect(en).to.match(/^23 Nov 2026, \d{2}:05$/);
  });

  it('group thousands and mark decimals per language', () => {
    expect(helpers.formatNumber(12345.5, page('it'))).to.equal('12.345,5');
    expect(helpers.formatNumber(12345.5, page('en'))).to.equal('12,345.5');
  });

  it('say how long ago in words', () => {
    const now = date.getTime();
    expect(relativeTime(new Date(now - 3 * 3600_000), 'it', now)).to.equal('3 ore fa');
    expect(relativeTime(new Date(now - 3 * 3600_000), 'en', now)).to.equal('3 hours ago');
    expect(relativeTime(new Date(now - 86_400_000), 'it', now)).to.equal('ieri');
    expect(relativeTime(new Date(now - 86_400_000), 'en', now)).to.equal('yesterday');
  });
});

describe('counts in messages', () => {
  it('take the singular or the plural form', async () => {
    const { createI18n } = await import('../../../server/core/i18n.ts');
    const { TooManyRequestsError } = await import('../../../server/core/errors.ts');
    const i18n = await createI18n({ defaultLocale: 'it' });
    const it = i18n.getFixedT('it');
    const en = i18n.getFixedT('en');
    const soon = new TooManyRequestsError(30, 'errors.tooManyRequests.login');
    const later = new TooManyRequestsError(15 * 60, 'errors.tooManyRequests.login');
    expect(it(soon.messageKey, soon.params)).to.include('riprova tra 1 minuto,');
    expect(en(later.messageKey, later.params)).to.include('try again in 15 minutes,');
    expect(it('admin.import.countsValid', { count: 1 })).to.equal('1 riga importabile');
    expect(en('admin.import.confirm', { count: 1 })).to.equal('Import 1 account');
    expect(en('admin.import.confirm', { count: 3 })).to.equal('Import 3 accounts');
    expect(en('teams.notEmpty', { count: 1 })).to.include('still has 1 member:');
  });
});
