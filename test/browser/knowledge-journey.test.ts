import { expect } from 'chai';
import { KbArticle } from '../../models/kb-article.ts';
import { Post } from '../../models/post.ts';
import { saveScreenshot, useBrowserApp, waitForText } from '../helpers/browser.ts';

describe('journey: an insight becomes a knowledge-base article that colleagues find and rate', function () {
  this.timeout(120_000);
  const app = useBrowserApp();

  it('is promoted, published, found by search first, and marked helpful', async () => {
    const insight = await Post.findOne({ kind: 'insight', deleted: null, 'promotedTo.number': null })
      .sort({ confirmations: -1 })
      .lean();
    if (!insight) throw new Error('no demo insight left to promote');
    const postUrl = `/posts/${String(insight._id)}`;

    // The knowledge manager promotes it: a draft with the insight's text, the author credited.
    const giulia = await app.newPage({ as: 'knowledgeManager', lang: 'it' });
    await giulia.goto(app.url(postUrl));
    await giulia.getByRole('button', { name: 'Promuovi nella base di conoscenza' }).click();
    await giulia.waitForURL(/\/kb\/\d+\/edit$/);
    const number = Number(/\/kb\/(\d+)\/edit$/.exec(giulia.url())?.[1]);
    expect(await giulia.locator('.flash').textContent()).to.include(`Bozza KB-${number} creata dal post`);
    const title = `Guida: ${insight.title}`.slice(0, 150);
    await giulia.getByLabel('Titolo', { exact: true }).fill(title);
    await giulia.getByRole('button', { name: 'Salva una nuova versione' }).click();
    await giulia.waitForURL(app.url(`/kb/${number}`));

    // Review, then publish: the state changes on the page.
    await giulia.getByRole('button', { name: 'Invia in revisione' }).click();
    await waitForText(giulia.locator('.kb-status .badge').first(), 'In revisione');
    await giulia.getByRole('button', { name: 'Pubblica' }).click();
    await waitForText(giulia.locator('.kb-status .badge').first(), 'Pubblicato');
    await saveScreenshot(giulia, 'journey-kb-published');
    const article = await KbArticle.findOne({ number }).lean();
    expect(article?.state).to.equal('published');
    expect(article?.contributors.map(String)).to.include(String(insight.author));
    const authorInbox = await app.t.services.notifications.list(String(insight.author));
    expect(authorInbox.map((n) => n.type)).to.include('promoted');
    // The source post now points to its article.
    await giulia.goto(app.url(postUrl));
    expect(await giulia.locator('.post-kind').textContent()).to.include(`KB-${number}`);

    // An operator searches before asking: the published article comes first among articles.
    const sara = await app.newPage({ as: 'operator', lang: 'it' });
    await sara.goto(app.url('/'));
    const words = insight.title
      .split(/\s+/)
      .filter((w) => w.length > 4)
      .slice(0, 3)
      .join(' ');
    await sara.getByRole('search').getByRole('searchbox').fill(words);
    await sara.getByRole('search').getByRole('button', { name: 'Cerca' }).click();
    await sara.waitForURL(/\/search\?/);
    const firstArticle = sara.locator('.search-hit').filter({ hasText: 'Articolo KB' }).first();
    expect(await firstArticle.locator('.hit-title a').getAttribute('href')).to.equal(`/kb/${number}`);
    await saveScreenshot(sara, 'journey-kb-search-first');
    await firstArticle.locator('.hit-title a').click();
    await sara.waitForURL(app.url(`/kb/${number}`));

    // Helpful: counted once, changeable.
    await sara.getByRole('button', { name: 'Sì, utile' }).click();
    await sara.waitForURL(new RegExp(`/kb/${number}`));
    await waitForText(sara.locator('.kb-feedback'), 'Utile per 1, non utile per 0.');
    await waitForText(sara.locator('.kb-feedback'), 'Hai detto che è utile');
    expect((await KbArticle.findOne({ number }).lean())?.helpfulCount).to.equal(1);
    await saveScreenshot(sara, 'journey-kb-helpful');
  });
});
