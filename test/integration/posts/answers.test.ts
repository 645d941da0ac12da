import { expect } from 'chai';
import { Answer } from '../../../models/answer.ts';
import { Comment } from '../../../models/comment.ts';
import { Post } from '../../../models/post.ts';
import { Revision } from '../../../models/revision.ts';
import type { DomainEvents } from '../../../server/core/events.ts';
import { csrfToken, useTestApp } from '../../helpers/app.ts';
import { createPost, createTopics, FAST_POSTING, sessionUserOf } from '../../helpers/content.ts';
import { createUser, signedIn, signIn } from '../../helpers/users.ts';

describe('answers and comments', () => {
  const t = useTestApp({ env: FAST_POSTING });
  let topics: Awaited<ReturnType<typeof createTopics>>;

  before(async () => {
    topics = await createTopics();
  });

  it('answers questions only, counts them and shows them in order', async () => {
    const asker = await createUser();
    const question = await createPost(t, asker, 'question', [topics.billing]);
    const tip = await createPost(t, asker, 'tip', [topics.billing]);
    const { agent } = await signedIn(t, ['operator'], { displayName: 'Chi Risponde' });
    const token = await csrfToken(agent, `/posts/${question}`);
    const res = await agent
      .post(`/posts/${question}/answers`)
      .type('form')
      .send({ _csrf: token, body: 'Apri la **rettifica lettura**.' })
      .expect(303);
    expect(res.headers.location).to.match(new RegExp(`^/posts/${question}#answer-[0-9a-f]{24}$`));
    await agent
      .post(`/posts/${question}/answers`)
      .type('form')
      .send({ _csrf: token, body: 'Poi sospendi l’incasso.' })
      .expect(303);
    const onTip = await agent
      .post(`/posts/${tip}/answers`)
      .set('Accept', 'application/json')
      .send({ _csrf: token, body: 'no' })
      .expect(409);
    expect(onTip.body.error.message).to.include('Solo le domande');
    const empty = await agent
      .post(`/posts/${question}/answers`)
      .set('Accept', 'application/json')
      .send({ _csrf: token, body: '   ' })
      .expect(422);
    expect(empty.body.error.fields.body).to.equal('Campo obbligatorio.');
    expect((await Post.findById(question).lean())?.answerCount).to.equal(2);
    const page = await agent.get(`/posts/${question}`).expect(200);
    expect(page.text.indexOf('rettifica lettura')).to.be.lessThan(page.text.indexOf('sospendi l’incasso'));
    expect(page.text).to.include('2 risposte');
    // Unanswered filter: answered questions leave it.
    const unanswered = await agent.get('/questions?unanswered=1').expect(200);
    expect(unanswered.text).to.not.include(`/posts/${question}"`);
  });

  it('lets the asker, a team lead or a knowledge manager accept, one answer at a time', async () => {
    const asker = await createUser();
    const question = await createPost(t, asker, 'question', [topics.billing]);
    const helper = await createUser();
    const other = await createUser();
    const first = await t.services.answers.create(question, await sessionUserOf(helper), 'Prima risposta');
    const second = await t.services.answers.create(question, await sessionUserOf(other), 'Seconda risposta');
    const accepted: Array<DomainEvents['answer.accepted']> = [];
    const unaccepted: Array<DomainEvents['answer.unaccepted']> = [];
    const offA = t.events.on('answer.accepted', (e) => {
      accepted.push(e);
    });
    const offU = t.events.on('answer.unaccepted', (e) => {
      unaccepted.push(e);
    });

    const { agent: bystander } = await signedIn(t, ['operator']);
    let token = await csrfToken(bystander, `/posts/${question}`);
    const refused = await bystander
      .post(`/answers/${first}/accept`)
      .set('Accept', 'application/json')
      .send({ _csrf: token })
      .expect(403);
    expect(refused.body.error.message).to.include('Solo chi ha fatto la domanda');
    expect((await bystander.get(`/posts/${question}`)).text).to.not.include('Accetta questa risposta');

    const askerAgent = t.agent();
    await signIn(askerAgent, asker.email, asker.password);
    token = await csrfToken(askerAgent, `/posts/${question}`);
    await askerAgent.post(`/answers/${first}/accept`).type('form').send({ _csrf: token }).expect(303);
    expect(String((await Post.findById(question).lean())?.acceptedAnswer)).to.equal(first);
    // "Risposta accettata · scelta da …": the word is not said twice.
    const thread = (await askerAgent.get(`/posts/${question}`).expect(200)).text;
    const mark = /<p class="accepted-mark">([\s\S]*?)<\/p>/.exec(thread)?.[1]?.replace(/<[^>]+>/g, '') ?? '';
    expect(mark.replace(/\s+/g, ' ').trim()).to.match(/^Risposta accettata · scelta da .+$/);
    expect(mark).not.to.match(/accettata.*accettata/);

    const { agent: lead } = await signedIn(t, ['team_lead']);
    token = await csrfToken(lead, `/posts/${question}`);
    await lead.post(`/answers/${second}/accept`).type('form').send({ _csrf: token }).expect(303);
    const answers = await Answer.find({ post: question }).lean();
    expect(answers.filter((a) => a.accepted).map((a) => String(a._id))).to.deep.equal([second]);
    expect(String((await Post.findById(question).lean())?.acceptedAnswer)).to.equal(second);

    const { agent: km } = await signedIn(t, ['knowledge_manager']);
    token = await csrfToken(km, `/posts/${question}`);
    await km.post(`/answers/${second}/unaccept`).type('form').send({ _csrf: token }).expect(303);
    expect((await Post.findById(question).lean())?.acceptedAnswer).to.equal(null);
    offA();
    offU();
    expect(accepted.map((e) => e.answerId)).to.deep.equal([first, second]);
    expect(unaccepted.map((e) => e.answerId)).to.deep.equal([first, second]);
    expect(accepted[0]).to.include({
      answerAuthorId: helper.id,
      acceptedById: asker.id,
      postAuthorId: asker.id,
    });
  });

  it('keeps one accepted answer when several are accepted at once, with balanced events', async () => {
    const asker = await createUser();
    const question = await createPost(t, asker, 'question', [topics.billing]);
    const answerer = await sessionUserOf(await createUser());
    const answers: string[] = [];
    for (let i = 0; i < 4; i++)
      answers.push(await t.services.answers.create(question, answerer, `Risposta ${i}`));
    let balance = 0;
    const offA = t.events.on('answer.accepted', () => {
      balance++;
    });
    const offU = t.events.on('answer.unaccepted', () => {
      balance--;
    });
    const me = await sessionUserOf(asker);
    try {
      await Promise.all([...answers, ...answers].map((id) => t.services.answers.accept(id, me)));
    } finally {
      offA();
      offU();
    }
    const flagged = (await Answer.find({ post: question }).lean())
      .filter((a) => a.accepted)
      .map((a) => String(a._id));
    expect(flagged).to.have.length(1);
    expect(String((await Post.findById(question).lean())?.acceptedAnswer)).to.equal(flagged[0]);
    expect(balance, 'accepted minus unaccepted events').to.equal(1);
  });

  it('edits answers with revisions and deletes them softly, keeping the thread readable', async () => {
    const asker = await createUser();
    const question = await createPost(t, asker, 'question', [topics.billing]);
    const { agent, user } = await signedIn(t);
    const answerId = await t.services.answers.create(
      question,
      await sessionUserOf(user),
      'Versione uno della risposta',
    );
    await t.services.answers.accept(answerId, await sessionUserOf(asker));
    const token = await csrfToken(agent, `/answers/${answerId}/edit`);
    await agent
      .post(`/answers/${answerId}/edit`)
      .type('form')
      .send({ _csrf: token, body: 'Versione due della risposta' })
      .expect(303);
    expect(await Revision.countDocuments({ targetType: 'answer', targetId: answerId })).to.equal(2);
    const history = await agent.get(`/answers/${answerId}/history`).expect(200);
    expect(history.text).to.include('<del>uno</del>');

    const { agent: someoneElse } = await signedIn(t);
    const otherToken = await csrfToken(someoneElse, `/posts/${question}`);
    await someoneElse
      .post(`/answers/${answerId}/edit`)
      .type('form')
      .send({ _csrf: otherToken, body: 'hijack' })
      .expect(403);
    await someoneElse
      .post(`/answers/${answerId}/delete`)
      .type('form')
      .send({ _csrf: otherToken })
      .expect(403);

    await agent.post(`/answers/${answerId}/delete`).type('form').send({ _csrf: token }).expect(303);
    const post = await Post.findById(question).lean();
    expect(post?.answerCount).to.equal(0);
    expect(post?.acceptedAnswer, 'a deleted answer is no longer accepted').to.equal(null);
    const page = await someoneElse.get(`/posts/${question}`).expect(200);
    expect(page.text).to.include('Questa risposta è stata eliminata');
    expect(page.text).to.not.include('Versione due della risposta');
  });

  it('comments on posts and answers, edits and deletes them', async () => {
    const asker = await createUser();
    const question = await createPost(t, asker, 'question', [topics.billing]);
    const answerId = await t.services.answers.create(question, await sessionUserOf(asker), 'Una risposta');
    const { agent } = await signedIn(t, ['operator'], { displayName: 'Commentatore' });
    const token = await csrfToken(agent, `/posts/${question}`);
    const onPost = await agent
      .post('/comments')
      .type('form')
      .send({ _csrf: token, targetType: 'post', targetId: question, body: 'Commento sulla domanda' })
      .expect(303);
    expect(onPost.headers.location).to.match(/#comment-[0-9a-f]{24}$/);
    await agent
      .post('/comments')
      .type('form')
      .send({ _csrf: token, targetType: 'answer', targetId: answerId, body: 'Commento sulla risposta' })
      .expect(303);
    const bad = await agent
      .post('/comments')
      .set('Accept', 'application/json')
      .send({ _csrf: token, targetType: 'user', targetId: answerId, body: 'x' })
      .expect(422);
    expect(bad.body.error.fields).to.have.key('targetType');
    await agent
      .post('/comments')
      .set('Accept', 'application/json')
      .send({ _csrf: token, targetType: 'post', targetId: '0123456789abcdef01234567', body: 'x' })
      .expect(404);
    expect((await Post.findById(question).lean())?.commentCount).to.equal(1);
    expect((await Answer.findById(answerId).lean())?.commentCount).to.equal(1);
    const page = await agent.get(`/posts/${question}`).expect(200);
    expect(page.text).to.include('Commento sulla domanda');
    expect(page.text).to.include('Commento sulla risposta');

    const comment = await Comment.findOne({ body: 'Commento sulla domanda' }).lean();
    await agent
      .post(`/comments/${comment?._id}/edit`)
      .type('form')
      .send({ _csrf: token, body: 'Commento corretto' })
      .expect(303);
    expect((await Comment.findById(comment?._id).lean())?.revision).to.equal(2);
    // The page read before the edit shows the edited text (what the page keeps follows every write).
    const edited = await agent.get(`/posts/${question}`).expect(200);
    expect(edited.text).to.include('Commento corretto');
    expect(edited.text).to.not.include('Commento sulla domanda');
    await agent.post(`/comments/${comment?._id}/delete`).type('form').send({ _csrf: token }).expect(303);
    const after = await agent.get(`/posts/${question}`).expect(200);
    expect(after.text).to.include('Commento eliminato');
    expect(after.text).to.not.include('Commento corretto');
    expect((await Post.findById(question).lean())?.commentCount).to.equal(0);
  });
});
