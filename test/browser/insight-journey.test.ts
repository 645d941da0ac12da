import { expect } from 'chai';
import { Post } from '../../models/post.ts';
import { PostContent } from '../../models/post-content.ts';
import {
  checkAccessibility,
  sampleImage,
  saveScreenshot,
  unreadBadge,
  useBrowserApp,
  waitForLive,
  waitForText,
  waitForUnreadAbove,
} from '../helpers/browser.ts';

describe('journey: an operator shares a case with a picture, a colleague validates it live', function () {
  this.timeout(120_000);
  const app = useBrowserApp();

  it('publishes the insight with its image, announces it to a colleague, and brings back the vote, the "seen this too" and a notification', async () => {
    const title = 'Addebito SDD respinto dopo il cambio banca';
    // Luca is on his home page while Sara writes: the new case must reach him without a reload.
    const luca = await app.newPage({ as: 'colleague', lang: 'it' });
    await luca.goto(app.url('/'));
    await waitForLive(luca);

    const sara = await app.newPage({ as: 'operator', lang: 'it' });
    await sara.goto(app.url('/'));
    await sara.locator('summary', { hasText: 'Nuovo…' }).first().click();
    await sara.getByRole('link', { name: 'Condividi un caso' }).first().click();
    await sara.waitForURL(/\/posts\/new\?kind=insight$/);
    expect(await sara.locator('h1').textContent()).to.equal('Condividi un caso');

    await sara.getByLabel('Titolo del caso').fill(title);
    await sara
      .getByLabel('Situazione: di cosa aveva bisogno il cliente')
      .fill('La cliente ha cambiato banca e la bolletta di marzo è tornata indietro.');
    await sara
      .getByLabel('Cosa ha funzionato')
      .fill(
        '1. Verificato il **nuovo IBAN** nel gestionale.\n2. Chiesto il mandato firmato alla nuova banca.',
      );
    await sara.getByLabel('Esito').fill('Addebito riuscito al ciclo successivo, nessuna mora.');
    await sara.getByLabel('Canale').selectOption({ label: 'Telefono' });
    await sara.getByRole('checkbox', { name: 'Addebito diretto SDD' }).check();
    await sara.getByLabel('Etichette (facoltative)').fill('cambio-banca');
    const image = await sampleImage('ricevuta-banca.png', { width: 640, height: 400 });
    await sara.getByLabel('Allegati (facoltativi)').setInputFiles(image);
    await saveScreenshot(sara, 'journey-insight-form');
    await sara.getByRole('button', { name: 'Pubblica il caso' }).click();

    // Her post's page: the thanks, the three parts, the picture really shown.
    await sara.waitForURL(/\/posts\/[0-9a-f]{24}$/);
    const postId = /\/posts\/([0-9a-f]{24})$/.exec(sara.url())?.[1] ?? '';
    expect(await sara.getByRole('status').first().textContent()).to.include(
      'Il tuo caso è pubblicato. Grazie per averlo condiviso.',
    );
    expect(await sara.locator('#post-title').textContent()).to.equal(title);
    expect(await sara.locator('.insight-body strong').textContent()).to.equal('nuovo IBAN');
    const picture = sara.getByRole('img', { name: 'Immagine allegata al post: ricevuta-banca.png' });
    await picture.scrollIntoViewIfNeeded();
    await sara.waitForFunction(
      (el) => (el as HTMLImageElement).complete && (el as HTMLImageElement).naturalWidth > 0,
      await picture.elementHandle(),
    );
    expect(await picture.evaluate((el) => (el as HTMLImageElement).naturalWidth)).to.be.within(1, 640);
    const stored = await Post.findById(postId).lean();
    expect(stored?.channel).to.equal('phone');
    expect(stored?.attachmentCount).to.equal(1);
    const content = await PostContent.findById(postId).lean();
    expect(content?.attachments.map((a) => [a.filename, a.kind, a.width, a.height])).to.deep.equal([
      ['ricevuta-banca.png', 'image', 640, 400],
    ]);

    // The home feed shows it first, with its attachment counted.
    await sara.goto(app.url('/'));
    const mine = sara.locator('.post-list > li').first();
    expect(await mine.getAttribute('id')).to.equal(`post-${postId}`);
    expect(await mine.locator('.post-card-title').textContent()).to.equal(title);
    expect(await mine.locator('.post-card-byline').textContent()).to.include('1 allegato');
    await saveScreenshot(sara, 'journey-insight-feed');

    // Luca got the "new post" banner meanwhile; showing it puts the case on top.
    const banner = luca.locator('[data-rt-banner="posts"]');
    await waitForText(banner, '1 nuovo post — mostra');
    await banner.click();
    const arrived = luca.locator('.post-list > li').first();
    await waitForText(arrived, title);
    expect(await arrived.getAttribute('id')).to.equal(`post-${postId}`);

    // Sara goes back to her case and keeps it open; Luca opens it from his feed.
    await sara.goto(app.url(`/posts/${postId}`));
    await waitForLive(sara);
    const unreadBefore = await unreadBadge(sara);
    await arrived.getByRole('link', { name: title }).click();
    await luca.waitForURL(app.url(`/posts/${postId}`));
    await waitForLive(luca);
    await sara.evaluate(() => {
      (window as unknown as { untouched: boolean }).untouched = true;
    });

    // Luca votes and says it happened to him too.
    await luca.locator('.title-row .vote-up').click();
    await luca.locator('.title-row .vote-up[aria-pressed="true"]').waitFor();
    await luca.getByRole('button', { name: 'È capitato anche a me' }).click();
    await waitForText(luca.locator('#seen-this-too button'), 'Ritira il mio «anche a me»');

    // Sara sees both counts and her notification badge change, without reloading.
    await waitForText(sara.locator(`.title-row [data-rt-counter="post:${postId}:score"]`), '1');
    await waitForText(sara.locator('#seen-heading'), '1 collega');
    await waitForText(sara.locator('.seen-who'), 'Luca Esposito');
    expect(await sara.locator('.seen-who').isVisible()).to.equal(true);
    await waitForUnreadAbove(sara, unreadBefore);
    expect(await sara.evaluate(() => (window as unknown as { untouched?: boolean }).untouched)).to.equal(
      true,
    );
    await checkAccessibility(sara, 'an insight after live updates');
    await saveScreenshot(sara, 'journey-insight-validated-live');

    // The notification names Luca and the case, and leads back to it.
    await sara.locator('.notifications-link').click();
    await sara.waitForURL(app.url('/notifications'));
    const notice = sara
      .locator('.notification')
      .filter({ hasText: `Luca Esposito: «È capitato anche a me» su «${title}»` });
    expect(await notice.count()).to.equal(1);
    expect(await notice.locator('.notification-type').textContent()).to.include(
      'Colleghi a cui è capitato anche',
    );
    await checkAccessibility(sara, 'notifications with a “seen this too”');
    await saveScreenshot(sara, 'journey-insight-notification');
    await notice.locator('.notification-message').click();
    await sara.waitForURL(app.url(`/posts/${postId}#seen-this-too`));
    expect(await sara.locator('.seen-who').textContent()).to.include('Luca Esposito');
  });
});
