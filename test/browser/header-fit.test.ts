import { expect } from 'chai';
import { type DemoRole, useBrowserApp } from '../helpers/browser.ts';

describe('the header on a laptop screen', function () {
  this.timeout(90_000);
  const app = useBrowserApp();

  it('keeps every section of every role on one row at 1366 px, in Italian and English', async () => {
    const roles: DemoRole[] = [
      'admin',
      'leadAndKnowledgeManager',
      'teamLead',
      'knowledgeManager',
      'operator',
    ];
    for (const as of roles) {
      for (const lang of ['it', 'en'] as const) {
        const page = await app.newPage({ as, lang, viewport: { width: 1366, height: 800 } });
        await page.goto(app.url('/'));
        const tops = await page.$$eval('.main-nav li', (items) =>
          items.map((li) => Math.round(li.getBoundingClientRect().top)),
        );
        expect(tops.length, `${as} ${lang}: sections`).to.be.at.least(6);
        expect(new Set(tops).size, `${as} ${lang}: rows of sections`).to.equal(1);
        await page.context().close();
      }
    }
  });
});
