import { expect } from 'chai';
import { Answer } from '../../../models/answer.ts';
import { Post } from '../../../models/post.ts';
import { Vote } from '../../../models/vote.ts';
import type { DomainEvents } from '../../../server/core/events.ts';
import { csrfToken, useTestApp } from '../../helpers/app.ts';
import { createPost, createTopics, FAST_POSTING, sessionUserOf } from '../../helpers/content.ts';
import { createUser, signedIn, signIn } from '../../helpers/users.ts';

describe('votes', function () {
  this.timeout(60_000);
  const t = useTestApp({ env: FAST_POSTING });
  let topics: Awaited<ReturnType<typeof createTopics>>;

  before(async () => {
    topics = await createTopics();
  });

  it('votes up and down on insights, tips, questions and answers; changes and retracts; counters follow', async () => {
    const author = await createUser();
    const insight = await createPost(t, author, 'insight', [topics.billing]);
    const { agent } = await signedIn(t);
    const token = await csrfToken(agent, `/posts/${insight}`);
    const vote = (value: string) =>
      agent
        .post('/votes')
        .set('Accept', 'application/json')
        .send({ _csrf: token, targetType: 'post', targetId: insight, value });
    expect((await vote('1').expect(200)).body).to.deep.equal({
      value: 1,
      voteScore: 1,
      upvotes: 1,
      downvotes: 0,
    });
    expect((await vote('1').expect(200)).body.voteScore, 'same vote twice changes nothing').to.equal(1);
    expect((await vote('-1').expect(200)).body).to.deep.equal({
      value: -1,
      voteScore: -1,
      upvotes: 0,
      downvotes: 1,
    });
    expect((await vote('0').expect(200)).body).to.deep.equal({
      value: 0,
      voteScore: 0,
      upvotes: 0,
      downvotes: 0,
    });
    expect(await Vote.countDocuments({ targetId: insight })).to.equal(0);

    const question = await createPost(t, author, 'question', [topics.billing]);
    const answer = await t.services.answers.create(
      question,
      await sessionUserOf(author),
      'Risposta da votare',
    );
    await agent
      .post('/votes')
      .type('form')
      .send({
        _csrf: token,
        targetType: 'answer',
        targetId: answer,
        value: '1',
        _return: `/posts/${question}`,
      })
      .expect(303);
    expect((await Answer.findById(answer).lean())?.voteScore).to.equal(1);
    const page = await agent.get(`/posts/${question}`).expect(200);
    expect(page.text).to.match(/aria-pressed="true" aria-label="Ritira il voto positivo"/);
    // Questions take votes too (a question many find useful rises in "top").
    const onQuestion = await agent
      .post('/votes')
      .set('Accept', 'application/json')
      .send({ _csrf: token, targetType: 'post', targetId: question, value: '1' })
      .expect(200);
    expect(onQuestion.body).to.deep.include({ value: 1, voteScore: 1, upvotes: 1 });
    expect((await Post.findById(question).lean())?.voteScore).to.equal(1);
  });

  it('never lets people vote on their own content', async () => {
    const { agent, user } = await signedIn(t);
    const own = await createPost(t, user, 'tip', [topics.billing]);
    const token = await csrfToken(agent, `/posts/${own}`);
    const res = await agent
      .post('/votes')
      .set('Accept', 'application/json')
      .send({ _csrf: token, targetType: 'post', targetId: own, value: '1' })
      .expect(409);
    expect(res.body.error.message).to.include('tuoi contenuti');
    expect((await agent.get(`/posts/${own}`)).text).to.include(
      'disabled title="Non puoi votare i tuoi contenuti"',
    );
  });

  it('stores exactly one vote and moves the counter by exactly one under 100 concurrent identical requests', async () => {
    const author = await createUser();
    const tip = await createPost(t, author, 'tip', [topics.billing]);
    const { agent } = await signedIn(t);
    const token = await csrfToken(agent, `/posts/${tip}`);
    const cast: Array<DomainEvents['vote.cast']> = [];
    const off = t.events.on('vote.cast', (e) => {
      cast.push(e);
    });
    const responses = await Promise.all(
      Array.from({ length: 100 }, () =>
        agent
          .post('/votes')
          .set('Accept', 'application/json')
          .send({ _csrf: token, targetType: 'post', targetId: tip, value: '1' }),
      ),
    );
    off();
    expect(responses.every((r) => r.status === 200)).to.equal(true);
    expect(await Vote.countDocuments({ targetId: tip })).to.equal(1);
    const post = await Post.findById(tip).lean();
    expect([post?.voteScore, post?.upvotes, post?.downvotes]).to.deep.equal([1, 1, 0]);
    expect(
      cast.filter((e) => e.targetId === tip),
      'one fact, announced once',
    ).to.have.length(1);
  });

  it('counts 25 different voters voting at the same moment exactly', async () => {
    const author = await createUser();
    const tip = await createPost(t, author, 'tip', [topics.billing]);
    const voters = await Promise.all(
      Array.from({ length: 25 }, async () => sessionUserOf(await createUser())),
    );
    await Promise.all(voters.map((voter) => t.services.votes.vote(voter, 'post', tip, 1)));
    const post = await Post.findById(tip).lean();
    expect([post?.voteScore, post?.upvotes]).to.deep.equal([25, 25]);
    expect(await Vote.countDocuments({ targetId: tip })).to.equal(25);
  });

  it('keeps counters equal to the stored votes across many voters, and the check command finds drift', async () => {
    const author = await createUser();
    const tip = await createPost(t, author, 'tip', [topics.fibre]);
    const voters = await Promise.all(Array.from({ length: 6 }, () => createUser()));
    for (const [i, voter] of voters.entries()) {
      await t.services.votes.vote(await sessionUserOf(voter), 'post', tip, i % 3 === 0 ? -1 : 1);
    }
    await t.services.votes.vote(await sessionUserOf(voters[1]!), 'post', tip, 0);
    const post = await Post.findById(tip).lean();
    const stored = await Vote.find({ targetId: tip }).lean();
    expect(post?.voteScore).to.equal(stored.reduce((s, v) => s + v.value, 0));
    expect(post?.upvotes).to.equal(stored.filter((v) => v.value === 1).length);

    const clean = await t.services.votes.reconcile(false);
    expect(clean.drifted).to.deep.equal([]);
    await Post.updateOne({ _id: tip }, { $inc: { voteScore: 5 } });
    const drift = await t.services.votes.reconcile(true);
    expect(drift.drifted.map((d) => d.id)).to.deep.equal([tip]);
    expect((await Post.findById(tip).lean())?.voteScore).to.equal(post?.voteScore);
    expect((await t.services.votes.reconcile(false)).drifted).to.deep.equal([]);
  });

  it('sorts feeds by score', async () => {
    const author = await createUser();
    const fresh = await createTopics();
    const low = await createPost(t, author, 'tip', [fresh.fibre], { title: 'Consiglio poco votato davvero' });
    const high = await createPost(t, author, 'tip', [fresh.fibre], {
      title: 'Consiglio molto votato davvero',
    });
    for (let i = 0; i < 3; i++)
      await t.services.votes.vote(await sessionUserOf(await createUser()), 'post', high, 1);
    await t.services.votes.vote(await sessionUserOf(await createUser()), 'post', low, 1);
    const viewer = t.agent();
    const reader = await createUser();
    await signIn(viewer, reader.email, reader.password);
    const page = await viewer.get(`/posts?topic=${fresh.fibre}&sort=top&period=week`).expect(200);
    expect(page.text.indexOf('Consiglio molto votato')).to.be.lessThan(
      page.text.indexOf('Consiglio poco votato'),
    );
    expect(page.text).to.include('3 voti');
  });
});
