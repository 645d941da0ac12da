import { expect } from 'chai';
import type { Express } from 'express';
import supertest from 'supertest';
import { Answer } from '../../../models/answer.ts';
import { Bookmark } from '../../../models/bookmark.ts';
import { Confirmation } from '../../../models/confirmation.ts';
import { Notification } from '../../../models/notification.ts';
import { Post } from '../../../models/post.ts';
import { RateLimitCounter } from '../../../models/rate-limit-counter.ts';
import { Vote } from '../../../models/vote.ts';
import { createApp } from '../../../server/app.ts';
import { buildRuntime, type Runtime } from '../../../server/runtime.ts';
import { ScoringSettings } from '../../../server/scoring/scoring.settings.ts';
import { csrfToken, TEST_SESSION_SECRET, useTestApp } from '../../helpers/app.ts';
import { createPost, createTopics, sessionUserOf } from '../../helpers/content.ts';
import { onlyOnEngine, testLogger } from '../../helpers/engine.ts';
import { createUser } from '../../helpers/users.ts';

/**
 * Two app instances on one database, as production runs them on MongoDB: A is
 * the test app, B a second runtime (its own services, caches and event bus)
 * and app on the same database. Each fact goes through one instance; what the
 * other one holds must not make a counter, a limit or a session disagree.
 */
describe('two app instances on one database (MongoDB adapter)', function () {
  this.timeout(60_000);
  const t = useTestApp({
    env: { LOGIN_MAX_FAILURES: '5', LOGIN_IP_MAX_FAILURES: '100', POST_INTERVAL_SECONDS: '0' },
  });
  let b: Runtime;
  let appB: Express;
  let topics: Awaited<ReturnType<typeof createTopics>>;

  before(async function () {
    onlyOnEngine(
      this,
      ['mongo-java-server', 'mongod'],
      'several instances run on MongoDB (the embedded engine serves one instance, and a second is refused)',
    );
    b = buildRuntime(t.config, testLogger, { cleanupMinutes: 0 });
    await b.repos.ready();
    appB = createApp({
      config: t.config,
      logger: testLogger,
      i18n: t.i18n,
      events: b.events,
      services: b.services,
      sessionSecret: TEST_SESSION_SECRET,
    });
    topics = await createTopics();
  });

  after(() => {
    b?.sessions.close();
  });

  const both = () => [t.services, b.services] as const;

  it('counts votes, confirmations, answers and bookmarks arriving on both at once exactly', async () => {
    const author = await createUser();
    const insight = await createPost(t, author, 'insight', [topics.billing]);
    const question = await createPost(t, author, 'question', [topics.fibre]);
    const people = await Promise.all(
      Array.from({ length: 16 }, async () => sessionUserOf(await createUser())),
    );

    await Promise.all(
      people.flatMap((person, i) => {
        const services = both()[i % 2]!;
        const other = both()[(i + 1) % 2]!;
        return [
          services.votes.vote(person, 'post', insight, 1),
          other.posts.confirm(insight, person),
          services.answers.create(question, person, `Risposta ${i}: ho verificato il contratto in archivio.`),
          // The same bookmark asked on both instances at once is one bookmark.
          services.posts.setBookmark(insight, person, true),
          other.posts.setBookmark(insight, person, true),
        ];
      }),
    );

    const post = await Post.findById(insight).lean();
    expect([post?.voteScore, post?.upvotes, post?.confirmations]).to.deep.equal([16, 16, 16]);
    expect(await Vote.countDocuments({ targetId: insight })).to.equal(16);
    expect(await Confirmation.countDocuments({ post: insight })).to.equal(16);
    expect(await Bookmark.countDocuments({ post: insight })).to.equal(16);
    expect((await Post.findById(question).lean())?.answerCount).to.equal(16);
    expect(await Answer.countDocuments({ post: question })).to.equal(16);
    // Each instance reconciles from the stored facts and finds nothing to fix.
    for (const services of both()) {
      expect((await services.votes.reconcile(false)).drifted).to.deep.equal([]);
      expect((await services.posts.reconcileCounters(false)).drifted).to.deep.equal([]);
    }

    // The asker is told once per question however many instances stored the answers: one grouped notification.
    const told = await Notification.find({ recipient: author.id, 'target.id': question }).lean();
    expect(told).to.have.length(1);
    expect(told[0]?.count).to.equal(16);
  });

  it('shares sessions: signed in on A, the same cookie is signed in on B, and signing out on B ends it on A', async () => {
    const user = await createUser();
    const agentA = t.agent();
    const token = await csrfToken(agentA, '/login');
    const login = await agentA
      .post('/login')
      .type('form')
      .send({ _csrf: token, email: user.email, password: user.password })
      .expect(303);
    const cookie = login.headers['set-cookie'] as unknown as string[];
    const me = await supertest(appB).get('/api/me').set('Cookie', cookie).expect(200);
    expect(me.body.user.id).to.equal(user.id);

    const home = await supertest(appB).get('/').set('Cookie', cookie).expect(200);
    const logoutToken = /name="_csrf" value="([^"]+)"/.exec(home.text)?.[1];
    const setCookie = (home.headers['set-cookie'] as unknown as string[] | undefined) ?? [];
    const jar = new Map<string, string>();
    for (const c of [...cookie, ...setCookie]) {
      const pair = c.split(';')[0]!;
      jar.set(pair.split('=')[0]!, pair);
    }
    await supertest(appB)
      .post('/logout')
      .set('Cookie', [...jar.values()].join('; '))
      .type('form')
      .send({ _csrf: logoutToken })
      .expect(303);
    await agentA.get('/api/me').expect(401);
  });

  it('sees on B a settings change made on A within the settings cache time', async () => {
    const admin = await sessionUserOf(await createUser({ roles: ['admin'] }));
    await b.services.scoring.settings.privacy();
    await t.services.scoring.settings.setPrivacy('protected', admin);
    const changed = Date.now();
    try {
      let seen = await b.services.scoring.settings.privacy();
      while (seen !== 'protected' && Date.now() - changed < ScoringSettings.CACHE_MS + 1000) {
        await new Promise((r) => setTimeout(r, 200));
        seen = await b.services.scoring.settings.privacy();
      }
      expect(seen).to.equal('protected');
    } finally {
      await t.services.scoring.settings.setPrivacy('open', admin);
    }
  });

  it('shares the sign-in limits: failures on A and on B lock the account on both', async () => {
    await RateLimitCounter.deleteMany({});
    const user = await createUser();
    const fail = async (app: Express | null) => {
      const agent = app ? supertest.agent(app) : t.agent();
      const token = await csrfToken(agent, '/login');
      return agent
        .post('/login')
        .type('form')
        .send({ _csrf: token, email: user.email, password: 'not the password at all' });
    };
    for (let i = 0; i < 5; i++) expect((await fail(i % 2 === 0 ? null : appB)).status).to.equal(401);
    for (const app of [null, appB]) {
      const agent = app ? supertest.agent(app) : t.agent();
      const token = await csrfToken(agent, '/login');
      const locked = await agent
        .post('/login')
        .type('form')
        .send({ _csrf: token, email: user.email, password: user.password });
      expect(locked.status, app ? 'on B' : 'on A').to.equal(429);
    }
  });
});
