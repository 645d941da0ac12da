import { expect } from 'chai';
import type { Page } from 'playwright-core';
import {
  checkAccessibility,
  horizontalOverflow,
  sampleImage,
  saveScreenshot,
  useBrowserApp,
  VIEWPORTS,
  waitForText,
} from '../helpers/browser.ts';

/** Pastes a file into the focused field as the clipboard would (a screenshot copied with Ctrl+C). */
async function pasteFile(page: Page, selector: string, name: string, bytes: Buffer): Promise<void> {
  await page.evaluate(
    ({ selector, name, data }) => {
      const field = document.querySelector(selector) as HTMLTextAreaElement;
      const transfer = new DataTransfer();
      transfer.items.add(new File([Uint8Array.from(data)], name, { type: 'image/png' }));
      field.focus();
      field.dispatchEvent(
        new ClipboardEvent('paste', { clipboardData: transfer, bubbles: true, cancelable: true }),
      );
    },
    { selector, name, data: [...bytes] },
  );
}

describe('journey: writing a tip with the toolbar, suggestions, a pasted picture, a preview and a draft', function () {
  this.timeout(120_000);
  const app = useBrowserApp();

  it('formats, mentions a colleague and cites an article from suggestions, pastes a screenshot, previews, survives a reload and publishes', async () => {
    const sara = await app.newPage({ as: 'operator', lang: 'it' });
    await sara.goto(app.url('/posts/new?kind=tip'));
    const body = sara.locator('#field-body');
    await sara.getByLabel('Titolo del consiglio').fill('Mandato SDD: farlo firmare subito');
    await body.click();
    await body.pressSequentially('Per il cambio banca ');

    // Bold from the toolbar: the word typed next is bold.
    await sara.getByRole('button', { name: 'Grassetto' }).click();
    await body.pressSequentially('chiedi il mandato');
    await body.press('End');
    await body.pressSequentially(' e avvisa @giu');
    // The colleague's suggestion, chosen with the keyboard.
    const options = sara.getByRole('option');
    await waitForText(options.first(), /Giulia Romano/);
    expect(await body.getAttribute('aria-activedescendant')).to.match(/-0$/);
    await body.press('Enter');
    expect(await body.inputValue()).to.match(/avvisa @giulia\.romano $/);

    // An article after KB-, chosen with the mouse.
    await body.pressSequentially('Vedi KB-');
    await waitForText(options.first(), /KB-\d+/);
    const firstArticle = (await options.first().textContent()) ?? '';
    const number = /KB-(\d+)/.exec(firstArticle)?.[1];
    await options.first().click();
    expect(await body.inputValue()).to.include(`Vedi KB-${number} `);

    // A screenshot pasted into the text becomes an uploaded picture in the markdown.
    const screenshot = await sampleImage('schermata-gestionale.png', { width: 320, height: 200 });
    await pasteFile(sara, '#field-body', screenshot.name, screenshot.buffer);
    await sara.waitForFunction(() =>
      /!\[schermata-gestionale\]\(\/attachments\/[0-9a-f]{24}\/[^)]+\)/.test(
        (document.querySelector('#field-body') as HTMLTextAreaElement).value,
      ),
    );
    const written = await body.inputValue();
    expect(written).to.include('Per il cambio banca **chiedi il mandato**');
    await saveScreenshot(sara, 'writing-tip-editor');

    // The preview is the server's rendering: bold, the mention and the article linked, the picture shown.
    await sara.getByRole('button', { name: 'Anteprima' }).click();
    const preview = sara.locator('[data-editor-preview]').first();
    await waitForText(preview, /chiedi il mandato/);
    expect(await preview.locator('strong').first().textContent()).to.equal('chiedi il mandato');
    expect(await preview.locator('a.mention').textContent()).to.equal('@giulia.romano');
    expect(await preview.locator('a.kb-ref').textContent()).to.equal(`KB-${number}`);
    await sara.waitForFunction(() => {
      const img = document.querySelector('[data-editor-preview] img') as HTMLImageElement | null;
      return Boolean(img?.complete && img.naturalWidth > 0);
    });
    expect(await body.isHidden()).to.equal(true);
    await saveScreenshot(sara, 'writing-tip-preview');
    await checkAccessibility(sara, 'tip form in preview');
    await sara.getByRole('button', { name: 'Scrivi' }).click();
    expect(await body.isVisible()).to.equal(true);

    // A reload keeps everything typed, and says so.
    await sara.waitForTimeout(600);
    await sara.reload();
    expect(await sara.locator('#field-body').inputValue()).to.equal(written);
    expect(await sara.getByLabel('Titolo del consiglio').inputValue()).to.equal(
      'Mandato SDD: farlo firmare subito',
    );
    await waitForText(sara.locator('[data-editor-status]').first(), /testo non inviato/);

    await sara.getByRole('checkbox', { name: 'Addebito diretto SDD' }).check();
    await sara.getByRole('button', { name: 'Pubblica il consiglio' }).click();
    await sara.waitForURL(/\/posts\/[0-9a-f]{24}$/);
    const content = sara.locator('.post-body .content, .content').first();
    expect(await content.locator('strong').first().textContent()).to.equal('chiedi il mandato');
    expect(await sara.locator('.content a.mention').first().textContent()).to.equal('@giulia.romano');
    await sara.waitForFunction(() => {
      const img = document.querySelector('.content img') as HTMLImageElement | null;
      return Boolean(img?.complete && img.naturalWidth > 0);
    });

    // The draft went with the post: a new form starts empty.
    await sara.goto(app.url('/posts/new?kind=tip'));
    expect(await sara.locator('#field-body').inputValue()).to.equal('');
    expect(await sara.locator('[data-editor-status]').first().textContent()).to.equal('');
  });

  it('cites articles in an answer by searching them, in English, and fits a phone', async () => {
    const emma = await app.newPage({ as: 'englishOperator', lang: 'en' });
    await emma.goto(app.url('/questions'));
    const questions = await emma
      .locator('a[href^="/posts/"]')
      .evaluateAll((links) =>
        links.map((a) => a.getAttribute('href') ?? '').filter((h) => /^\/posts\/[0-9a-f]{24}$/.test(h)),
      );
    expect(questions.length).to.be.greaterThan(0);
    await emma.goto(app.url(questions[0]!));
    const search = emma.getByRole('searchbox', { name: /Cite/ });
    await search.scrollIntoViewIfNeeded();
    await search.fill('SDD');
    const option = emma.getByRole('option').first();
    await waitForText(option, /KB-\d+/);
    const picked = /KB-(\d+)/.exec((await option.textContent()) ?? '')?.[1];
    await search.press('Enter');
    const chosen = emma.locator('.cite-chosen li');
    await waitForText(chosen.first(), new RegExp(`KB-${picked}`));
    expect(
      await emma
        .locator('#field-cite')
        .evaluate((s: HTMLSelectElement) => [...s.selectedOptions].map((o) => o.value)),
    ).to.deep.equal([picked]);
    await emma.getByRole('button', { name: new RegExp(`Remove KB-${picked}`) }).click();
    expect(await chosen.count()).to.equal(0);
    await checkAccessibility(emma, 'question page with the citation search');

    const phone = await app.newPage({ as: 'englishOperator', lang: 'en', viewport: VIEWPORTS.phone });
    await phone.goto(app.url('/posts/new?kind=question'));
    expect(await phone.getByRole('toolbar', { name: 'Formatting' }).isVisible()).to.equal(true);
    expect(await horizontalOverflow(phone)).to.deep.equal([]);
    await saveScreenshot(phone, 'writing-question-phone-en');
    await checkAccessibility(phone, 'question form at phone width');
  });
});
