import { existsSync } from 'node:fs';
import AxeBuilder from '@axe-core/playwright';
import { expect } from 'chai';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { useTestApp } from '../../helpers/app.ts';
import { signInLive, useLiveServer } from '../../helpers/realtime.ts';
import { createUser, TEST_PASSWORD } from '../../helpers/users.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** A browser context signed in as a new person (the session cookie from a real sign-in). */
async function signedInContext(
  browser: Browser,
  url: string,
  options: Parameters<typeof createUser>[0] = {},
) {
  const user = await createUser(options);
  const session = await signInLive(url, user.email, TEST_PASSWORD);
  const context = await browser.newContext({ locale: 'en-GB' });
  const sid = /pp\.sid=([^;]+)/.exec(session.cookie)?.[1] ?? '';
  await context.addCookies([{ name: 'pp.sid', value: sid, url }]);
  return { user, session, context };
}

/** Fails the test on any script error or Content-Security-Policy violation in the page. */
function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  return errors;
}

describe('realtime in the browser (public/js/realtime.js)', function () {
  this.timeout(90_000);
  const t = useTestApp();
  const live = useLiveServer(t);
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  before(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`Chromium is needed at ${CHROMIUM} (apt-get install chromium; .ci/run does it)`);
    }
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  });

  after(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
  });

  it("updates B's badge and notifications page live when A acts, resyncing after a server restart", async () => {
    const admin = await createUser({ roles: ['admin'], displayName: 'Alessandra Admin' });
    const adminSession = await signInLive(live.url, admin.email, TEST_PASSWORD);
    const b = await signedInContext(browser, live.url, { locale: 'en', displayName: 'Bea Operator' });
    contexts.push(b.context);
    const page = await b.context.newPage();
    const errors = watchErrors(page);

    // Something B already has, so the list is not empty.
    await t.services.notifications.notify({
      recipientId: b.user.id,
      type: 'mention',
      actorId: admin.id,
      target: { kind: 'post', id: 'p1', title: 'Modem in blocco', url: '/' },
    });
    await page.goto(`${live.url}/notifications`);
    await page.waitForSelector('html[data-realtime="connected"][data-realtime-synced="1"]');
    const badge = page.locator('.notifications-badge');
    expect(await badge.locator('[data-rt-counter]').textContent()).to.equal('1');
    const firstCard = page.locator('[data-rt-feed="notifications"] > li').first();
    // Where the first card is, read in the page in one step: a locator's box can meet the
    // card at the instant a resync replaces it with its fresh copy (null, seen under load).
    const topOfFirstCard = () =>
      page.evaluate(
        () => document.querySelector('[data-rt-feed="notifications"] > li')?.getBoundingClientRect().top,
      );
    await firstCard.waitFor({ state: 'visible' });
    const topBefore = await topOfFirstCard();
    expect(topBefore, 'the first card is laid out').to.be.a('number');

    // A creates a password link for B: B's badge and page learn it without reload.
    const res = await adminSession.post(
      `/admin/users/${b.user.id}/reset-password`,
      {},
      `/admin/users/${b.user.id}`,
    );
    expect(res.status).to.equal(200);
    await page.waitForFunction(
      () => document.querySelector('.notifications-badge [data-rt-counter]')?.textContent === '2',
    );
    const banner = page.locator('[data-rt-banner="notifications"]');
    await banner.waitFor({ state: 'visible' });
    expect(await banner.textContent()).to.equal('1 new notification — show');
    // The banner floats: the list did not move.
    expect(await topOfFirstCard()).to.equal(topBefore);
    expect(await page.locator('[data-rt-feed="notifications"] > li').count()).to.equal(1);

    await banner.click();
    await page.waitForFunction(
      () => document.querySelectorAll('[data-rt-feed="notifications"] > li').length === 2,
    );
    expect(await firstCard.textContent()).to.include('Alessandra Admin created a link to set a new password');
    expect(await banner.isHidden()).to.equal(true);

    // Marking all read in another tab empties the badge here.
    const other = await b.context.newPage();
    await other.goto(`${live.url}/notifications`);
    await other.getByRole('button', { name: 'Mark all read' }).click();
    await other.waitForURL(/\/notifications$/);
    await badge.waitFor({ state: 'hidden' });

    // The server restarts; meanwhile someone answers B. The page reconnects and resyncs.
    await live.restart(async () => {
      await page.waitForSelector('html[data-realtime="offline"]');
      await t.services.notifications.notify({
        recipientId: b.user.id,
        type: 'answer',
        actorId: admin.id,
        target: { kind: 'post', id: 'p2', title: 'Fattura non arrivata', url: '/' },
      });
    });
    await page.waitForSelector('html[data-realtime="connected"][data-realtime-synced="2"]', {
      timeout: 20_000,
    });
    await badge.waitFor({ state: 'visible' });
    expect(await badge.locator('[data-rt-counter]').textContent()).to.equal('1');
    await banner.waitFor({ state: 'visible' });
    await banner.click();
    await page.waitForFunction(
      () => document.querySelectorAll('[data-rt-feed="notifications"] > li').length === 3,
    );
    expect(await firstCard.textContent()).to.include('answered your question «Fattura non arrivata»');

    expect(errors).to.deep.equal([]);
  });

  it('ends live updates when the person signs out in another tab', async () => {
    const b = await signedInContext(browser, live.url);
    contexts.push(b.context);
    const page = await b.context.newPage();
    await page.goto(`${live.url}/`);
    await page.waitForSelector('html[data-realtime="connected"]');
    const other = await b.context.newPage();
    await other.goto(`${live.url}/`);
    await other.locator('.account-menu summary').click();
    await other.getByRole('button', { name: /Esci|Sign out/ }).click();
    await page.waitForSelector('html[data-realtime="ended"]');
  });

  it('does not connect for visitors who are not signed in, and pages work without JavaScript', async () => {
    const anonymous = await browser.newContext();
    contexts.push(anonymous);
    const page = await anonymous.newPage();
    await page.goto(`${live.url}/login`);
    expect(await page.locator('[data-rt-client]').count()).to.equal(0);
    expect(await page.evaluate(() => document.documentElement.dataset.realtime ?? 'none')).to.equal('none');

    const b = await signedInContext(browser, live.url, { locale: 'en' });
    await b.context.close();
    const noScript = await browser.newContext({ javaScriptEnabled: false, locale: 'en-GB' });
    contexts.push(noScript);
    await noScript.addCookies([
      { name: 'pp.sid', value: /pp\.sid=([^;]+)/.exec(b.session.cookie)![1]!, url: live.url },
    ]);
    await t.services.notifications.notify({
      recipientId: b.user.id,
      type: 'comment',
      actorId: null,
      target: { kind: 'post', id: 'p3', title: 'Roaming', url: '/people' },
    });
    const plain = await noScript.newPage();
    await plain.goto(`${live.url}/notifications`);
    expect(await plain.locator('.notifications-badge [data-rt-counter]').textContent()).to.equal('1');
    await Promise.all([plain.waitForNavigation(), plain.getByRole('button', { name: 'Mark read' }).click()]);
    expect(plain.url(), await plain.content()).to.equal(`${live.url}/notifications`);
    expect(await plain.locator('.notifications-badge').isHidden()).to.equal(true);
  });

  it('has accessible notification pages, the live banner included', async () => {
    const b = await signedInContext(browser, live.url, { locale: 'en' });
    contexts.push(b.context);
    const page = await b.context.newPage();
    await page.goto(`${live.url}/notifications`);
    await page.waitForSelector('html[data-realtime="connected"][data-realtime-synced="1"]');
    await t.services.notifications.notify({
      recipientId: b.user.id,
      type: 'award',
      variant: 'badge',
      actorId: null,
      target: {
        kind: 'badge',
        id: 'first-accepted',
        title: { it: 'Prima risposta accettata', en: 'First accepted answer' },
        url: '/',
      },
    });
    await page.locator('[data-rt-banner="notifications"]').waitFor({ state: 'visible' });
    for (const path of [null, '/settings/notifications']) {
      if (path) await page.goto(`${live.url}${path}`);
      // The profile link of the header is identity's (its label differs from its text), checked there.
      const { violations } = await new AxeBuilder({ page }).exclude('.user-chip').analyze();
      expect(
        violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
        path ?? '/notifications',
      ).to.deep.equal([]);
    }
  });
});
