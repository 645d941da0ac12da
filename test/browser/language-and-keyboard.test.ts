import { expect } from 'chai';
import { User } from '../../models/user.ts';
import {
  controlKey,
  DEMO_ACCOUNTS,
  type FocusedElement,
  focusedElement,
  formControls,
  saveScreenshot,
  tabThrough,
  useBrowserApp,
  VIEWPORTS,
} from '../helpers/browser.ts';

describe('journey: language and keyboard', function () {
  this.timeout(60_000);
  const app = useBrowserApp();

  it('switches the whole interface to English and back, and remembers the choice on the account', async () => {
    const page = await app.newPage({ as: 'colleague', lang: 'it' });
    const marco = await User.findOne({ email: DEMO_ACCOUNTS.teamLead }, { _id: 1 }).lean();
    const profile = `/people/${String(marco?._id)}`;
    await page.goto(app.url(profile));
    expect(await page.getAttribute('html', 'lang')).to.equal('it');
    expect(await page.locator('main dl').textContent()).to.include('Nel team dal');
    const italianDate = (await page.locator('main dl time').first().textContent())?.trim();
    expect(italianDate).to.match(/^\d{1,2} [a-z]+ \d{4}$/); // "23 novembre 2026"

    await page.getByRole('button', { name: 'English' }).click();
    await page.waitForURL(app.url(profile)); // the same page, now in English
    expect(await page.getAttribute('html', 'lang')).to.equal('en');
    expect(await page.locator('main dl').textContent()).to.include('Member since');
    const englishDate = (await page.locator('main dl time').first().textContent())?.trim();
    expect(englishDate).to.match(/^\d{1,2} [A-Z][a-z]+ \d{4}$/); // "23 November 2026" (day first, as in Europe)
    expect(englishDate).not.to.equal(italianDate);
    const nav = page.getByRole('navigation', { name: 'Main navigation' });
    expect(await nav.getByRole('link').allTextContents()).to.deep.equal([
      'Home',
      'Questions',
      'Knowledge base',
      'Topics',
      'People',
      'Leaderboards',
    ]);
    await saveScreenshot(page, 'journey-language-english-profile');

    // The choice is saved on the account: another browser, signed in as the same person, is in English.
    const elsewhere = await app.newPage({ as: 'colleague', lang: 'it' });
    await elsewhere.goto(app.url('/settings/account'));
    expect(await elsewhere.getAttribute('html', 'lang')).to.equal('en');
    expect(await elsewhere.getByLabel('Language of the interface').inputValue()).to.equal('en');

    // And back to Italian from the header, the switcher naming the language in itself.
    const back = page.getByRole('button', { name: 'Italiano' });
    expect(await back.getAttribute('lang')).to.equal('it');
    await back.click();
    await page.waitForURL(app.url(profile));
    expect(await page.getAttribute('html', 'lang')).to.equal('it');
    expect(await page.locator('main dl').textContent()).to.include('Nel team dal');
    expect((await User.findOne({ email: DEMO_ACCOUNTS.colleague }).lean())?.locale).to.equal('it');
  });

  it('starts with a visible skip link that moves the focus to the content', async () => {
    const page = await app.newPage({ as: 'operator', lang: 'it' });
    await page.goto(app.url('/settings/profile'));
    await page.keyboard.press('Tab');
    const skip = await focusedElement(page);
    expect(skip).to.include({ tag: 'a', text: 'Vai al contenuto', visibleFocus: true, inViewport: true });
    await page.keyboard.press('Enter');
    expect((await focusedElement(page)).id).to.equal('main');
    await page.keyboard.press('Tab');
    const first = await focusedElement(page);
    expect(first.text, 'the first stop after the skip link is in the content').to.equal('Profilo');
  });

  it('fills the profile form with the keyboard alone: every control in order, errors announced and focused', async () => {
    const page = await app.newPage({ as: 'operator', lang: 'it' });
    await page.goto(app.url('/settings/profile'));

    // The controls of the form, in document order, as a keyboard user should meet them.
    const form = page.locator('main form[enctype="multipart/form-data"]');
    const expected = await formControls(form);
    expect(expected.length).to.be.greaterThan(20);

    await page.locator('#main').focus();
    const stops = await tabThrough(page, (el) => el.tag === 'button' && el.text === 'Salva il profilo');
    const inForm = stops.filter((el) => expected.includes(controlKey(el)));
    expect(inForm.map(controlKey), 'Tab reaches every control of the form, in order').to.deep.equal(expected);
    for (const stop of stops) {
      expect(stop.visibleFocus, `visible focus on ${stop.tag} "${stop.text}"`).to.equal(true);
      expect(stop.inViewport, `${stop.tag} "${stop.text}" scrolled into view`).to.equal(true);
    }

    // Back to the name: empty it and submit with Enter.
    await page.locator('#main').focus();
    await tabThrough(page, (el) => el.name === 'displayName');
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.press('Delete');
    await page.keyboard.press('Enter');
    await page.locator('#form-errors').waitFor();

    // The summary has the focus and is announced; it says which field and what to do.
    const summary = await focusedElement(page);
    expect(summary.id).to.equal('form-errors');
    expect(await page.locator('#form-errors').getAttribute('role')).to.equal('alert');
    expect(await page.title()).to.equal('Errore: Profilo · Passaparola');
    const item = page.locator('#form-errors a');
    expect((await item.textContent())?.trim()).to.equal('Nome visibile ai colleghi: Usa almeno 2 caratteri.');
    // The field says it is wrong and why, in words a screen reader reads with it.
    const input = page.locator('#field-displayName');
    expect(await input.getAttribute('aria-invalid')).to.equal('true');
    const describedBy = (await input.getAttribute('aria-describedby')) ?? '';
    const description = await page.locator(`#${describedBy.split(' ')[0]}`).textContent();
    expect(description).to.equal('Errore: Usa almeno 2 caratteri.');
    await saveScreenshot(page, 'journey-keyboard-profile-error');

    // The summary's link takes the focus into the field; fix it and submit with the keyboard.
    await page.keyboard.press('Tab');
    expect((await focusedElement(page)).text).to.include('Nome visibile ai colleghi');
    await page.keyboard.press('Enter');
    const field = await focusedElement(page);
    expect(field).to.include({ id: 'field-displayName', visibleFocus: true });
    await page.keyboard.type('Sara Colombo');
    await tabThrough(page, (el) => el.tag === 'button' && el.text === 'Salva il profilo');
    await page.keyboard.press('Enter');
    const saved = page.getByRole('status');
    await saved.waitFor();
    expect(await saved.textContent()).to.include('Profilo salvato.');
    expect(await page.locator('#field-displayName').inputValue()).to.equal('Sara Colombo');
    await saveScreenshot(page, 'journey-keyboard-profile-saved');
  });

  it('shares a case through the post form with the keyboard alone: every control in order, errors, fixes, published', async () => {
    const page = await app.newPage({ as: 'operator', lang: 'it' });
    await page.goto(app.url('/posts/new?kind=insight'));
    const form = page.locator('main form.post-form');
    const expected = await formControls(form);
    // Title, the three parts, channel, every topic, tags, files, the button.
    expect(expected.length).to.be.greaterThan(15);

    const submit = (el: FocusedElement) => el.tag === 'button' && el.text === 'Pubblica il caso';
    await page.locator('#main').focus();
    const stops = await tabThrough(page, submit, 120);
    const inForm = stops.filter((el) => expected.includes(controlKey(el)));
    expect(inForm.map(controlKey), 'Tab reaches every control of the post form, in order').to.deep.equal(
      expected,
    );
    for (const stop of stops) {
      expect(stop.visibleFocus, `visible focus on ${stop.tag} "${stop.text}"`).to.equal(true);
      expect(stop.inViewport, `${stop.tag} "${stop.text}" scrolled into view`).to.equal(true);
    }

    // Only a title, then Enter on the button: the errors come back, the title stays.
    const title = 'Voltura con contatore bloccato: lettura da foto';
    await page.locator('#main').focus();
    await tabThrough(page, (el) => el.name === 'title');
    await page.keyboard.type(title);
    await tabThrough(page, submit, 120);
    await page.keyboard.press('Enter');
    await page.locator('#form-errors').waitFor();
    expect((await focusedElement(page)).id, 'the summary takes the focus').to.equal('form-errors');
    expect(await page.title()).to.match(/^Errore: /);
    const items = await page.locator('#form-errors a').allTextContents();
    for (const field of ['Situazione', 'Cosa ha funzionato', 'Esito', 'Canale', 'Argomenti']) {
      expect(
        items.some((text) => text.startsWith(field)),
        `an error for ${field}: ${items.join(' | ')}`,
      ).to.equal(true);
    }
    expect(await page.locator('#field-title').inputValue(), 'what was typed is kept').to.equal(title);
    await saveScreenshot(page, 'journey-keyboard-post-errors');

    // The first error link leads into the situation; the rest is filled with Tab, typing and Space.
    await page.keyboard.press('Tab');
    expect((await focusedElement(page)).text).to.include('Situazione');
    await page.keyboard.press('Enter');
    expect(await focusedElement(page)).to.include({ id: 'field-situation', visibleFocus: true });
    await page.keyboard.type('Il cliente subentra ma il contatore non è raggiungibile.');
    // Each text's formatting toolbar is one Tab stop before it (arrows move inside it).
    await page.keyboard.press('Tab');
    expect(await focusedElement(page)).to.include({ tag: 'button', visibleFocus: true });
    expect(await page.evaluate(() => document.activeElement?.closest('[role="toolbar"]') !== null)).to.equal(
      true,
    );
    await page.keyboard.press('ArrowRight');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).to.equal('Corsivo');
    await page.keyboard.press('Tab');
    expect((await focusedElement(page)).id).to.equal('field-action');
    await page.keyboard.type('Chiesta una foto del contatore con data, caricata nella pratica.');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    expect((await focusedElement(page)).id).to.equal('field-outcome');
    await page.keyboard.type('Voltura chiusa in due giorni senza sopralluogo.');
    await page.keyboard.press('Tab');
    expect((await focusedElement(page)).id).to.equal('field-channel');
    await page.keyboard.type('Tel');
    expect(await page.locator('#field-channel').inputValue()).to.equal('phone');
    const topic = await tabThrough(page, (el) => el.type === 'checkbox' && el.text === 'Voltura e subentro');
    expect(topic.at(-1)?.visibleFocus).to.equal(true);
    await page.keyboard.press('Space');
    expect(await page.getByRole('checkbox', { name: 'Voltura e subentro' }).isChecked()).to.equal(true);
    await tabThrough(page, submit, 120);
    await page.keyboard.press('Enter');

    await page.waitForURL(/\/posts\/[0-9a-f]{24}$/);
    expect(await page.getByRole('status').first().textContent()).to.include('Il tuo caso è pubblicato.');
    expect(await page.locator('#post-title').textContent()).to.equal(title);
    expect(await page.locator('.post-kind').textContent()).to.include('Telefono');
    expect(await page.locator('.topic-list').textContent()).to.include('Voltura e subentro');
    await saveScreenshot(page, 'journey-keyboard-post-published');
  });

  it('lets a keyboard scroll a table that is wider than a phone, and adds no tab stop when it fits', async () => {
    const page = await app.newPage({ as: 'admin', lang: 'it', viewport: VIEWPORTS.phone });
    await page.goto(app.url('/admin/audit'));
    const wrap = page.locator('.table-wrap');
    expect(await wrap.getAttribute('tabindex')).to.equal('0');
    expect(await wrap.getAttribute('role')).to.equal('region');
    expect(await wrap.getAttribute('aria-label')).to.equal('Registro di controllo');
    await wrap.focus();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    expect(await wrap.evaluate((el) => el.scrollLeft)).to.be.greaterThan(0);

    await page.setViewportSize(VIEWPORTS.desktop);
    await page.waitForFunction(() => !document.querySelector('.table-wrap')?.hasAttribute('tabindex'));
    expect(await wrap.getAttribute('role')).to.equal(null);
  });
});
