import { expect } from 'chai';
import { csrfToken, useTestApp } from '../../helpers/app.ts';
import { createTopics } from '../../helpers/content.ts';
import { decodeHtml } from '../../helpers/html.ts';
import { signedIn } from '../../helpers/users.ts';

describe('the posting pace: only stored posts count, and a refusal keeps what was typed', () => {
  // The default pace: one new post every few seconds per person.
  const t = useTestApp();
  let topics: Awaited<ReturnType<typeof createTopics>>;

  before(async () => {
    topics = await createTopics();
  });

  const tip = (agent: Awaited<ReturnType<typeof signedIn>>['agent'], token: string, title: string) =>
    agent
      .post('/posts')
      .field('_csrf', token)
      .field('kind', 'tip')
      .field('title', title)
      .field('body', 'Chiedere il numero della pratica prima di trasferire la chiamata.')
      .field('topics', topics.billing);

  it('does not count a post refused for its file against the pace', async () => {
    const { agent } = await signedIn(t);
    const token = await csrfToken(agent, '/posts/new?kind=tip');
    const refused = await tip(agent, token, 'Un consiglio con un allegato sbagliato')
      .set('Accept', 'application/json')
      .attach('attachments', Buffer.from('<html><body>fattura</body></html>'), {
        filename: 'fattura.png',
        contentType: 'image/png',
      });
    expect(refused.status).to.be.within(400, 499);
    expect(refused.status).to.not.equal(429);
    // Sent again at once without the file: stored, not "too fast".
    await tip(agent, token, 'Un consiglio con un allegato sbagliato').redirects(0).expect(303);
    // The stored one counts: the next at once is refused.
    await tip(agent, token, 'Un secondo consiglio subito dopo').set('Accept', 'application/json').expect(429);
  });

  it('sends a browser back to its form with the explanation and the text when it posts too fast', async () => {
    const { agent } = await signedIn(t);
    const token = await csrfToken(agent, '/posts/new?kind=tip');
    await tip(agent, token, 'Il primo consiglio della giornata').redirects(0).expect(303);
    const res = await tip(agent, token, 'Il secondo consiglio troppo presto')
      .field('_return', '/posts/new?kind=tip')
      .redirects(0)
      .expect(303);
    expect(res.headers.location).to.equal('/posts/new?kind=tip');
    expect(Number(res.headers['retry-after'])).to.be.within(1, 30);
    const page = decodeHtml((await agent.get('/posts/new?kind=tip').expect(200)).text);
    expect(page).to.include('molto velocemente');
    expect(page).to.include('value="Il secondo consiglio troppo presto"');
    expect(page).to.include('Chiedere il numero della pratica prima di trasferire la chiamata.');
  });
});
