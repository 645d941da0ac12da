import { expect } from 'chai';
import { type DemoRole, useBrowserApp, VIEWPORTS } from '../helpers/browser.ts';

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

  it('folds the sections behind a Menu button on a phone, opens them all, and closes on Escape', async () => {
    const page = await app.newPage({ as: 'admin', lang: 'en', viewport: VIEWPORTS.phone });
    await page.goto(app.url('/'));
    const toggle = page.getByRole('button', { name: 'Menu' });
    const nav = page.getByRole('navigation', { name: 'Main navigation' });
    expect(await toggle.isVisible()).to.equal(true);
    expect(await toggle.getAttribute('aria-expanded')).to.equal('false');
    expect(await nav.isVisible()).to.equal(false);

    await toggle.click();
    expect(await toggle.getAttribute('aria-expanded')).to.equal('true');
    // Every section is on the screen, none hidden sideways.
    const width = page.viewportSize()!.width;
    for (const name of ['Topics', 'People', 'Leaderboards', 'Administration']) {
      const box = await nav.getByRole('link', { name }).boundingBox();
      expect(box, name).to.not.equal(null);
      expect(box!.x + box!.width, name).to.be.at.most(width);
    }
    await nav.getByRole('link', { name: 'Topics' }).focus();
    await page.keyboard.press('Escape');
    expect(await nav.isVisible()).to.equal(false);
    expect(await toggle.evaluate((el) => el === document.activeElement)).to.equal(true);

    // On a laptop there is no button: the sections are always there.
    await page.setViewportSize({ width: 1366, height: 800 });
    expect(await toggle.isVisible()).to.equal(false);
    expect(await nav.isVisible()).to.equal(true);
    await page.context().close();
  });
});
