import { expect } from 'chai';
import { Post } from '../../models/post.ts';
import { User } from '../../models/user.ts';
import { op } from '../../server/db/query.ts';
import {
  DEMO_ACCOUNTS,
  layoutShift,
  saveScreenshot,
  useBrowserApp,
  waitForLive,
  waitForText,
} from '../helpers/browser.ts';
import { sessionUserOf } from '../helpers/content.ts';

/** A post of the demo organisation by someone other than these people. */
async function demoPost(kind: 'insight' | 'question', notBy: string[]) {
  const people = await User.find({ email: op({ $in: notBy }) }, { _id: 1 }).lean();
  const excluded = new Set(people.map((p) => String(p._id)));
  const posts = await Post.find({ kind, deleted: null }).sort({ createdAt: -1 }).lean();
  const post = posts.find((p) => !excluded.has(String(p.author)));
  if (!post) throw new Error(`no demo ${kind} to use`);
  return post;
}

describe('journey: two colleagues on the same pages, live', function () {
  this.timeout(90_000);
  const app = useBrowserApp();
  const both = [DEMO_ACCOUNTS.operator, DEMO_ACCOUNTS.colleague];

  it('shows Luca the vote and the "seen this too" Sara gives an insight, without a reload', async () => {
    const insight = await demoPost('insight', both);
    const id = String(insight._id);
    // The demo seed has colleagues vote and confirm: Sara starts with neither on it.
    const saraUser = await User.findOne({ email: DEMO_ACCOUNTS.operator }, { _id: 1 }).lean();
    const asSara = await sessionUserOf({ id: String(saraUser?._id) });
    await app.t.services.votes.vote(asSara, 'post', id, 0);
    await app.t.services.posts.unconfirm(id, asSara);
    const sara = await app.newPage({ as: 'operator', lang: 'it' });
    const luca = await app.newPage({ as: 'colleague', lang: 'it' });
    await Promise.all([sara.goto(app.url(`/posts/${id}`)), luca.goto(app.url(`/posts/${id}`))]);
    await Promise.all([waitForLive(sara), waitForLive(luca)]);
    await luca.evaluate(() => {
      (window as unknown as { untouched: boolean }).untouched = true;
    });

    const score = (page: typeof sara) => page.locator(`[data-rt-counter="post:${id}:score"]`).first();
    const before = Number((await score(luca).textContent())?.trim());
    // Sara votes in place: her page does not reload either.
    await sara.evaluate(() => {
      (window as unknown as { untouched: boolean }).untouched = true;
    });
    const up = sara.locator('.title-row .vote-up');
    await up.click();
    await waitForText(score(sara), String(before + 1));
    // The live count may arrive before the answer to Sara's own request: wait for that too.
    await sara.locator('.title-row .vote-up[aria-pressed="true"]').waitFor();
    expect(await up.getAttribute('aria-label')).to.match(/Ritira/i);
    await waitForText(score(luca), String(before + 1));

    const seenBefore = (await Post.findById(id, { confirmations: 1 }).lean())?.confirmations ?? 0;
    await sara.getByRole('button', { name: 'È capitato anche a me' }).click();
    await waitForText(sara.locator('#seen-this-too button'), 'Ritira il mio «anche a me»');
    expect(await sara.locator('#seen-this-too button').getAttribute('aria-pressed')).to.equal('true');
    await waitForText(
      luca.locator('#seen-heading'),
      `${seenBefore + 1} ${seenBefore + 1 === 1 ? 'collega' : 'colleghi'}`,
    );
    await saveScreenshot(luca, 'journey-live-insight-counts');

    for (const page of [sara, luca]) {
      expect(await page.evaluate(() => (window as unknown as { untouched?: boolean }).untouched)).to.equal(
        true,
      );
    }
  });

  it('brings Sara’s answer to Luca’s open question, with the count, and lets Luca vote on it', async () => {
    const question = await demoPost('question', both);
    const id = String(question._id);
    const sara = await app.newPage({ as: 'operator', lang: 'it' });
    const luca = await app.newPage({ as: 'colleague', lang: 'it' });
    await Promise.all([sara.goto(app.url(`/posts/${id}`)), luca.goto(app.url(`/posts/${id}`))]);
    await waitForLive(luca);
    const count = question.answerCount + 1;

    await sara
      .getByLabel('Risposta', { exact: true })
      .fill('Verifica il **mandato SDD** nel portale della banca.');
    await sara.getByRole('button', { name: 'Pubblica la risposta' }).click();
    await sara.waitForURL(new RegExp(`/posts/${id}#answer-[0-9a-f]{24}$`));

    const answers = luca.locator('.answer-list > li');
    await waitForText(answers.last(), 'mandato SDD');
    expect(await answers.last().locator('strong').textContent()).to.equal('mandato SDD');
    await waitForText(luca.locator('#answers-heading'), `${count} ${count === 1 ? 'risposta' : 'risposte'}`);
    await saveScreenshot(luca, 'journey-live-answer-arrived');

    // The inserted answer works like the others: Luca votes on it in place.
    const vote = answers.last().locator('.vote-up');
    await vote.click();
    await waitForText(answers.last().locator('.vote-score'), '1');
    const sarasScore = sara.locator('.answer-list > li').last().locator('.vote-score');
    await waitForText(sarasScore, '1');
  });

  it('announces a new post on Luca’s home with a banner that moves nothing, and inserts it on click', async () => {
    const luca = await app.newPage({ as: 'colleague', lang: 'it' });
    await luca.goto(app.url('/'));
    await waitForLive(luca);
    const shiftBefore = await layoutShift(luca);

    const saraUser = await User.findOne({ email: DEMO_ACCOUNTS.operator }).lean();
    const topic = (await Post.findOne({ deleted: null }).lean())?.topics[0];
    const postId = await app.t.services.posts.create(
      await sessionUserOf({ id: String(saraUser?._id) }),
      {
        kind: 'tip',
        title: 'Bolletta doppia: prima controlla il mandato',
        body: 'Chiedi al cliente la data del primo addebito.',
        topics: [String(topic)],
        tags: [],
      } as never,
      [],
    );
    const banner = luca.locator('[data-rt-banner="posts"]');
    await waitForText(banner, '1 nuovo post — mostra');
    expect(await layoutShift(luca), 'the banner floats over the feed').to.be.below(0.01 + shiftBefore);
    await saveScreenshot(luca, 'journey-live-home-banner');

    await banner.click();
    const first = luca.locator('.post-list > li').first();
    await waitForText(first, 'Bolletta doppia: prima controlla il mandato');
    expect(await first.getAttribute('id')).to.equal(`post-${postId}`);
    expect(await luca.evaluate(() => document.activeElement?.id)).to.equal(`post-${postId}`);
    expect(await banner.isHidden()).to.equal(true);
  });
});
