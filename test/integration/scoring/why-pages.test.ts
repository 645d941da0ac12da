import { expect } from 'chai';
import { Types } from 'mongoose';
import { Team } from '../../../models/team.ts';
import { useTestApp } from '../../helpers/app.ts';
import { createTopics, FAST_POSTING } from '../../helpers/content.ts';
import { createUser, signedIn, type TestUser } from '../../helpers/users.ts';

const WHY_LINE = /data-testid="why-line"/g;
const linesOf = (html: string) => html.match(WHY_LINE)?.length ?? 0;
const hrefOf = (html: string, testId: string) => {
  const match = new RegExp(`<a rel="[a-z]+" href="([^"]+)" data-testid="${testId}"`).exec(html);
  return match?.[1]?.replace(/&amp;/g, '&').replace(/&#x3D;/g, '=');
};
/** The line ids of a page, in order (the reverse forms name them). */
const idsOf = (html: string) =>
  [...html.matchAll(/\/scores\/lines\/([0-9a-f]{24}:\d+)\/reverse/g)].map((m) => m[1]);

describe('scores pages: the "why" list paged by cursor, and bad input refused', function () {
  this.timeout(120_000);
  const t = useTestApp({ env: FAST_POSTING });
  let person: TestUser;
  let topics: Awaited<ReturnType<typeof createTopics>>;

  before(async () => {
    topics = await createTopics();
    person = await createUser({ displayName: 'Piera Paginata' });
    const ledger = t.services.scoring.ledger;
    // 30 lines, in pairs sharing a time: two pages and a bit.
    for (let i = 0; i < 30; i++)
      await ledger.record(
        { type: 'test', id: `page-${i}` },
        [{ user: person.id, rule: 'commentPosted', topics: [topics.billing], actor: null }],
        new Date(Date.parse('2030-01-01T09:00:00Z') + Math.floor(i / 2) * 60_000),
      );
  });

  it('pages the list with an "older" cursor and links back to the newest lines', async () => {
    const { agent } = await signedIn(t, ['admin'], { locale: 'en' });
    const first = await agent.get(`/people/${person.id}/scores`).expect(200);
    expect(linesOf(first.text)).to.equal(25);
    expect(first.text).to.include('30 ledger lines in all');
    expect(hrefOf(first.text, 'why-newest')).to.equal(undefined);
    const older = hrefOf(first.text, 'why-older');
    expect(older).to.match(/[?&]cursor=[\w-]+#why$/);
    const second = await agent.get(older!.replace(/#why$/, '')).expect(200);
    expect(linesOf(second.text)).to.equal(5);
    expect(hrefOf(second.text, 'why-older')).to.equal(undefined);
    expect(hrefOf(second.text, 'why-newest')).to.match(/[?&]cursor=#why$/);
    // Every line once, newest first: pairs share a time and are ordered by id.
    const seen = [...idsOf(first.text), ...idsOf(second.text)];
    expect(new Set(seen).size).to.equal(30);
    expect(seen.slice(0, 2)).to.deep.equal([`${person.id}:30`, `${person.id}:29`]);
    expect(seen.slice(-2)).to.deep.equal([`${person.id}:2`, `${person.id}:1`]);
    // The cursor keeps the filters.
    const filtered = await agent.get(`/people/${person.id}/scores?rule=commentPosted&topic=`).expect(200);
    const next = hrefOf(filtered.text, 'why-older')!;
    expect(next).to.include('rule=commentPosted');
    expect(linesOf((await agent.get(next.replace(/#why$/, '')).expect(200)).text)).to.equal(5);
  });

  it('refuses a malformed or foreign cursor, bad filters and malformed ids with 4xx', async () => {
    const { agent, user } = await signedIn(t, ['operator'], { locale: 'en' });
    const base = `/people/${person.id}/scores`;
    await agent.get(`${base}?cursor=not-a-cursor`).expect(400);
    await agent.get(`${base}?cursor=${Buffer.from('[1,2]').toString('base64url')}`).expect(400);
    const foreign = Buffer.from(JSON.stringify([Date.now(), `${user.id}:1`])).toString('base64url');
    await agent.get(`${base}?cursor=${foreign}`).expect(400);
    await agent.get(`${base}?rule=noSuchRule`).expect(400);
    await agent.get(`${base}?dimension=luck`).expect(400);
    await agent.get(`${base}?topic=nope`).expect(400);
    await agent.get(`${base}?rule=&dimension=&topic=`).expect(200);
    // Leaderboards: a period key that is not one, a malformed or unknown team or topic.
    await agent.get('/leaderboards?period=week&key=2030-W60').expect(400);
    await agent.get('/leaderboards?period=month&key=2030-W02').expect(400);
    await agent.get('/leaderboards?period=week&key=2030-W02').expect(200);
    await agent.get('/leaderboards?scope=topic&topic=nope').expect(400);
    await agent.get(`/leaderboards?scope=topic&topic=${new Types.ObjectId()}`).expect(404);
    await agent.get(`/leaderboards?scope=topic&topic=${topics.billing}`).expect(200);
    await agent.get('/leaderboards?scope=team&team=nope').expect(400);
    await agent.get(`/leaderboards?scope=team&team=${new Types.ObjectId()}`).expect(404);
    const team = await Team.create({ name: `Why ${Date.now()}`, slug: `why-${Date.now()}` });
    await agent.get(`/leaderboards?scope=team&team=${team._id}`).expect(403);
    // The menus' own choices still fall back to the defaults.
    await agent.get('/leaderboards?dimension=%24ne&period=decade&scope=x&topic=nope').expect(200);
  });

  it('shows a board page with the top and the viewer outside it', async () => {
    const ledger = t.services.scoring.ledger;
    const { agent, user } = await signedIn(t, ['operator'], { locale: 'en' });
    await ledger.record(
      { type: 'test', id: 'board-viewer' },
      [{ user: user.id, rule: 'voteCast', topics: [topics.fibre], actor: null }],
      new Date('2030-01-02T09:00:00Z'),
    );
    const page = await agent
      .get('/leaderboards?dimension=participation&scope=global&period=year&key=2030')
      .expect(200);
    expect(page.text).to.include('Piera Paginata');
    expect(page.text).to.include('You are number 2 of 2, with 1 points.');
  });
});
