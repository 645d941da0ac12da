import { expect } from 'chai';
import { Post } from '../../models/post.ts';
import { User } from '../../models/user.ts';
import { op } from '../../server/db/query.ts';
import {
  checkAccessibility,
  DEMO_ACCOUNTS,
  saveScreenshot,
  unreadBadge,
  useBrowserApp,
  waitForLive,
  waitForText,
  waitForUnreadAbove,
} from '../helpers/browser.ts';

describe('journey: a question meets similar ones, gets an answer live, and the answer is accepted', function () {
  this.timeout(120_000);
  const app = useBrowserApp();

  it('suggests similar questions while typing, brings the colleague’s answer live, and tells him it was accepted', async () => {
    // A question of the demo organisation that Sara's new one resembles.
    const people = await User.find(
      { email: op({ $in: [DEMO_ACCOUNTS.operator, DEMO_ACCOUNTS.colleague] }) },
      { _id: 1 },
    ).lean();
    const demo = await Post.findOne({
      kind: 'question',
      deleted: null,
      author: op({ $nin: people.map((p) => p._id) }),
    })
      .sort({ createdAt: -1 })
      .lean();
    if (!demo) throw new Error('no demo question');
    const words = demo.title
      .replace(/[^\p{L}\s]/gu, ' ')
      .split(/\s+/)
      .filter((w) => w.length > 4)
      .slice(0, 2);
    expect(words, `two long words in «${demo.title}»`).to.have.length(2);

    // Luca watches the questions: the new one is announced to him.
    const luca = await app.newPage({ as: 'colleague', lang: 'it' });
    await luca.goto(app.url('/questions'));
    await waitForLive(luca);

    const sara = await app.newPage({ as: 'operator', lang: 'it' });
    await sara.goto(app.url('/'));
    await sara.locator('summary', { hasText: 'Nuovo…' }).first().click();
    await sara.getByRole('link', { name: 'Fai una domanda' }).first().click();
    await sara.waitForURL(/\/posts\/new\?kind=question$/);

    // "Search first": similar questions appear under the title as it is typed.
    const titleField = sara.getByLabel('La tua domanda');
    await titleField.pressSequentially(words.join(' '), { delay: 15 });
    const suggestions = sara.locator('#similar-suggestions');
    await suggestions.locator(`a[href="/posts/${String(demo._id)}"]`).waitFor();
    expect(await suggestions.isVisible()).to.equal(true);
    expect(await suggestions.locator('.similar-heading').textContent()).to.not.equal('');
    expect(await suggestions.locator(`a[href="/posts/${String(demo._id)}"] mark`).count()).to.be.greaterThan(
      0,
    );
    await checkAccessibility(sara, 'the question form with its similar suggestions');
    await saveScreenshot(sara, 'journey-question-similar');

    // Not quite her case: she asks anyway.
    const title = `${words.join(' ')}: cliente con due contratti attivi?`;
    await titleField.fill(title);
    await sara
      .getByLabel('Dettagli')
      .fill('Il cliente ha due forniture allo stesso indirizzo. Quale delle due va aggiornata per prima?');
    const topic = sara.locator('input[name="topics"]').first();
    await topic.check();
    await sara.getByRole('button', { name: 'Pubblica la domanda' }).click();
    await sara.waitForURL(/\/posts\/[0-9a-f]{24}$/);
    const questionId = /\/posts\/([0-9a-f]{24})$/.exec(sara.url())?.[1] ?? '';
    expect(await sara.getByRole('status').first().textContent()).to.include('La tua domanda è pubblicata.');
    expect(await sara.locator('#answers-heading').textContent()).to.include('0 risposte');
    await waitForLive(sara);
    const saraUnread = await unreadBadge(sara);

    // Luca sees the question announced, opens it and answers.
    const banner = luca.locator('[data-rt-banner="posts"]');
    await waitForText(banner, '1 nuovo post — mostra');
    await banner.click();
    await luca.locator(`#post-${questionId}`).getByRole('link', { name: title }).click();
    await luca.waitForURL(app.url(`/posts/${questionId}`));
    await waitForLive(luca);
    await luca
      .getByLabel('Risposta', { exact: true })
      .fill('Aggiorna prima la fornitura con il **mandato SDD** attivo, poi l’altra dal portale.');
    await luca.getByRole('button', { name: 'Pubblica la risposta' }).click();
    await luca.waitForURL(new RegExp(`/posts/${questionId}#answer-([0-9a-f]{24})$`));
    const answerId = /#answer-([0-9a-f]{24})$/.exec(luca.url())?.[1] ?? '';
    await waitForLive(luca);
    const lucaUnread = await unreadBadge(luca);

    // Sara, on her question, sees the answer, the count and the notification arrive.
    const answer = sara.locator(`#answer-${answerId}`);
    await waitForText(answer, 'mandato SDD');
    await waitForText(sara.locator('#answers-heading'), '1 risposta');
    await waitForUnreadAbove(sara, saraUnread);
    await checkAccessibility(sara, 'a question with an answer inserted live');
    await saveScreenshot(sara, 'journey-question-answer-arrived');

    // She accepts it (a plain form post): the answer is marked as the solution.
    await answer.getByRole('button', { name: 'Accetta questa risposta' }).click();
    await sara.waitForURL(new RegExp(`/posts/${questionId}`));
    await waitForText(sara.locator(`#answer-${answerId} .accepted-mark`), 'Risposta accettata');
    expect(await sara.locator(`#answer-${answerId}`).getAttribute('class')).to.include('answer-accepted');
    expect(
      await sara.locator(`#answer-${answerId}`).getByRole('button', { name: "Togli l'accettazione" }).count(),
    ).to.equal(1);
    await saveScreenshot(sara, 'journey-question-accepted');
    const stored = await Post.findById(questionId).lean();
    expect(String(stored?.acceptedAnswer)).to.equal(answerId);

    // Luca's open page shows the acceptance and his badge counts the notification, live.
    await waitForText(luca.locator(`#answer-${answerId} .accepted-mark`), 'Risposta accettata');
    await waitForUnreadAbove(luca, lucaUnread);
    await luca.locator('.notifications-link').click();
    await luca.waitForURL(app.url('/notifications'));
    const notice = luca
      .locator('.notification')
      .filter({ hasText: `Sara Colombo ha accettato la tua risposta a «${title}»` });
    expect(await notice.count()).to.equal(1);
    await saveScreenshot(luca, 'journey-question-accepted-notification');

    // The question shows as solved in the feed.
    await luca.goto(app.url('/questions'));
    expect(await luca.locator(`#post-${questionId} .post-card-byline`).textContent()).to.include('Risolta');
  });
});
