import { expect } from 'chai';
import {
  checkAccessibility,
  horizontalOverflow,
  saveScreenshot,
  useBrowserApp,
  VIEWPORTS,
} from '../helpers/browser.ts';

describe('journey: search that forgives a typo, and synonyms a knowledge manager declares', function () {
  this.timeout(120_000);
  const app = useBrowserApp();

  it('finds the SDD article from a typo, then from a synonym once Giulia declares it', async () => {
    const sara = await app.newPage({ as: 'operator', lang: 'it' });
    await sara.goto(app.url('/'));
    await sara.locator('#header-search-q').fill('doppio addebbito');
    await sara.locator('#header-search-q').press('Enter');
    await sara.waitForURL(/\/search\?/);
    const results = sara.locator('main');
    expect(await results.textContent()).to.include(
      'Doppio addebito dopo il passaggio all’addebito diretto SDD',
    );
    await saveScreenshot(sara, 'search-typo-it');

    // "domiciliazione" is not in the article: nothing, until it is declared a synonym of SDD.
    await sara.goto(app.url('/search?q=domiciliazione'));
    expect(await sara.locator('main').textContent()).not.to.include('Doppio addebito dopo il passaggio');

    const giulia = await app.newPage({ as: 'knowledgeManager', lang: 'it' });
    await giulia.goto(app.url('/kb/queue'));
    await giulia.getByRole('link', { name: 'Sinonimi della ricerca' }).click();
    await giulia.waitForURL(/\/search\/synonyms$/);
    await checkAccessibility(giulia, 'synonyms page (it)');
    await giulia.getByLabel('Gruppi di sinonimi').fill('SDD, RID, domiciliazione');
    await giulia.getByRole('button', { name: 'Salva i sinonimi' }).click();
    await giulia.waitForURL(/\/search\/synonyms$/);
    expect(await giulia.getByRole('status').first().textContent()).to.include('Sinonimi salvati');
    await saveScreenshot(giulia, 'search-synonyms-it');

    await sara.goto(app.url('/search?q=domiciliazione'));
    expect(await sara.locator('main').textContent()).to.include(
      'Doppio addebito dopo il passaggio all’addebito diretto SDD',
    );

    const emma = await app.newPage({ as: 'leadAndKnowledgeManager', lang: 'en', viewport: VIEWPORTS.phone });
    await emma.goto(app.url('/search/synonyms'));
    expect(await emma.getByLabel('Groups of synonyms').inputValue()).to.equal('SDD, RID, domiciliazione');
    expect(await horizontalOverflow(emma)).to.deep.equal([]);
    await checkAccessibility(emma, 'synonyms page (en, phone)');
    await saveScreenshot(emma, 'search-synonyms-phone-en');
  });
});
