import { expect } from 'chai';
import { User } from '../../models/user.ts';
import { download, saveScreenshot, useBrowserApp } from '../helpers/browser.ts';

const CSV = [
  'email,name,roles,team,locale,status',
  'giorgia.neri@aurora.example,Giorgia Neri,operator,fatturazione,it,',
  'tom.baker@aurora.example,Tom Baker,operator;team_lead,carte-conti,en,',
  'sara.colombo@aurora.example,Sara Colombo,,,,',
  'olena.fontana@aurora.example,Olena Fontana,,,,disattivato',
  'non-e-una-email,Email Rotta,operator,,,',
  'piero.ferro@aurora.example,Piero Ferro,operator,marketing,,',
].join('\n');

describe('journey: an administrator imports people from a CSV file', function () {
  this.timeout(60_000);
  const app = useBrowserApp();

  it('previews every row with its problems, imports the valid ones, and the new people are listed', async () => {
    const page = await app.newPage({ as: 'admin', lang: 'it' });
    await page.goto(app.url('/'));
    await page
      .getByRole('navigation', { name: 'Navigazione principale' })
      .getByRole('link', { name: 'Amministrazione' })
      .click();
    await page.getByRole('link', { name: 'Importa account' }).first().click();
    await page.waitForURL(app.url('/admin/import'));

    // Dry run: the file is checked, nothing is written.
    await page.locator('input[type=file]#field-file').setInputFiles({
      name: 'nuovi-colleghi.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(CSV, 'utf8'),
    });
    await page.getByRole('button', { name: 'Controlla il file' }).click();
    await page.getByRole('heading', { name: 'Cosa verrebbe importato' }).waitFor();
    expect(await page.locator('main').textContent()).to.include('4 righe importabili, 2 con problemi.');

    const preview = page.getByRole('table', { name: 'Anteprima riga per riga, con i problemi di ciascuna' });
    const outcome = async (email: string) =>
      (
        (await preview.getByRole('row').filter({ hasText: email }).getByRole('cell').last().textContent()) ??
        ''
      ).trim();
    expect(await outcome('giorgia.neri@aurora.example')).to.equal('Pronta');
    expect(await outcome('tom.baker@aurora.example')).to.equal('Pronta');
    // Existing accounts (by email): what the row changes, before anything is written.
    const change = async (email: string) =>
      (
        (await preview
          .getByRole('row')
          .filter({ hasText: email })
          .getByTestId('import-change')
          .textContent()) ?? ''
      ).trim();
    expect(await change('giorgia.neri@aurora.example')).to.equal('Nuovo account');
    expect(await change('sara.colombo@aurora.example')).to.equal('Nessuna modifica');
    expect(await change('olena.fontana@aurora.example')).to.equal('Aggiorna: disattiva');
    expect(await outcome('olena.fontana@aurora.example')).to.equal('Pronta');
    expect(await outcome('non-e-una-email')).to.equal('Email non valida');
    expect(await outcome('piero.ferro@aurora.example')).to.equal('Team sconosciuto: marketing');
    expect(await User.exists({ email: 'giorgia.neri@aurora.example' })).to.equal(null);
    await saveScreenshot(page, 'journey-admin-import-preview');

    // The real import writes the two valid rows and hands out their one-time links.
    await page.getByRole('button', { name: 'Importa 3 account' }).click();
    await page.getByRole('heading', { name: 'Link per la password' }).waitFor();
    expect(await page.getByRole('status').first().textContent())
      .to.include('2 account creati.')
      .and.include('1 account aggiornato.');
    expect((await User.findOne({ email: 'olena.fontana@aurora.example' }).lean())?.active).to.equal(false);
    // The links as a file, once.
    const file = await download(page, page.getByRole('link', { name: 'Scarica i link (CSV, una volta)' }));
    expect(file.text).to.include('giorgia.neri@aurora.example').and.include('/password/reset/');
    const links = page.getByRole('table', { name: 'Account creati e i loro link monouso' });
    expect(await links.getByRole('row').count()).to.equal(3);
    const giorgiaLink = await links.getByLabel('Link giorgia.neri@aurora.example').inputValue();
    expect(giorgiaLink).to.match(/\/password\/reset\/[A-Za-z0-9_-]{20,}$/);
    await saveScreenshot(page, 'journey-admin-import-result');

    const tom = await User.findOne({ email: 'tom.baker@aurora.example' }).lean();
    expect(tom?.roles).to.have.members(['operator', 'team_lead']);
    expect(tom?.locale).to.equal('en');
    expect(await User.exists({ email: 'piero.ferro@aurora.example' })).to.equal(null);

    // The new account is in the list, with its team.
    await page
      .getByRole('navigation', { name: "Sezioni dell'amministrazione" })
      .getByRole('link', { name: 'Account', exact: true })
      .click();
    await page.getByLabel('Nome o email').fill('Giorgia');
    await page.getByLabel('Nome o email').press('Enter');
    await page.waitForURL(/\/admin\/users\?q=Giorgia/);
    const row = page.getByRole('row').filter({ hasText: 'giorgia.neri@aurora.example' });
    expect(await row.textContent()).to.include('Fatturazione e Pagamenti');
    expect(await row.textContent()).to.include('Attivo');
    await saveScreenshot(page, 'journey-admin-import-account-listed');

    // The link works: Giorgia sets her password and signs in.
    const giorgia = await app.newPage({ lang: 'it' });
    expect(giorgiaLink.startsWith(app.origin), 'links point at the app').to.equal(true);
    await giorgia.goto(giorgiaLink);
    await giorgia.getByLabel('Nuova password', { exact: true }).fill('cassetta rossa sul tavolo lungo');
    await giorgia.getByLabel('Ripeti la nuova password').fill('cassetta rossa sul tavolo lungo');
    await giorgia.getByRole('button', { name: 'Salva la password' }).click();
    await giorgia.waitForURL(app.url('/login'));
    await giorgia.getByLabel('Email').fill('giorgia.neri@aurora.example');
    await giorgia.getByLabel('Password').fill('cassetta rossa sul tavolo lungo');
    await giorgia.getByLabel('Password').press('Enter');
    await giorgia.waitForURL(app.url('/'));
    expect(await giorgia.locator('.user-chip').textContent()).to.include('Giorgia Neri');
  });
});
