import { readdirSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import {
  checkAccessibility,
  horizontalOverflow,
  type Lang,
  openPath,
  type PageSpec,
  saveScreenshot,
  useBrowserApp,
  VIEWPORTS,
} from '../helpers/browser.ts';

/** Every file of test/browser/pages/ lists the pages of one feature. */
const pagesDir = path.join(import.meta.dirname, 'pages');
const specs: PageSpec[] = [];
for (const file of readdirSync(pagesDir).sort()) {
  if (!file.endsWith('.ts')) continue;
  const module = (await import(path.join(pagesDir, file))) as { pages?: PageSpec[] };
  if (!Array.isArray(module.pages)) throw new Error(`test/browser/pages/${file} exports no "pages" list`);
  specs.push(...module.pages);
}
const names = specs.map((s) => s.name);
const duplicate = names.find((name, i) => names.indexOf(name) !== i);
if (duplicate) throw new Error(`Two page specs are named "${duplicate}"`);

/**
 * Every main page, in both languages: the right language and text, no serious
 * or critical axe-core violation at the desktop width, nothing wider than a
 * phone at 390 px, and screenshots: page-<name>-it-desktop.png,
 * page-<name>-it-phone.png and page-<name>-en-desktop.png in
 * test-output/screenshots/.
 */
describe('every main page: accessible, bilingual, responsive', function () {
  this.timeout(60_000);
  const app = useBrowserApp();

  for (const lang of ['it', 'en'] as const) {
    describe(lang === 'it' ? 'in Italian' : 'in English', () => {
      for (const spec of specs) {
        it(`${spec.name}${spec.as ? ` (${spec.as})` : ' (signed out)'}`, () => check(spec, lang));
      }
    });
  }

  async function check(spec: PageSpec, lang: Lang) {
    // One page per person and language, reused: signed-out checks start from no cookies.
    const page = await app.sharedPage({ as: spec.as ?? undefined, lang });
    if (spec.as === null) {
      await page.context().clearCookies();
      await page.context().addCookies([{ name: 'pp.lang', value: lang, url: app.origin }]);
    }
    const cleanup = spec.open
      ? await spec.open(page, app)
      : await openPath(page, app, spec.path ?? '/', spec.status ?? 200);
    try {
      expect(await page.getAttribute('html', 'lang'), 'language of the page').to.equal(lang);
      const main = (await page.locator('main').textContent()) ?? '';
      const shows = spec.shows[lang];
      if (typeof shows === 'string') expect(main, 'text of the page').to.include(shows);
      else expect(main, 'text of the page').to.match(shows);

      await checkAccessibility(page, `${spec.name} (${lang})`, { reportName: `${spec.name}-${lang}` });
      await saveScreenshot(page, `page-${spec.name}-${lang}-desktop`);

      await page.setViewportSize(VIEWPORTS.phone);
      expect(await horizontalOverflow(page), 'elements wider than a phone screen').to.deep.equal([]);
      // Italian, the longer language, is photographed at phone width too (time is short on 2 cores).
      if (lang === 'it') await saveScreenshot(page, `page-${spec.name}-${lang}-phone`);
    } finally {
      await cleanup?.();
    }
  }
});
