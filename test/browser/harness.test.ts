import { expect } from 'chai';
import {
  checkAccessibility,
  download,
  horizontalOverflow,
  layoutShift,
  sampleImage,
  useBrowserApp,
  VIEWPORTS,
} from '../helpers/browser.ts';

/** The checks the journeys rely on catch what they are meant to catch. */
describe('browser test harness', function () {
  this.timeout(30_000);
  const app = useBrowserApp({ seed: false });

  it('fails the accessibility check on a serious violation and names it', async () => {
    const page = await app.newPage();
    await page.setContent(
      '<!doctype html><html lang="it"><title>t</title><main><img src="x.png"></main></html>',
    );
    const error = await checkAccessibility(page, 'a page with an image without text').then(
      () => null,
      (err: Error) => err,
    );
    expect(error?.message).to.include('[critical] image-alt');
    await page.setContent('<!doctype html><html lang="it"><title>t</title><main><h1>Ok</h1></main></html>');
    expect(await checkAccessibility(page, 'a clean page')).to.deep.equal([]);
  });

  it('finds what makes a phone screen scroll sideways, but not a table scrolling in its frame', async () => {
    const page = await app.newPage({ viewport: VIEWPORTS.phone });
    await page.setContent(
      '<!doctype html><html lang="it"><body style="margin:0"><div class="wide" style="width:600px">x</div></body></html>',
    );
    const offenders = await horizontalOverflow(page);
    expect(offenders.join(' ')).to.include('div.wide');
    await page.setContent(
      '<!doctype html><html lang="it"><body style="margin:0"><div style="overflow-x:auto"><table style="width:900px"><tr><td>x</td></tr></table></div></body></html>',
    );
    expect(await horizontalOverflow(page)).to.deep.equal([]);
  });

  it('collects the script errors of the pages it opens', async () => {
    const page = await app.newPage();
    await page.goto(app.url('/login'));
    await page.evaluate(() => {
      setTimeout(() => {
        throw new Error('a script broke');
      });
    });
    await page.waitForTimeout(100);
    const problems = app.takeProblems();
    expect(problems.map((p) => p.kind)).to.include('page error');
    expect(problems.map((p) => p.text).join('\n')).to.include('a script broke');
  });

  it('opens the app on a real port with the CSP intact', async () => {
    const page = await app.newPage();
    const res = await page.goto(app.url('/login'));
    expect(res?.status()).to.equal(200);
    expect(res?.headers()['content-security-policy']).to.include("script-src 'self'");
    expect(new URL(page.url()).hostname).to.equal('127.0.0.1');
  });

  it('hands a downloaded file back as text, and makes a real picture to upload', async () => {
    const page = await app.newPage();
    await page.goto(app.url('/login'));
    await page.evaluate(() => {
      const link = document.createElement('a');
      link.href = 'data:text/csv;charset=utf-8,name%2Cpoints%0ASara%2C340%0A';
      link.download = 'leaderboard.csv';
      link.textContent = 'CSV';
      document.querySelector('main')?.append(link);
    });
    const file = await download(page, page.getByRole('link', { name: 'CSV' }));
    expect(file).to.deep.equal({ filename: 'leaderboard.csv', text: 'name,points\nSara,340\n' });
    const image = await sampleImage();
    expect(image.buffer.subarray(1, 4).toString()).to.equal('PNG');
  });

  it('measures how far content jumps when something is inserted above it', async () => {
    const page = await app.newPage();
    await page.goto(app.url('/login'));
    expect(await layoutShift(page)).to.be.below(0.01);
    await page.evaluate(() => {
      const banner = document.createElement('div');
      banner.style.height = '200px';
      document.querySelector('main')?.prepend(banner);
    });
    expect(await layoutShift(page)).to.be.above(0.02);
  });
});
