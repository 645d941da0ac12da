import { expect } from 'chai';
import { DEMO_PASSWORD } from '../../server/seed/demo-data.ts';
import { DEMO_ACCOUNTS, saveScreenshot, useBrowserApp } from '../helpers/browser.ts';

describe('journey: signing in and out, and a page that is not for me', function () {
  this.timeout(60_000);
  const app = useBrowserApp();

  it('sends a visitor to sign in, then back to the page asked for, and signs out', async () => {
    const page = await app.newPage({ lang: 'it' });
    await page.goto(app.url('/people'));
    expect(new URL(page.url()).pathname).to.equal('/login');
    expect(new URL(page.url()).searchParams.get('next')).to.equal('/people');

    // A wrong password is refused with one generic message, announced, and the email kept.
    await page.getByLabel('Email').fill(DEMO_ACCOUNTS.operator);
    await page.getByLabel('Password').fill('not my password at all');
    await page.getByRole('button', { name: 'Accedi', exact: true }).click();
    const failure = page.getByRole('alert');
    expect(await failure.textContent()).to.include('Email o password non corrette');
    expect(await page.getByLabel('Email').inputValue()).to.equal(DEMO_ACCOUNTS.operator);

    await page.getByLabel('Password').fill(DEMO_PASSWORD);
    await page.getByLabel('Password').press('Enter');
    await page.waitForURL(app.url('/people'));
    expect(await page.locator('h1').textContent()).to.equal('Persone');
    expect(await page.locator('.user-chip').textContent()).to.include('Sara Colombo');
    await saveScreenshot(page, 'journey-sign-in-landed-on-people');

    // Signing out is in the account menu.
    await page.locator('.account-menu summary').click();
    await page.getByRole('button', { name: 'Esci' }).click();
    await page.waitForURL(/\/login\?signedOut=1$/);
    expect(await page.getByRole('status').textContent()).to.include('Sei uscito da Passaparola');
    await saveScreenshot(page, 'journey-sign-out-done');

    // The session is over: the directory asks to sign in again.
    await page.goto(app.url('/people'));
    expect(new URL(page.url()).pathname).to.equal('/login');
  });

  it('shows an operator who opens the administration why it is refused, without the link to it', async () => {
    const page = await app.newPage({ as: 'operator', lang: 'it' });
    await page.goto(app.url('/'));
    const nav = page.getByRole('navigation', { name: 'Navigazione principale' });
    expect(await nav.getByRole('link').allTextContents()).to.deep.equal([
      'Home',
      'Domande',
      'Base di conoscenza',
      'Argomenti',
      'Persone',
      'Classifiche',
    ]);

    const res = await page.goto(app.url('/admin/users'));
    expect(res?.status()).to.equal(403);
    expect(await page.locator('h1').textContent()).to.equal('Operazione non consentita');
    const explanation = (await page.locator('.error-page').textContent()) ?? '';
    expect(explanation).to.include('gestire gli account');
    expect(explanation).to.include('Amministratore');
    await saveScreenshot(page, 'journey-error-403-operator');
    await page.getByRole('link', { name: 'Vai alla pagina iniziale' }).click();
    await page.waitForURL(app.url('/'));
  });

  it('lets the administrator in where the operator was refused', async () => {
    const page = await app.newPage({ as: 'admin', lang: 'it' });
    await page.goto(app.url('/'));
    await page.getByRole('link', { name: 'Amministrazione' }).click();
    await page.getByRole('link', { name: 'Account', exact: true }).first().click();
    await page.waitForURL(app.url('/admin/users'));
    expect(await page.locator('h1').textContent()).to.equal('Account');
  });
});
