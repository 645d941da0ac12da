import { expect } from 'chai';
import { Answer } from '../../../models/answer.ts';
import { AuditEntry } from '../../../models/audit-entry.ts';
import { ContentFlag } from '../../../models/content-flag.ts';
import { Post } from '../../../models/post.ts';
import { Topic } from '../../../models/topic.ts';
import { User } from '../../../models/user.ts';
import { csrfToken, useTestApp } from '../../helpers/app.ts';
import { createPost, createTopics, FAST_POSTING, sessionUserOf } from '../../helpers/content.ts';
import { createUser, signedIn } from '../../helpers/users.ts';

describe('flags and the moderation queue', () => {
  const t = useTestApp({ env: FAST_POSTING });
  let topics: Awaited<ReturnType<typeof createTopics>>;

  before(async () => {
    topics = await createTopics();
  });

  it('lets anyone flag content once (not their own); moderators dismiss or delete, audited', async () => {
    const author = await createUser({ displayName: 'Autore Segnalato' });
    const post = await createPost(t, author, 'question', [topics.billing], {
      title: 'Domanda con pubblicità nascosta dentro',
    });
    const answer = await t.services.answers.create(
      post,
      await sessionUserOf(author),
      'Compra da noi, link nel profilo',
    );
    const { agent: reporter } = await signedIn(t);
    const token = await csrfToken(reporter, `/posts/${post}`);
    await reporter
      .post(`/answers/${answer}/flag`)
      .type('form')
      .send({ _csrf: token, reason: 'spam', comment: 'Pubblicità', _return: `/posts/${post}` })
      .expect(303);
    const twice = await reporter
      .post(`/answers/${answer}/flag`)
      .set('Accept', 'application/json')
      .send({ _csrf: token, reason: 'spam' })
      .expect(409);
    expect(twice.body.error.message).to.include('già segnalato');
    await reporter
      .post(`/posts/${post}/flag`)
      .set('Accept', 'application/json')
      .send({ _csrf: token, reason: 'nonsense' })
      .expect(422);
    const { agent: second } = await signedIn(t);
    const token2 = await csrfToken(second, `/posts/${post}`);
    await second
      .post(`/answers/${answer}/flag`)
      .type('form')
      .send({ _csrf: token2, reason: 'offensive' })
      .expect(303);
    await second
      .post(`/posts/${post}/flag`)
      .type('form')
      .send({ _csrf: token2, reason: 'other', comment: 'Titolo fuorviante' })
      .expect(303);

    const { signIn } = await import('../../helpers/users.ts');
    const own = t.agent();
    await signIn(own, author.email, author.password);
    const ownToken = await csrfToken(own, `/posts/${post}`);
    await own
      .post(`/posts/${post}/flag`)
      .set('Accept', 'application/json')
      .send({ _csrf: ownToken, reason: 'spam' })
      .expect(409);

    const { agent: operator } = await signedIn(t);
    await operator.get('/moderation').expect(403);
    const { agent: km } = await signedIn(t, ['knowledge_manager']);
    const queue = await km.get('/moderation').expect(200);
    expect(queue.text).to.include('Compra da noi');
    expect(queue.text).to.include('Titolo fuorviante');
    expect(queue.text).to.include('Spam o pubblicità');

    const flags = await ContentFlag.find({ status: 'open' }).lean();
    const postFlag = flags.find((f) => f.targetType === 'post')!;
    const answerFlag = flags.find((f) => f.targetType === 'answer')!;
    const kmToken = await csrfToken(km, '/moderation');
    await km
      .post(`/moderation/flags/${postFlag._id}/resolve`)
      .type('form')
      .send({ _csrf: kmToken, outcome: 'dismissed', note: 'Il titolo va bene' })
      .expect(303);
    await km
      .post(`/moderation/flags/${answerFlag._id}/resolve`)
      .type('form')
      .send({ _csrf: kmToken, outcome: 'deleted', note: 'Spam' })
      .expect(303);
    expect((await Answer.findById(answer).lean())?.deleted?.reason).to.equal('Spam');
    expect(
      await ContentFlag.countDocuments({ status: 'open' }),
      'both flags on the deleted answer are closed',
    ).to.equal(0);
    expect((await Post.findById(post).lean())?.deleted).to.equal(null);
    const actions = (await AuditEntry.find({ action: /^moderation\./ } as never).lean()).map((e) => e.action);
    expect(actions).to.include.members([
      'moderation.flag.dismissed',
      'moderation.flag.deleted',
      'moderation.deleteAnswer',
    ]);
    const again = await km
      .post(`/moderation/flags/${postFlag._id}/resolve`)
      .set('Accept', 'application/json')
      .send({ _csrf: kmToken, outcome: 'dismissed' })
      .expect(409);
    expect(again.body.error.message).to.include('già stata gestita');
  });
});

describe('topic taxonomy management', () => {
  const t = useTestApp({ env: FAST_POSTING });

  it('creates, renames in both languages, nests and merges topics (knowledge managers and admins only)', async () => {
    const { agent: operator } = await signedIn(t);
    await operator.get('/topics/manage').expect(403);
    const { agent } = await signedIn(t, ['knowledge_manager']);
    const token = await csrfToken(agent, '/topics/manage');
    await agent
      .post('/topics/manage')
      .type('form')
      .send({
        _csrf: token,
        nameIt: 'Offerte Estate',
        nameEn: 'Summer offers',
        kind: 'product',
        descriptionIt: 'Promozioni estive',
        descriptionEn: 'Summer promotions',
      })
      .expect(303);
    const parent = await Topic.findOne({ slug: 'offerte-estate' }).lean();
    expect(parent?.names).to.deep.equal({ it: 'Offerte Estate', en: 'Summer offers' });
    const dup = await agent
      .post('/topics/manage')
      .set('Accept', 'application/json')
      .send({ _csrf: token, nameIt: 'Offerte estate', nameEn: 'Summer deals', kind: 'product' })
      .expect(422);
    expect(dup.body.error.fields.nameIt).to.include('Esiste già');

    await agent
      .post('/topics/manage')
      .type('form')
      .send({ _csrf: token, nameIt: 'Fibra Estate', nameEn: 'Summer fibre', kind: 'product' })
      .expect(303);
    const child = await Topic.findOne({ slug: 'fibra-estate' }).lean();
    await agent
      .post(`/topics/manage/${child?._id}`)
      .type('form')
      .send({
        _csrf: token,
        nameIt: 'Fibra in estate',
        nameEn: 'Fibre in summer',
        kind: 'product',
        parent: String(parent?._id),
      })
      .expect(303);
    const moved = await Topic.findById(child?._id).lean();
    expect(moved?.names?.en).to.equal('Fibre in summer');
    expect(moved?.ancestors.map(String)).to.deep.equal([String(parent?._id)]);
    const cycle = await agent
      .post(`/topics/manage/${parent?._id}`)
      .set('Accept', 'application/json')
      .send({
        _csrf: token,
        nameIt: 'Offerte Estate',
        nameEn: 'Summer offers',
        kind: 'product',
        parent: String(child?._id),
      })
      .expect(422);
    expect(cycle.body.error.fields.parent).to.include('sotto se stesso');

    const author = await createUser();
    const post = await createPost(t, author, 'tip', [String(child?._id)]);
    const follower = await createUser();
    await User.updateOne({ _id: follower.id }, { $set: { followedTopics: [child?._id] } });
    const target = await Topic.create({
      slug: 'promozioni',
      names: { it: 'Promozioni', en: 'Promotions' },
      kind: 'product',
    });
    await agent
      .post(`/topics/manage/${child?._id}/merge`)
      .type('form')
      .send({ _csrf: token, into: String(target._id) })
      .expect(303);
    expect((await Post.findById(post).lean())?.topics.map(String)).to.deep.equal([String(target._id)]);
    expect((await User.findById(follower.id).lean())?.followedTopics.map(String)).to.deep.equal([
      String(target._id),
    ]);
    expect(String((await Topic.findById(child?._id).lean())?.mergedInto)).to.equal(String(target._id));
    const redirect = await agent.get('/topics/fibra-estate').redirects(0).expect(301);
    expect(redirect.headers.location).to.equal('/topics/promozioni');
    expect(await AuditEntry.countDocuments({ action: /^topics\./ } as never)).to.equal(4);
  });

  it('shows topic pages with their posts, subtopics and a follow button', async () => {
    const topics = await createTopics();
    const author = await createUser();
    await createPost(t, author, 'tip', [topics.sdd], { title: 'Un consiglio sul sotto-argomento' });
    const { agent } = await signedIn(t, ['operator'], { locale: 'en' });
    const billing = await Topic.findById(topics.billing).lean();
    const page = await agent.get(`/topics/${billing?.slug}`).expect(200);
    expect(page.text).to.include('Un consiglio sul sotto-argomento');
    expect(page.text).to.include('Subtopics');
    expect(page.text).to.include('Follow');
    const index = await agent.get('/topics').expect(200);
    expect(index.text).to.include(billing?.names?.en ?? '');
    await agent.get('/topics/no-such-topic').expect(404);
  });
});
