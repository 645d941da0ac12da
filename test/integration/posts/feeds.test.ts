import { expect } from 'chai';
import { Types } from 'mongoose';
import { Post } from '../../../models/post.ts';
import { Team } from '../../../models/team.ts';
import { User } from '../../../models/user.ts';
import { csrfToken, useTestApp } from '../../helpers/app.ts';
import { createPost, createTopics, FAST_POSTING, sessionUserOf } from '../../helpers/content.ts';
import { decodeHtml } from '../../helpers/html.ts';
import { createUser, signedIn } from '../../helpers/users.ts';

function idsIn(html: string): string[] {
  return [...html.matchAll(/id="post-([0-9a-f]{24})"/g)].map((m) => m[1]!);
}

function nextLink(html: string): string | null {
  const match = /rel="next" class="button button-secondary" href="([^"]+)"/.exec(html);
  return match?.[1] ? decodeHtml(match[1]) : null;
}

describe('feeds', function () {
  this.timeout(60_000);
  const t = useTestApp({ env: FAST_POSTING });
  let topics: Awaited<ReturnType<typeof createTopics>>;

  before(async () => {
    topics = await createTopics();
  });

  it('pages with a cursor without duplicates or gaps while new posts arrive', async () => {
    const author = await createUser();
    const created: string[] = [];
    for (let i = 0; i < 45; i++)
      created.push(
        await createPost(t, author, 'tip', [topics.fibre], { title: `Consiglio in serie numero ${i}` }),
      );
    const { agent } = await signedIn(t);
    const seen: string[] = [];
    let page = await agent.get(`/posts?topic=${topics.fibre}`).expect(200);
    seen.push(...idsIn(page.text));
    expect(seen).to.have.length(20);
    // Newer posts arrive while someone reads page 1.
    for (let i = 0; i < 5; i++)
      await createPost(t, author, 'tip', [topics.fibre], { title: `Arrivato dopo ${i}` });
    let next = nextLink(page.text);
    while (next) {
      page = await agent.get(next).expect(200);
      seen.push(...idsIn(page.text));
      next = nextLink(page.text);
    }
    expect(new Set(seen).size, 'no duplicates').to.equal(seen.length);
    expect([...seen].sort()).to.deep.equal([...created].sort());
    expect(seen).to.deep.equal([...created].reverse());
  });

  it('filters by kind, topic (with subtopics), tag, author and unanswered, and combines filters', async () => {
    const a = await createUser();
    const b = await createUser();
    const insight = await createPost(t, a, 'insight', [topics.sdd], { tags: ['estate'] });
    const question = await createPost(t, b, 'question', [topics.billing]);
    const answered = await createPost(t, b, 'question', [topics.billing]);
    await t.services.answers.create(answered, await sessionUserOf(a), 'Risposta');
    const tip = await createPost(t, a, 'tip', [topics.fibre], { tags: ['estate'] });
    const { agent } = await signedIn(t);
    const get = async (query: string) => idsIn((await agent.get(`/posts?${query}`).expect(200)).text);
    expect(await get('kind=insight'))
      .to.include(insight)
      .and.not.include(tip);
    const billing = await get(`topic=${topics.billing}`);
    expect(billing, 'a topic includes its subtopics').to.include.members([insight, question, answered]);
    expect(billing).to.not.include(tip);
    expect(await get('tag=estate'))
      .to.include.members([insight, tip])
      .and.not.include(question);
    expect(await get(`tag=estate&kind=tip`)).to.deep.equal([tip]);
    expect(await get(`author=${b.id}`)).to.have.members([question, answered]);
    const unanswered = idsIn((await agent.get('/questions?unanswered=1').expect(200)).text);
    expect(unanswered).to.include(question).and.not.include(answered);
  });

  it('sorts by activity and by top of the period', async () => {
    const a = await createUser();
    const { sdd } = topics;
    const old = await createPost(t, a, 'tip', [sdd], { title: 'Vecchio ma attivo' });
    const recent = await createPost(t, a, 'tip', [sdd], { title: 'Recente e quieto' });
    await Post.updateOne(
      { _id: old },
      { $set: { lastActivityAt: new Date(Date.now() + 60_000), voteScore: 7 } },
    );
    const { agent } = await signedIn(t);
    const active = idsIn((await agent.get(`/posts?topic=${sdd}&sort=active`).expect(200)).text);
    expect(active.indexOf(old)).to.be.lessThan(active.indexOf(recent));
    const top = idsIn((await agent.get(`/posts?topic=${sdd}&sort=top&period=week`).expect(200)).text);
    expect(top[0]).to.equal(old);
    // createdAt is immutable through mongoose: age the post directly.
    await Post.collection.updateOne(
      { _id: new Types.ObjectId(old) },
      { $set: { createdAt: new Date(Date.now() - 40 * 86_400_000) } },
    );
    const topMonth = idsIn((await agent.get(`/posts?topic=${sdd}&sort=top&period=month`).expect(200)).text);
    expect(topMonth, 'older than a month is out of "top of the month"').to.not.include(old);
  });

  it('puts followed topics, followed people and the own team first on the home page', async () => {
    const team = await Team.create({ name: 'Squadra Feed', slug: 'squadra-feed' });
    const viewer = await signedIn(t, ['operator'], { team: team._id });
    const teammate = await createUser({ team: team._id });
    const followedPerson = await createUser();
    const stranger = await createUser();
    const own = await createTopics();
    const fromTeam = await createPost(t, teammate, 'tip', [own.fibre], { title: 'Dal mio team' });
    const fromFollowed = await createPost(t, followedPerson, 'tip', [own.fibre], { title: 'Da chi seguo' });
    const onFollowedTopic = await createPost(t, stranger, 'tip', [own.sdd], {
      title: 'Su un argomento seguito',
    });
    const elsewhere = await createPost(t, stranger, 'tip', [own.fibre], { title: 'Altrove' });
    // The newest post of all is unrelated: it must still come after the personal ones.
    const newest = await createPost(t, stranger, 'tip', [own.fibre], { title: 'Il più recente di tutti' });
    const token = await csrfToken(viewer.agent, '/topics');
    await viewer.agent
      .post(`/people/${followedPerson.id}/follow`)
      .type('form')
      .send({ _csrf: token })
      .expect(303);
    await viewer.agent
      .post(`/topics/${own.billing}/follow`)
      .set('Accept', 'application/json')
      .send({ _csrf: token })
      .expect(200);
    const me = await User.findById(viewer.user.id).lean();
    expect(me?.followedTopics.map(String)).to.deep.equal([own.billing]);
    const ids = idsIn((await viewer.agent.get('/').expect(200)).text);
    const personal = [onFollowedTopic, fromFollowed, fromTeam];
    for (const id of personal) expect(ids.indexOf(id), 'personal first').to.be.lessThan(ids.indexOf(newest));
    expect(ids).to.include(elsewhere);
    await viewer.agent
      .post(`/topics/${own.billing}/unfollow`)
      .type('form')
      .send({ _csrf: token })
      .expect(303);
    await viewer.agent
      .post(`/people/${viewer.user.id}/follow`)
      .set('Accept', 'application/json')
      .send({ _csrf: token })
      .expect(409);
  });

  it('pages through the home feed from the personal part into the rest without losing posts', async () => {
    const team = await Team.create({ name: 'Squadra Paging', slug: 'squadra-paging' });
    const viewer = await signedIn(t, ['operator'], { team: team._id });
    const teammate = await createUser({ team: team._id });
    const stranger = await createUser();
    const own = await createTopics();
    const mine: string[] = [];
    const rest: string[] = [];
    for (let i = 0; i < 25; i++) mine.push(await createPost(t, teammate, 'tip', [own.fibre]));
    for (let i = 0; i < 10; i++) rest.push(await createPost(t, stranger, 'tip', [own.fibre]));
    const seen: string[] = [];
    let page = await viewer.agent.get('/').expect(200);
    seen.push(...idsIn(page.text));
    let next = nextLink(page.text);
    while (next) {
      page = await viewer.agent.get(next).expect(200);
      seen.push(...idsIn(page.text));
      next = nextLink(page.text);
    }
    expect(new Set(seen).size).to.equal(seen.length);
    const relevant = seen.filter((id) => mine.includes(id) || rest.includes(id));
    expect(relevant.slice(0, 25)).to.deep.equal([...mine].reverse());
    expect(relevant.slice(25)).to.deep.equal([...rest].reverse());
  });

  it('ignores a tampered cursor instead of failing', async () => {
    const { agent } = await signedIn(t);
    await agent.get('/posts?cursor=not-base64-json').expect(200);
    await agent.get(`/posts?cursor=${Buffer.from('{"v":[1]}').toString('base64url')}`).expect(200);
    await agent.get('/?cursor=%7B%7D').expect(200);
  });
});
