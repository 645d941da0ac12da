import { expect } from 'chai';
import { Topic } from '../../models/topic.ts';
import { User } from '../../models/user.ts';
import {
  checkAccessibility,
  DEMO_ACCOUNTS,
  horizontalOverflow,
  saveScreenshot,
  useBrowserApp,
  VIEWPORTS,
} from '../helpers/browser.ts';
import { sessionUserOf } from '../helpers/content.ts';

/** A laptop's browser window (1920×1080 screen, the browser's own bars taken off). */
const LAPTOP = { width: 1920, height: 960 };

describe('journey: scanning a dense feed and answering from the side column', function () {
  this.timeout(120_000);
  const app = useBrowserApp();

  it('shows ten rows and more a screen, open and solved at a glance, and opens the question waiting in my topic', async () => {
    // Luca asks in E-billing, a topic Sara follows.
    const luca = await User.findOne({ email: DEMO_ACCOUNTS.colleague }).lean();
    const eBilling = await Topic.findOne({ 'names.en': 'E-billing' }).lean();
    const title = 'Bolletta web: il cliente non riceve più la mail con il PDF';
    await app.t.services.posts.create(
      await sessionUserOf({ id: String(luca!._id) }),
      {
        kind: 'question',
        title,
        body: 'Da una settimana la mail di avviso non arriva più, ma in area clienti la bolletta c’è.',
        topics: [String(eBilling!._id)],
        tags: [],
      },
      [],
    );

    const sara = await app.newPage({ as: 'operator', lang: 'it', viewport: LAPTOP });
    await sara.goto(app.url('/'));
    const onScreen = await sara
      .locator('.post-list > .post-card')
      .evaluateAll(
        (items) => items.filter((item) => item.getBoundingClientRect().bottom <= window.innerHeight).length,
      );
    expect(onScreen, 'rows wholly visible on a laptop screen').to.be.at.least(10);

    // Open and solved questions read at a glance in the figures column.
    const open = sara.locator('.post-card', { hasText: title });
    expect(await open.locator('.count-answers').getAttribute('class')).to.include('count-none');
    expect(await sara.locator('.post-card.is-solved .count-answers.count-solved').count()).to.be.greaterThan(
      0,
    );

    const aside = sara.getByRole('complementary', { name: 'Per te, a lato' });
    expect(await aside.getByRole('heading', { name: 'I tuoi argomenti', exact: true }).isVisible()).to.equal(
      true,
    );
    const waiting = aside.getByRole('region', { name: 'In attesa di risposta nei tuoi argomenti' });
    expect(await waiting.getByRole('link').first().textContent()).to.equal(title);
    // Beside the list, not under it.
    const [listBox, asideBox] = await Promise.all([
      sara.locator('.post-list').boundingBox(),
      aside.boundingBox(),
    ]);
    expect(asideBox!.x).to.be.greaterThan(listBox!.x + listBox!.width);
    await checkAccessibility(sara, 'home with the side column (it)');
    await saveScreenshot(sara, 'feed-dense-laptop-it');

    await waiting.getByRole('link', { name: title }).click();
    await sara.waitForURL(/\/posts\/[0-9a-f]{24}$/);
    expect(await sara.locator('h1').textContent()).to.equal(title);
    await sara
      .getByLabel('Risposta', { exact: true })
      .fill('Controlla in anagrafica che l’indirizzo email sia confermato.');
    await sara.getByRole('button', { name: 'Pubblica la risposta' }).click();
    await sara.waitForURL(/\/posts\/[0-9a-f]{24}/);
    await sara.goto(app.url('/'));
    expect(
      await sara.getByRole('region', { name: 'In attesa di risposta nei tuoi argomenti' }).textContent(),
    ).to.include('Ogni domanda nei tuoi argomenti ha una risposta');

    // In English, and on a phone: the side column comes after the list, nothing wider than the screen.
    const emma = await app.newPage({ as: 'englishOperator', lang: 'en', viewport: VIEWPORTS.phone });
    await emma.goto(app.url('/questions'));
    const side = emma.getByRole('complementary', { name: 'For you, on the side' });
    expect(await side.getByRole('heading', { name: 'Trending this week' }).count()).to.equal(1);
    const [phoneList, phoneAside] = await Promise.all([
      emma.locator('.post-list').boundingBox(),
      side.boundingBox(),
    ]);
    expect(phoneAside!.y).to.be.greaterThan(phoneList!.y);
    expect(await horizontalOverflow(emma)).to.deep.equal([]);
    await checkAccessibility(emma, 'questions with the side column (en, phone)');
    await saveScreenshot(emma, 'feed-questions-phone-en');
  });
});
