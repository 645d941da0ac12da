/**
 * Browser journeys: Debian's Chromium driven by playwright-core against the
 * real app (createApp, as server/index.ts builds it) listening on a real
 * loopback port, with the demo organisation seeded into a throwaway database
 * of the shared test engine.
 *
 *   describe('my journey', () => {
 *     const app = useBrowserApp();
 *     it('…', async () => {
 *       const page = await app.newPage({ as: 'operator' });
 *       await page.goto(app.url('/'));
 *       await saveScreenshot(page, 'my-journey-home');
 *     });
 *   });
 *
 * One Chromium serves the whole run (launched on first use, closed by the mocha
 * global teardown); every test gets fresh browser contexts, closed after it.
 */
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import axe, { type Result as AxeResult } from 'axe-core';
import getPort from 'get-port';
import {
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  chromium,
  type Locator,
  type Page,
} from 'playwright-core';
import { projectRoot } from '../../server/config.ts';
import { createHttpServer } from '../../server/http-server.ts';
import { attachRealtime, type RealtimeServer } from '../../server/realtime/realtime.server.ts';
import { DEMO_PASSWORD } from '../../server/seed/demo-data.ts';
import { seedDemo } from '../../server/seed/seed.ts';
import { TEST_SESSION_SECRET, type TestApp, type TestAppOptions, useTestApp } from './app.ts';
import { testLogger } from './engine.ts';

/** Where Chromium is; CHROMIUM_PATH points elsewhere (a developer's Chrome, say). */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
/** Set to 1 to skip the browser suites (reported as pending, not passed), e.g. on a machine without Chromium. */
export const SKIP_BROWSER_ENV = 'SKIP_BROWSER_TESTS';

export const SCREENSHOT_DIR = path.join(projectRoot, 'test-output', 'screenshots');
export const A11Y_REPORT_DIR = path.join(projectRoot, 'test-output', 'accessibility');

/** The widths every page is checked at: an agent's desktop and a phone. */
export const VIEWPORTS = {
  desktop: { width: 1440, height: 900 },
  phone: { width: 390, height: 844 },
} as const;

export type Lang = 'it' | 'en';

/** The documented demo logins (README), by the role a journey needs. */
export const DEMO_ACCOUNTS = {
  admin: 'alessandra.ferri@aurora.example',
  knowledgeManager: 'giulia.romano@aurora.example',
  /** Team lead of Fatturazione e Pagamenti. */
  teamLead: 'marco.bianchi@aurora.example',
  /** Team lead and knowledge manager of Assistenza Tecnica. */
  leadAndKnowledgeManager: 'paolo.greco@aurora.example',
  /** Operator of Fatturazione e Pagamenti. */
  operator: 'sara.colombo@aurora.example',
  /** Another operator (Assistenza Tecnica): the colleague of journeys with two people. */
  colleague: 'luca.esposito@aurora.example',
  /** Operator whose saved language is English. */
  englishOperator: 'emma.clarke@aurora.example',
} as const;

export type DemoRole = keyof typeof DEMO_ACCOUNTS;
export type Who = DemoRole | { email: string; password: string };

/**
 * Flags for a machine without a display or network beyond loopback (see the
 * machine notes): without the background-networking ones Chromium keeps trying
 * to reach Google's hosts. playwright's launch() gives every run a fresh,
 * temporary user-data directory and removes it on close.
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

let sharedBrowser: Promise<Browser> | undefined;

/** The run's one Chromium, launched on first use. */
export function launchBrowser(): Promise<Browser> {
  sharedBrowser ??= chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
    timeout: 30_000,
  });
  return sharedBrowser;
}

/** Closes the shared Chromium (mocha's global teardown calls it). */
export async function closeBrowser(): Promise<void> {
  const launched = sharedBrowser;
  sharedBrowser = undefined;
  if (launched) await (await launched.catch(() => undefined))?.close();
}

export interface ContextOptions {
  /** Sign in as this demo role (or account) before returning. */
  as?: Who;
  /** Page language: Accept-Language and the language cookie (a saved choice of the account still wins). */
  lang?: Lang;
  /** Default: the desktop viewport. */
  viewport?: { width: number; height: number };
  /** Anything else playwright accepts. */
  options?: BrowserContextOptions;
}

/** What went wrong in the browser during a test besides its assertions. */
export interface PageProblem {
  kind: 'page error' | 'console error' | 'server error' | 'failed asset';
  text: string;
}

export interface BrowserApp {
  /** The app under test (services, config, events, i18n): set up data or look at it. */
  readonly t: TestApp;
  /** The HTTP server the browser talks to (attach socket.io to it when realtime needs it). */
  readonly server: http.Server;
  /** Origin of the app, e.g. http://127.0.0.1:41234. */
  readonly origin: string;
  /** An absolute URL of a path on the app. */
  url(pathname: string): string;
  /** A new, isolated browser context (its own cookies: one person at one desk). Closed after the test. */
  newContext(options?: ContextOptions): Promise<BrowserContext>;
  /** A page in a new context; `app.newPage({ as: 'colleague' })` is the second person of a live journey. */
  newPage(options?: ContextOptions): Promise<Page>;
  /**
   * A page kept open until the end of the describe, one per (person, language):
   * for read-only passes over many pages, where a new context per test would
   * only cost time. The viewport is reset to the desktop size on each call.
   */
  sharedPage(options?: Pick<ContextOptions, 'as' | 'lang'>): Promise<Page>;
  /** Signs a context in through the real sign-in form's POST (fast: no page is drawn). */
  signIn(context: BrowserContext, who: Who): Promise<void>;
  /** Problems collected so far in this test (and forgets them): page errors, 5xx, failed assets. */
  takeProblems(): PageProblem[];
}

export interface BrowserAppOptions extends TestAppOptions {
  /** Seed the demo organisation (default true). */
  seed?: boolean;
  /**
   * Runs once the server listens, before any test: attach what index.ts attaches
   * to the HTTP server (socket.io), add data. Its cleanup, if returned, runs after.
   */
  setup?: (app: BrowserApp) => Promise<(() => Promise<void>) | undefined> | undefined;
}

function credentials(who: Who): { email: string; password: string } {
  return typeof who === 'string' ? { email: DEMO_ACCOUNTS[who], password: DEMO_PASSWORD } : who;
}

function missingChromiumMessage(): string {
  return [
    `Chromium was not found at ${CHROMIUM_PATH}; the browser tests need it.`,
    'Install it with: sudo apt-get install -y chromium   (Debian/Ubuntu; .ci/run does this)',
    'or point CHROMIUM_PATH at a Chromium or Chrome binary.',
    `To skip the browser tests on this machine, set ${SKIP_BROWSER_ENV}=1 (they are then reported as pending).`,
    'Never download a browser with "npx playwright install".',
  ].join('\n');
}

/**
 * Registers mocha hooks giving the enclosing `describe` the app on a real
 * port (own database, demo seed) and a way to open browser contexts on it.
 */
export function useBrowserApp(options: BrowserAppOptions = {}): BrowserApp {
  const skip = process.env[SKIP_BROWSER_ENV] === '1' || process.env[SKIP_BROWSER_ENV] === 'true';
  if (skip || !existsSync(CHROMIUM_PATH)) {
    before(function () {
      if (skip) this.skip();
      throw new Error(missingChromiumMessage());
    });
    return new Proxy({} as BrowserApp, {
      get: () => {
        throw new Error(missingChromiumMessage());
      },
    });
  }

  const contexts = new Set<BrowserContext>();
  const shared = new Map<string, Promise<Page>>();
  const problems: PageProblem[] = [];
  let server: http.Server | undefined;
  let realtime: RealtimeServer | undefined;
  let origin = '';
  let cleanup: (() => Promise<void>) | undefined;

  // The port is chosen first so that the app's PUBLIC_URL (links it prints,
  // such as one-time password links) points at the server the browser uses.
  let port = 0;
  before(async () => {
    port = await getPort({ host: '127.0.0.1' });
  });
  // Registered before useTestApp's hooks so that it runs first: browsers and
  // server stop before the database goes away under them.
  after(async () => {
    await Promise.all([...contexts].map((c) => c.close().catch(() => {})));
    for (const page of shared.values()) await (await page.catch(() => undefined))?.context().close();
    shared.clear();
    await cleanup?.();
    await realtime?.close();
    if (server) {
      const closing = new Promise<void>((resolve) => server!.close(() => resolve()));
      server.closeAllConnections();
      await closing;
    }
  });
  const t = useTestApp({
    ...options,
    env: () => ({
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      ...(typeof options.env === 'function' ? options.env() : options.env),
    }),
  });

  const watch = (context: BrowserContext) => {
    const watchPage = (page: Page) => {
      page.on('pageerror', (err) =>
        problems.push({ kind: 'page error', text: `${page.url()}: ${err.message}` }),
      );
      page.on('console', (msg) => {
        // A 4xx/5xx document is reported below (and 403/404 pages are expected).
        if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource'))
          problems.push({ kind: 'console error', text: `${page.url()}: ${msg.text()}` });
      });
      page.on('response', (res) => {
        const type = res.request().resourceType();
        if (res.status() >= 500)
          problems.push({ kind: 'server error', text: `${res.status()} ${res.url()}` });
        else if (res.status() >= 400 && type !== 'document' && type !== 'fetch' && type !== 'xhr')
          problems.push({ kind: 'failed asset', text: `${res.status()} ${res.url()}` });
      });
    };
    context.on('page', watchPage);
  };

  const app: BrowserApp = {
    t,
    get server() {
      if (!server) throw new Error('The browser app is not started yet (read it inside tests and hooks).');
      return server;
    },
    get origin() {
      return origin;
    },
    url: (pathname) => new URL(pathname, origin).toString(),
    async newContext(opts = {}) {
      const browser = await launchBrowser();
      const lang = opts.lang;
      const context = await browser.newContext({
        viewport: opts.viewport ?? VIEWPORTS.desktop,
        locale: lang === 'en' ? 'en-GB' : lang === 'it' ? 'it-IT' : undefined,
        timezoneId: 'Europe/Rome',
        reducedMotion: 'reduce',
        ...opts.options,
      });
      context.setDefaultTimeout(10_000);
      context.setDefaultNavigationTimeout(15_000);
      contexts.add(context);
      context.once('close', () => contexts.delete(context));
      watch(context);
      if (lang) await context.addCookies([{ name: 'pp.lang', value: lang, url: origin }]);
      if (opts.as) await app.signIn(context, opts.as);
      return context;
    },
    async newPage(opts = {}) {
      const context = await app.newContext(opts);
      return context.newPage();
    },
    async sharedPage(opts = {}) {
      const key = `${typeof opts.as === 'object' ? opts.as.email : (opts.as ?? 'anonymous')}:${opts.lang ?? ''}`;
      let page = shared.get(key);
      if (!page) {
        page = (async () => {
          const context = await app.newContext(opts);
          contexts.delete(context); // closed after the describe, not after the test
          return context.newPage();
        })();
        shared.set(key, page);
      }
      const ready = await page;
      await ready.setViewportSize(VIEWPORTS.desktop);
      return ready;
    },
    async signIn(context, who) {
      const { email, password } = credentials(who);
      const form = await context.request.get(app.url('/login'));
      const token = /name="_csrf" value="([^"]+)"/.exec(await form.text())?.[1];
      if (!token) throw new Error(`No CSRF token on the sign-in page (status ${form.status()})`);
      const res = await context.request.post(app.url('/login'), {
        form: { _csrf: token, email, password },
        maxRedirects: 0,
      });
      if (res.status() !== 303) {
        throw new Error(
          `Sign-in of ${email} failed with ${res.status()}: ${(await res.text()).slice(0, 300)}`,
        );
      }
    },
    takeProblems() {
      return problems.splice(0, problems.length);
    },
  };

  before(async function () {
    this.timeout(60_000);
    if (options.seed !== false) await seedDemo(t.runtime);
    const listening = createHttpServer(t.app, t.config);
    // Live updates, as server/index.ts attaches them.
    realtime = await attachRealtime({
      server: listening,
      config: t.config,
      logger: testLogger,
      events: t.events,
      services: t.services,
      sessionSecret: TEST_SESSION_SECRET,
    });
    await new Promise<void>((resolve, reject) => {
      listening.once('error', reject);
      listening.listen(port, '127.0.0.1', () => resolve());
    });
    server = listening;
    origin = `http://127.0.0.1:${(listening.address() as AddressInfo).port}`;
    await launchBrowser();
    cleanup = (await options.setup?.(app)) ?? undefined;
  });

  afterEach(async function () {
    await Promise.all([...contexts].map((c) => c.close().catch(() => {})));
    const found = problems.splice(0, problems.length);
    if (found.length > 0 && this.currentTest?.state !== 'failed') {
      throw new Error(
        `The browser met problems during "${this.currentTest?.title}":\n${found
          .map((p) => `  ${p.kind}: ${p.text}`)
          .join('\n')}`,
      );
    }
  });

  return app;
}

// ---------------------------------------------------------------------------
// Screenshots

/**
 * Saves a full-page screenshot as test-output/screenshots/<name>.png. Names are
 * stable and descriptive (`admin-import-preview`, `post-insight-feed-phone`),
 * lower-case words joined by dashes, so a run overwrites the previous one.
 */
export async function saveScreenshot(page: Page, name: string): Promise<string> {
  if (!/^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(name)) {
    throw new Error(`Screenshot name "${name}": use lower-case words joined by dashes.`);
  }
  await fs.mkdir(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true, animations: 'disabled', caret: 'hide' });
  return file;
}

// ---------------------------------------------------------------------------
// Accessibility

export interface A11yOptions {
  /** Impacts that fail the check (default: serious and critical). */
  failOn?: Array<'minor' | 'moderate' | 'serious' | 'critical'>;
  /** Rules to leave out, each with a reason in the calling code. */
  disableRules?: string[];
  /** Also write every violation (any impact) to test-output/accessibility/<name>.json. */
  reportName?: string;
}

/**
 * The axe-core that @axe-core/playwright bundles, evaluated only if the page
 * does not have it yet: AxeBuilder injects its source twice per analysis, and
 * the second time is then nearly free (a third of the check's time).
 */
const GUARDED_AXE_SOURCE = `if (!window.axe) {\n${axe.source}\n}`;

function describeViolation(v: AxeResult): string {
  const nodes = v.nodes
    .slice(0, 5)
    .map(
      (n) =>
        `      ${n.target.join(' ')}${n.failureSummary ? `\n        ${n.failureSummary.replace(/\n/g, '\n        ')}` : ''}`,
    )
    .join('\n');
  return `  [${v.impact}] ${v.id}: ${v.help} (${v.nodes.length} element(s))\n${nodes}`;
}

/** Runs axe-core on the page and throws on every serious or critical violation, explained. */
export async function checkAccessibility(
  page: Page,
  label: string,
  options: A11yOptions = {},
): Promise<AxeResult[]> {
  const failOn = options.failOn ?? ['serious', 'critical'];
  // Legacy mode runs axe in the page itself instead of gathering frame results
  // in an extra blank page: our pages have no frames, and it is twice as fast.
  // Only violations are reported in full: faster than collecting every pass.
  let builder = new AxeBuilder({ page, axeSource: GUARDED_AXE_SOURCE })
    .setLegacyMode(true)
    .options({ resultTypes: ['violations'] });
  if (options.disableRules?.length) builder = builder.disableRules(options.disableRules);
  const results = await builder.analyze();
  if (options.reportName) {
    await fs.mkdir(A11Y_REPORT_DIR, { recursive: true });
    const summary = results.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.map((n) => n.target.join(' ')),
    }));
    await fs.writeFile(
      path.join(A11Y_REPORT_DIR, `${options.reportName}.json`),
      `${JSON.stringify({ url: page.url(), violations: summary }, null, 2)}\n`,
    );
  }
  const failing = results.violations.filter((v) => v.impact && failOn.includes(v.impact));
  if (failing.length > 0) {
    throw new Error(
      `Accessibility violations on ${label} (${page.url()}):\n${failing.map(describeViolation).join('\n')}`,
    );
  }
  return results.violations;
}

// ---------------------------------------------------------------------------
// Layout

/** Elements that stick out of the viewport sideways (the page scrolls horizontally). */
export async function horizontalOverflow(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    if (document.documentElement.scrollWidth <= width) return [];
    const describe = (el: Element) =>
      `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${
        el.classList.length ? `.${[...el.classList].join('.')}` : ''
      } (right edge ${Math.round(el.getBoundingClientRect().right)}px)`;
    const offenders: string[] = [];
    for (const el of document.body.querySelectorAll('*')) {
      // Inside a scroll container (a wide table in .table-wrap) is fine.
      let scroller = el.parentElement;
      let contained = false;
      while (scroller && scroller !== document.body) {
        const overflowX = getComputedStyle(scroller).overflowX;
        if (overflowX === 'auto' || overflowX === 'scroll' || overflowX === 'hidden') {
          contained = true;
          break;
        }
        scroller = scroller.parentElement;
      }
      if (!contained && el.getBoundingClientRect().right > width + 1) offenders.push(describe(el));
    }
    return offenders.length
      ? offenders.slice(0, 10)
      : [`the page is ${document.documentElement.scrollWidth}px wide`];
  });
}

// ---------------------------------------------------------------------------
// Keyboard

export interface FocusedElement {
  tag: string;
  id: string;
  name: string;
  type: string;
  value: string;
  /** Accessible-ish text: label, aria-label or content. */
  text: string;
  /** Whether a focus indicator is drawn (outline or box-shadow). */
  visibleFocus: boolean;
  inViewport: boolean;
}

/** Describes document.activeElement, with whether its focus is visible. */
export async function focusedElement(page: Page): Promise<FocusedElement> {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    if (!el || el === document.body) {
      return {
        tag: 'body',
        id: '',
        name: '',
        type: '',
        value: '',
        text: '',
        visibleFocus: false,
        inViewport: true,
      };
    }
    const style = getComputedStyle(el);
    const outline = style.outlineStyle !== 'none' && Number.parseFloat(style.outlineWidth) >= 2;
    const shadow = style.boxShadow !== 'none' && style.boxShadow !== '';
    const rect = el.getBoundingClientRect();
    const input = el as HTMLInputElement;
    const label = input.labels?.[0]?.textContent ?? el.getAttribute('aria-label') ?? el.textContent ?? '';
    return {
      tag: el.tagName.toLowerCase(),
      id: el.id,
      name: input.name ?? '',
      type: input.type ?? '',
      value: typeof input.value === 'string' ? input.value : '',
      text: label.replace(/\s+/g, ' ').trim().slice(0, 80),
      visibleFocus: outline || shadow,
      inViewport:
        rect.bottom > 0 && rect.top < window.innerHeight && rect.right > 0 && rect.left < window.innerWidth,
    };
  });
}

/** Presses Tab up to `max` times, returning each focused element, until `until` says stop. */
export async function tabThrough(
  page: Page,
  until: (el: FocusedElement) => boolean,
  max = 80,
): Promise<FocusedElement[]> {
  const seen: FocusedElement[] = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const el = await focusedElement(page);
    seen.push(el);
    if (until(el)) return seen;
  }
  throw new Error(
    `Tab never reached the expected element in ${max} presses; focus went through:\n${seen
      .map((e) => `  ${e.tag}#${e.id} ${e.name} ${e.text}`)
      .join('\n')}`,
  );
}

// ---------------------------------------------------------------------------
// Files in and out

/** A small real PNG (a coloured rectangle) for upload fields: `input.setInputFiles(await sampleImage())`. */
export async function sampleImage(
  name = 'screenshot.png',
  size = { width: 64, height: 48 },
): Promise<{ name: string; mimeType: string; buffer: Buffer }> {
  const { default: sharp } = await import('sharp');
  const buffer = await sharp({
    create: { width: size.width, height: size.height, channels: 3, background: { r: 11, g: 93, b: 107 } },
  })
    .png()
    .toBuffer();
  return { name, mimeType: 'image/png', buffer };
}

/** Clicks what starts a download (a CSV export, say) and returns the file's name and text. */
export async function download(page: Page, trigger: Locator): Promise<{ filename: string; text: string }> {
  const [file] = await Promise.all([page.waitForEvent('download'), trigger.click()]);
  const filePath = await file.path();
  return { filename: file.suggestedFilename(), text: await fs.readFile(filePath, 'utf8') };
}

/**
 * The controls of a form a keyboard user should meet, in document order, as
 * `tag:name:value` (what `controlKey` gives for the focused element): hidden,
 * disabled and fieldset elements left out, and those taken out of the Tab
 * order (a toolbar's other buttons, reached with the arrows); a file input
 * without its value.
 */
export async function formControls(form: Locator): Promise<string[]> {
  return form.evaluate((el) =>
    [...(el as HTMLFormElement).elements]
      .filter((c) => !c.matches('fieldset, [disabled], [type=hidden], [tabindex="-1"]'))
      .map((c) => {
        const input = c as HTMLInputElement;
        return `${c.tagName.toLowerCase()}:${input.name}:${input.type === 'file' ? '' : input.value}`;
      }),
  );
}

/** The key of a focused element comparable with `formControls`. */
export function controlKey(el: FocusedElement): string {
  return `${el.tag}:${el.name}:${el.type === 'file' ? '' : el.value}`;
}

// ---------------------------------------------------------------------------
// Waiting for things to happen (live updates)

/** Waits until the locator's text matches (live counters, banners, new items). */
export async function waitForText(
  locator: Locator,
  expected: string | RegExp,
  timeout = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeout;
  let last = '';
  while (Date.now() < deadline) {
    last =
      (await locator.textContent({ timeout: Math.max(1, deadline - Date.now()) }).catch(() => null)) ?? '';
    if (typeof expected === 'string' ? last.includes(expected) : expected.test(last)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(
    `Waited ${timeout} ms for ${String(expected)}; the text was: ${JSON.stringify(last.trim())}`,
  );
}

/** The number in the header's notification badge (0 while it is hidden). */
export async function unreadBadge(page: Page): Promise<number> {
  const badge = page.locator('.notifications-badge');
  if (await badge.isHidden()) return 0;
  return Number((await badge.locator('[data-rt-counter="notifications:unread"]').textContent())?.trim());
}

/** Waits until the header's notification badge, live, shows more than `before`; returns its number. */
export async function waitForUnreadAbove(page: Page, before: number, timeout = 10_000): Promise<number> {
  const handle = await page.waitForFunction(
    (n) => {
      const badge = document.querySelector('.notifications-badge');
      const value = Number(
        badge?.querySelector('[data-rt-counter="notifications:unread"]')?.textContent?.trim(),
      );
      return badge && !badge.hasAttribute('hidden') && value > n ? value : null;
    },
    before,
    { timeout },
  );
  return Number(await handle.jsonValue());
}

/**
 * Waits until the page's live connection is up and its rooms are joined, so an
 * event published next is not missed (public/js/realtime.js sets
 * `data-realtime="connected"` on <html> once it has joined and resynced).
 */
export async function waitForLive(page: Page, timeout = 10_000): Promise<void> {
  await page
    .locator('html[data-realtime="connected"][data-realtime-synced]')
    .waitFor({ state: 'attached', timeout });
}

/**
 * How much the page's content has jumped since it loaded (Chrome's cumulative
 * layout shift, unexpected shifts only): a live update that pushes what the
 * reader is looking at adds to it. Read it before and after the update.
 */
export async function layoutShift(page: Page): Promise<number> {
  return page.evaluate(
    () =>
      new Promise<number>((resolve) => {
        let total = 0;
        new PerformanceObserver((list) => {
          for (const entry of list.getEntries() as Array<
            PerformanceEntry & { value: number; hadRecentInput: boolean }
          >) {
            if (!entry.hadRecentInput) total += entry.value;
          }
        }).observe({ type: 'layout-shift', buffered: true });
        // Buffered entries arrive in the observer's first callback; wait for it.
        setTimeout(() => resolve(total), 50);
      }),
  );
}

// ---------------------------------------------------------------------------
// The pages every feature declares for the accessibility and layout pass

/**
 * One page (in one state) that test/browser/pages.test.ts opens in Italian and
 * in English, checks with axe-core at the desktop width and for sideways
 * scrolling at the phone width, and photographs (page-<name>-it-desktop.png,
 * page-<name>-it-phone.png, page-<name>-en-desktop.png).
 * Each feature lists its pages in test/browser/pages/<feature>.ts.
 */
export interface PageSpec {
  /** Stable, descriptive, dash-separated: `admin-import-preview`. */
  name: string;
  /** Who looks at it: a demo role, or null for a signed-out visitor. */
  as: DemoRole | null;
  /** The path to open (with the expected status), unless `open` does more. */
  path?: string;
  status?: number;
  /**
   * Brings the page into the state to check (fill a form wrongly and submit,
   * create a record first…). May return a cleanup to run after the checks.
   */
  open?: (page: Page, app: BrowserApp) => Promise<undefined | (() => Promise<void>)>;
  /** Text the page must show in each language (proves the right page in the right language). */
  shows: Record<Lang, string | RegExp>;
}

/** Opens `path` and insists on its status. */
export async function openPath(page: Page, app: BrowserApp, pathname: string, status = 200): Promise<void> {
  const res = await page.goto(app.url(pathname));
  if (res?.status() !== status) {
    throw new Error(`${pathname} answered ${res?.status()} instead of ${status}`);
  }
}
