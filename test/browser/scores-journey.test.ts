import { expect } from 'chai';
import { download, saveScreenshot, useBrowserApp } from '../helpers/browser.ts';

describe('journey: a team lead reads the leaderboard and the team dashboard, and exports CSV', function () {
  this.timeout(90_000);
  const app = useBrowserApp();

  it('finds the leaderboards and the dashboard in the menu, switches boards, and downloads the tables', async () => {
    const page = await app.newPage({ as: 'teamLead', lang: 'it' });
    await page.goto(app.url('/'));
    await page
      .getByRole('navigation', { name: 'Navigazione principale' })
      .getByRole('link', { name: 'Classifiche' })
      .click();
    await page.waitForURL(/\/leaderboards/);
    expect(await page.locator('h1').textContent()).to.equal('Classifiche');
    // Competence of the own team, all time: the lead's own line is always there.
    await page.getByLabel('Punteggio').selectOption('competence');
    await page.getByLabel('Tra').selectOption('team');
    await page.getByLabel('Periodo').selectOption('all');
    await page.getByRole('button', { name: 'Mostra' }).click();
    await page.waitForURL(/scope=team/);
    expect(await page.locator('[data-testid="my-rank"]').textContent()).to.match(
      /Sei al posto \d+ su \d+|Non hai ancora punti/,
    );
    expect(await page.locator('table.leaderboard tbody tr').count()).to.be.greaterThan(1);
    await saveScreenshot(page, 'journey-scores-team-leaderboard');

    await page
      .getByRole('navigation', { name: 'Navigazione principale' })
      .getByRole('link', { name: 'Dashboard team' })
      .click();
    await page.waitForURL(/\/teams\/[0-9a-f]{24}\/dashboard$/);
    expect(await page.locator('h1').textContent()).to.equal('Dashboard del team: Fatturazione e Pagamenti');
    expect(await page.locator('table.heatmap tbody tr').count()).to.be.at.least(8);
    await page.locator('figure[data-chart-ready="true"]').first().waitFor();
    await saveScreenshot(page, 'journey-scores-team-dashboard');

    const heatmap = await download(page, page.locator('a[href$="/dashboard/heatmap.csv"]'));
    expect(heatmap.filename).to.match(/competence\.csv$/);
    expect(heatmap.text.replace(/^\uFEFF/, '').split('\n')[0]).to.match(/^Persona,/);
    expect(heatmap.text).to.include('Sara Colombo');
    const trend = await download(page, page.locator('a[href*="/dashboard/trend.csv"]'));
    expect(trend.text.split('\n')[0]).to.match(/\d{4}-W\d{2}/);
    const gaps = await download(page, page.locator('a[href$="/dashboard/gaps.csv"]'));
    expect(gaps.text).to.include('Domande senza risposta');
  });
});
