import { existsSync } from 'node:fs';
import AxeBuilder from '@axe-core/playwright';
import { expect } from 'chai';
import { type Browser, chromium } from 'playwright-core';
import { useTestApp } from '../../helpers/app.ts';
import { useLiveServer } from '../../helpers/realtime.ts';
import { searchDoc } from '../../helpers/search.ts';
import { signedIn } from '../../helpers/users.ts';

const CHROMIUM = '/usr/bin/chromium';

describe('search in a browser: "search first" while typing, accessibility', function () {
  this.timeout(60_000);
  const t = useTestApp();
  const live = useLiveServer(t);
  let base: string;
  let browser: Browser;

  before(async function () {
    // CI installs Debian's Chromium (.ci/run); without it there is no browser to drive.
    if (!existsSync(CHROMIUM)) this.skip();
    base = live.url;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
    await t.services.search.index(
      searchDoc({ id: 'q1', kind: 'question', title: 'Rimborso della cauzione dopo la disdetta' }),
    );
    await t.services.search.index(
      searchDoc({
        type: 'article',
        id: 'kb1',
        kind: 'article',
        title: 'Rimborso cauzione: quando e come',
        body: 'Entro 30 giorni.',
      }),
    );
  });

  after(async () => {
    await browser?.close();
  });

  async function signedInPage() {
    // Signed in through the real form; the session cookie goes to the browser.
    const { agent } = await signedIn(t, ['operator'], { locale: 'it' });
    const jar = (
      agent as unknown as { jar: { getCookies(o: object): Array<{ name: string; value: string }> } }
    ).jar;
    const cookies = jar.getCookies({ domain: '127.0.0.1', path: '/', secure: false, script: false });
    expect(cookies.map((c) => c.name)).to.include('pp.sid');
    const context = await browser.newContext();
    await context.addCookies(cookies.map((c) => ({ name: c.name, value: c.value, url: base })));
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
    return { page, problems, context };
  }

  it('shows similar questions and articles under a title as it is typed', async () => {
    const { page, problems, context } = await signedInPage();
    await page.goto(`${base}/search/similar`);
    const box = page.locator('#similar-suggestions');
    expect(await box.isHidden()).to.equal(true);
    await page.locator('#similar-q').pressSequentially('rimborso cauz', { delay: 20 });
    await page.locator('#similar-suggestions li').first().waitFor({ timeout: 5000 });
    expect(await box.isVisible()).to.equal(true);
    const items = await page
      .locator('#similar-suggestions li a')
      .evaluateAll((links) => links.map((a) => ({ href: a.getAttribute('href'), html: a.innerHTML })));
    expect(await page.locator('#similar-suggestions li .badge').allTextContents()).to.include('Domanda');
    expect(items.map((i) => i.href).sort()).to.deep.equal(['/articles/kb1', '/posts/q1']);
    expect(items.find((i) => i.href === '/posts/q1')?.html).to.equal(
      '<mark>Rimborso</mark> della <mark>cauzione</mark> dopo la disdetta',
    );
    // Clearing the title hides the box again.
    await page.locator('#similar-q').fill('');
    await page.locator('#similar-q').dispatchEvent('input');
    await box.waitFor({ state: 'hidden', timeout: 5000 });
    expect(problems, 'console errors (CSP, script)').to.deep.equal([]);
    await context.close();
  });

  it('has no serious accessibility problems on the results page', async () => {
    const { page, problems, context } = await signedInPage();
    await page.goto(`${base}/search?q=cauzione`);
    expect(await page.locator('h1').textContent()).to.equal('Cerca');
    expect(await page.locator('.search-hit').count()).to.equal(2);
    const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa']).analyze();
    const serious = results.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
    expect(serious).to.deep.equal([]);
    expect(problems).to.deep.equal([]);
    await context.close();
  });
});
