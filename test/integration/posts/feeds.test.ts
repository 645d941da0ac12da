import { expect } from 'chai';
import { Types } from 'mongoose';
import { Post } from '../../../models/post.ts';
import { Team } from '../../../models/team.ts';
import { Topic } from '../../../models/topic.ts';
import { User } from '../../../models/user.ts';
import { csrfToken, useTestApp } from '../../helpers/app.ts';
import { createPost, createTopics, FAST_POSTING, sessionUserOf } from '../../helpers/content.ts';
import { decodeHtml } from '../../helpers/html.ts';
import { createUser, signedIn } from '../../helpers/users.ts';

function idsIn(html: string): string[] {
  return [...html.matchAll(/id="post-([0-9a-f]{24})"/g)].map((m) => m[1]!);
}

/** The post links of one box of the side column, in order. */
function asideLinks(html: string, box: 'topics' | 'unanswered' | 'trending'): string[] {
  const section = new RegExp(`data-testid="aside-${box}">([\\s\\S]*?)</section>`).exec(html)?.[1] ?? '';
  return [...section.matchAll(/href="\/(?:posts|topics)\/([^"]+)"/g)].map((m) => m[1]!);
}

function asideText(html: string, box: 'topics' | 'unanswered' | 'trending'): string {
  const section = new RegExp(`data-testid="aside-${box}">([\\s\\S]*?)</section>`).exec(html)?.[1] ?? '';
  return decodeHtml(section.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' '));
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

  it('pages through "top of the week" in rank order, ties broken the same way on every page', async () => {
    const own = await createTopics();
    const author = await createUser();
    const ids: string[] = [];
    for (let i = 0; i < 27; i++)
      ids.push(await createPost(t, author, 'tip', [own.fibre], { title: `Classifica ${i}` }));
    // Scores 0..8 three times each: ties on votes, broken by confirmations, then by the newer post.
    for (const [i, id] of ids.entries())
      await Post.updateOne({ _id: id }, { $set: { voteScore: i % 9, confirmations: i % 2 } });
    const { agent } = await signedIn(t);
    const seen: string[] = [];
    let next: string | null = `/posts?topic=${own.fibre}&sort=top&period=week`;
    while (next) {
      const page = (await agent.get(next).expect(200)).text;
      seen.push(...idsIn(page));
      next = nextLink(page);
    }
    const expected = ids
      .map((id, i) => ({ id, votes: i % 9, confirmations: i % 2, i }))
      .sort((a, b) => b.votes - a.votes || b.confirmations - a.confirmations || b.i - a.i)
      .map((p) => p.id);
    expect(seen).to.deep.equal(expected);
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

  it("puts a side column beside the feeds: my topics, their unanswered questions, this week's best", async () => {
    const own = await createTopics();
    const viewer = await signedIn(t, ['operator']);
    const colleague = await createUser();
    // Nothing followed yet: each box says what to do.
    let home = (await viewer.agent.get('/').expect(200)).text;
    expect(asideLinks(home, 'topics')).to.deep.equal([]);
    expect(asideText(home, 'topics')).to.include('Non segui ancora nessun argomento');
    expect(asideText(home, 'unanswered')).to.include('appena ne segui qualcuno');

    const inSubtopic = await createPost(t, colleague, 'question', [own.sdd], {
      title: 'Domanda nel sottoargomento',
    });
    const inTopic = await createPost(t, colleague, 'question', [own.billing], { title: 'Domanda aperta' });
    const answered = await createPost(t, colleague, 'question', [own.billing], { title: 'Domanda risolta' });
    await t.services.answers.create(answered, await sessionUserOf(viewer.user), 'Ecco come');
    const mine = await createPost(t, viewer.user, 'question', [own.billing], { title: 'La mia domanda' });
    const elsewhere = await createPost(t, colleague, 'question', [own.fibre], {
      title: 'Fuori dai miei argomenti',
    });
    const token = await csrfToken(viewer.agent, '/topics');
    await viewer.agent
      .post(`/topics/${own.billing}/follow`)
      .set('Accept', 'application/json')
      .send({ _csrf: token })
      .expect(200);

    // Trending: this week's posts with votes or confirmations, the most voted first; older ones out.
    const voters = await Promise.all([createUser(), createUser(), createUser()]);
    const best = await createPost(t, colleague, 'tip', [own.fibre], {
      title: 'Il consiglio della settimana',
    });
    const second = await createPost(t, colleague, 'tip', [own.fibre], { title: 'Un buon consiglio' });
    const aged = await createPost(t, colleague, 'tip', [own.fibre], { title: 'Consiglio di un mese fa' });
    for (const voter of voters) {
      const who = await sessionUserOf(voter);
      await t.services.votes.vote(who, 'post', best, 1);
      await t.services.votes.vote(who, 'post', aged, 1);
    }
    await t.services.votes.vote(await sessionUserOf(voters[0]!), 'post', second, 1);
    await Post.updateOne({ _id: best }, { $inc: { voteScore: 100 } });
    await Post.updateOne({ _id: second }, { $inc: { voteScore: 90 } });
    await Post.updateOne({ _id: aged }, { $inc: { voteScore: 200 } });
    await Post.collection.updateOne(
      { _id: new Types.ObjectId(aged) },
      { $set: { createdAt: new Date(Date.now() - 8 * 86_400_000) } },
    );

    for (const path of ['/', '/questions', '/posts']) {
      const html = (await viewer.agent.get(path).expect(200)).text;
      const slug = (await Topic.findById(own.billing).lean())!.slug;
      expect(asideLinks(html, 'topics'), path).to.deep.equal([slug]);
      expect(asideLinks(html, 'unanswered'), path).to.deep.equal([inTopic, inSubtopic]);
      expect(asideLinks(html, 'unanswered')).to.not.include.members([answered, mine, elsewhere]);
      expect(asideText(html, 'unanswered')).to.include('Tutte le domande senza risposta');
      const trending = asideLinks(html, 'trending');
      expect(trending.slice(0, 2), path).to.deep.equal([best, second]);
      expect(trending).to.not.include(aged);
    }
    home = (await viewer.agent.get('/').expect(200)).text;
    expect(decodeHtml(home), 'the one followed topic is the link to all its open questions').to.include(
      `/questions?unanswered=1&topic=${own.billing}`,
    );

    // Once answered, a question leaves the box; with none left, the box says so and points elsewhere.
    await t.services.answers.create(inTopic, await sessionUserOf(viewer.user), 'Risposta');
    await t.services.answers.create(inSubtopic, await sessionUserOf(viewer.user), 'Risposta');
    home = (await viewer.agent.get('/').expect(200)).text;
    expect(asideLinks(home, 'unanswered')).to.deep.equal([]);
    expect(asideText(home, 'unanswered')).to.include('Ogni domanda nei tuoi argomenti ha una risposta');
  });
});
