import { expect } from 'chai';
import { KbArticle } from '../../../models/kb-article.ts';
import { csrfToken, useTestApp } from '../../helpers/app.ts';
import { createPost, createTopics, FAST_POSTING, sessionUserOf } from '../../helpers/content.ts';
import { decodeHtml } from '../../helpers/html.ts';
import { createUser, signedIn, signIn } from '../../helpers/users.ts';

let handles = 0;
/** A person with a known @handle (the part of their email before the @). */
async function person(displayName: string, roles: Array<'operator' | 'knowledge_manager'> = ['operator']) {
  handles++;
  const handle = `${displayName.toLowerCase().replaceAll(' ', '.')}.${handles}.${Date.now().toString(36)}`;
  const user = await createUser({ displayName, roles, email: `${handle}@test.example` });
  return { ...user, handle };
}

describe('notifications of posts and the knowledge base', () => {
  const t = useTestApp({ env: FAST_POSTING });
  let topics: Awaited<ReturnType<typeof createTopics>>;

  before(async () => {
    topics = await createTopics();
  });

  // Badges and levels (a first post, a first answer…) are notified too; their own
  // tests are in test/integration/scoring. Here: what content tells people.
  const inbox = async (userId: string) =>
    (await t.services.notifications.list(userId)).filter((n) => n.type !== 'award');

  it('tells the asker of each answer (grouped), and the mentioned of their mention, once each', async () => {
    const asker = await person('Anna Chiede');
    const bystander = await person('Bruno Letto');
    const question = await createPost(t, asker, 'question', [topics.billing], {
      title: 'Come rimborso una bolletta doppia?',
    });
    const { agent: first, user: firstAnswerer } = await signedIn(t, ['operator'], {
      displayName: 'Carla Risponde',
    });
    let token = await csrfToken(first, `/posts/${question}`);
    const res = await first
      .post(`/posts/${question}/answers`)
      .type('form')
      .send({ _csrf: token, body: `@${asker.handle} apri la rettifica; @${bystander.handle} lo sa bene.` })
      .expect(303);
    const answerId = /#answer-([0-9a-f]{24})$/.exec(res.headers.location ?? '')?.[1];

    let askerInbox = await inbox(asker.id);
    expect(
      askerInbox.map((n) => n.type),
      'an answer, not also a mention',
    ).to.deep.equal(['answer']);
    expect(askerInbox[0]?.target).to.deep.include({
      title: 'Come rimborso una bolletta doppia?',
      url: `/posts/${question}#answer-${answerId}`,
    });
    const bystanderInbox = await inbox(bystander.id);
    expect(bystanderInbox.map((n) => n.type)).to.deep.equal(['mention']);
    expect(bystanderInbox[0]?.actorId).to.equal(firstAnswerer.id);

    const { agent: second } = await signedIn(t, ['operator'], { displayName: 'Dario Risponde' });
    token = await csrfToken(second, `/posts/${question}`);
    await second
      .post(`/posts/${question}/answers`)
      .type('form')
      .send({ _csrf: token, body: 'Io sospendo l’incasso.' })
      .expect(303);
    askerInbox = await inbox(asker.id);
    expect(askerInbox).to.have.length(1);
    expect(askerInbox[0]).to.include({ type: 'answer', count: 2, unread: true });

    // The asker reads it on the notifications page, in their language.
    const page = await signInAs(asker).then((a) => a.get('/notifications').expect(200));
    expect(decodeHtml(page.text)).to.include(
      '2 nuove risposte alla tua domanda «Come rimborso una bolletta doppia?»',
    );

    // The asker's own comment on their question tells nobody; a comment on an answer tells its author.
    const askerSession = await sessionUserOf(asker);
    await t.services.answers.comment('post', question, askerSession, 'Grazie a tutti');
    await t.services.answers.comment('answer', answerId ?? '', askerSession, 'Funziona, grazie!');
    const answererInbox = await inbox(firstAnswerer.id);
    expect(answererInbox.map((n) => n.type)).to.deep.equal(['comment']);
    expect(answererInbox[0]?.target.url).to.match(new RegExp(`^/posts/${question}#comment-[0-9a-f]{24}$`));
    expect(
      (await inbox(asker.id)).map((n) => n.type),
      'nothing for one’s own comment',
    ).to.deep.equal(['answer']);
  });

  it('tells the author of the answer when it is accepted, and the mentioned in a comment', async () => {
    const asker = await person('Elena Chiede');
    const helper = await person('Fabio Aiuta');
    const question = await createPost(t, asker, 'question', [topics.fibre], {
      title: 'Modem che non si aggancia',
    });
    const answerId = await t.services.answers.create(
      question,
      await sessionUserOf(helper),
      'Riavvia la porta.',
    );
    const { agent } = await signedIn(t, ['operator']);
    // A comment that mentions the answer's author tells them once, as a comment.
    const token = await csrfToken(agent, `/posts/${question}`);
    await agent
      .post('/comments')
      .type('form')
      .send({
        _csrf: token,
        targetType: 'answer',
        targetId: answerId,
        body: `@${helper.handle} anche a me, e @${asker.handle} guarda qui`,
      })
      .expect(303);
    expect((await inbox(helper.id)).map((n) => n.type)).to.deep.equal(['comment']);
    expect((await inbox(asker.id)).map((n) => n.type).sort()).to.deep.equal(['answer', 'mention']);

    await t.services.answers.accept(answerId, await sessionUserOf(asker));
    const helperInbox = await inbox(helper.id);
    expect(helperInbox.map((n) => n.type)).to.deep.equal(['answerAccepted', 'comment']);
    expect(helperInbox[0]?.target).to.deep.include({
      kind: 'answer',
      url: `/posts/${question}#answer-${answerId}`,
    });
    expect(helperInbox[0]?.actorId).to.equal(asker.id);
  });

  it('tells an insight’s author who has seen it too, grouped per insight, in their language', async () => {
    const author = await person('Elena Scrive');
    const insight = await createPost(t, author, 'insight', [topics.billing], {
      title: 'Doppio addebito dopo il cambio IBAN',
    });
    const { agent: first } = await signedIn(t, ['operator'], { displayName: 'Franco Visto' });
    let token = await csrfToken(first, `/posts/${insight}`);
    await first.post(`/posts/${insight}/confirm`).type('form').send({ _csrf: token }).expect(303);

    let mine = await inbox(author.id);
    expect(mine.map((n) => n.type)).to.deep.equal(['seenThisToo']);
    expect(mine[0]?.target).to.deep.include({
      kind: 'post',
      title: 'Doppio addebito dopo il cambio IBAN',
      url: `/posts/${insight}#seen-this-too`,
    });
    const authorAgent = await signInAs(author);
    let page = decodeHtml((await authorAgent.get('/notifications').expect(200)).text);
    expect(page).to.include('Franco Visto: «È capitato anche a me» su «Doppio addebito dopo il cambio IBAN»');

    // A second colleague: one notification that counts both.
    const { agent: second } = await signedIn(t, ['operator']);
    token = await csrfToken(second, `/posts/${insight}`);
    await second.post(`/posts/${insight}/confirm`).type('form').send({ _csrf: token }).expect(303);
    mine = await inbox(author.id);
    expect(mine.map((n) => [n.type, n.count])).to.deep.equal([['seenThisToo', 2]]);
    page = decodeHtml((await authorAgent.get('/notifications').expect(200)).text);
    expect(page).to.include('2 colleghi: «È capitato anche a me» su «Doppio addebito dopo il cambio IBAN»');

    // Turned off in the preferences, nothing more arrives.
    token = await csrfToken(authorAgent, '/settings/notifications');
    const enabled = ['mention', 'answer', 'comment', 'answerAccepted', 'promoted'];
    await authorAgent
      .post('/settings/notifications')
      .type('form')
      .send({ _csrf: token, enabled })
      .expect(303);
    const { agent: third } = await signedIn(t, ['operator']);
    token = await csrfToken(third, `/posts/${insight}`);
    await third.post(`/posts/${insight}/confirm`).type('form').send({ _csrf: token }).expect(303);
    expect((await inbox(author.id)).map((n) => n.count)).to.deep.equal([2]);
  });

  it('tells the credited of a promotion, the owner of a flag, and knowledge managers of their queue', async () => {
    const author = await person('Gino Scrive');
    const km = await person('Ilaria Gestisce', ['knowledge_manager']);
    const otherKm = await person('Luca Gestisce', ['knowledge_manager']);
    const postId = await createPost(t, author, 'tip', [topics.billing], {
      title: 'Codice SDD da 18 caratteri',
    });
    const kmSession = await sessionUserOf(km);
    const number = await t.services.kb.promote(kmSession, 'post', postId);

    const authorInbox = await inbox(author.id);
    expect(authorInbox.map((n) => n.type)).to.deep.equal(['promoted']);
    expect(authorInbox[0]?.target).to.deep.include({ kind: 'article', url: `/kb/${number}` });

    await t.services.kb.transition(number, kmSession, 'review');
    expect((await inbox(otherKm.id)).map((n) => n.type)).to.deep.equal(['reviewPending']);
    expect(await inbox(km.id), 'not of one’s own submission').to.deep.equal([]);
    await t.services.kb.transition(number, kmSession, 'published');

    const { agent: reader, user: readerUser } = await signedIn(t);
    const token = await csrfToken(reader, `/kb/${number}`);
    await reader
      .post(`/kb/${number}/flag`)
      .type('form')
      .send({ _csrf: token, kind: 'outdated', comment: 'Ora sono 27 caratteri' })
      .expect(303);
    const ownerInbox = await inbox(km.id);
    expect(
      ownerInbox.map((n) => n.type),
      'the owner hears once, as the owner',
    ).to.deep.equal(['articleFlagged']);
    expect(ownerInbox[0]?.actorId).to.equal(readerUser.id);
    const otherInbox = await inbox(otherKm.id);
    expect(otherInbox.map((n) => [n.type, n.count])).to.deep.equal([['reviewPending', 2]]);
    expect(otherInbox[0]?.target.url).to.equal('/kb/queue');

    const ownerPage = await signInAs(km).then((a) => a.get('/notifications').expect(200));
    expect(decodeHtml(ownerPage.text)).to.include(
      'ha segnalato il tuo articolo «Codice SDD da 18 caratteri»: Superato',
    );
    const queuePage = await signInAs(otherKm).then((a) => a.get('/notifications').expect(200));
    expect(decodeHtml(queuePage.text)).to.include(
      "2 elementi attendono la tua revisione, l'ultimo «Codice SDD da 18 caratteri»",
    );
  });

  it('shows an article’s open flags to its owner, and the way to resolve them only to knowledge managers', async () => {
    const km = await sessionUserOf(await person('Marta Gestisce', ['knowledge_manager']));
    const author = await person('Nico Scrive');
    const postId = await createPost(t, author, 'tip', [topics.fibre], { title: 'Reset della ONT' });
    const number = await t.services.kb.promote(km, 'post', postId);
    await t.services.kb.transition(number, km, 'review');
    await t.services.kb.transition(number, km, 'published');
    await KbArticle.updateOne({ number }, { $set: { owner: author.id } });
    const reader = await sessionUserOf(await createUser());
    await t.services.kb.flag(number, reader, 'unclear', 'Quale pulsante?');
    expect((await inbox(author.id)).map((n) => n.type)).to.include('articleFlagged');

    const ownerPage = decodeHtml((await (await signInAs(author)).get(`/kb/${number}`).expect(200)).text);
    expect(ownerPage).to.include('Quale pulsante?');
    expect(ownerPage).to.not.include('/resolve"');
    const { agent: other } = await signedIn(t);
    const otherPage = decodeHtml((await other.get(`/kb/${number}`).expect(200)).text);
    expect(otherPage).to.not.include('Quale pulsante?');
    const { agent: manager } = await signedIn(t, ['knowledge_manager']);
    const managerPage = decodeHtml((await manager.get(`/kb/${number}`).expect(200)).text);
    expect(managerPage).to.include('Quale pulsante?');
    expect(managerPage).to.include('/resolve"');
  });

  it('tells knowledge managers once when a published article passes its review date', async () => {
    const km = await person('Olga Gestisce', ['knowledge_manager']);
    const author = await person('Pino Scrive');
    const kmSession = await sessionUserOf(km);
    const postId = await createPost(t, author, 'tip', [topics.billing], { title: 'Tariffa sociale luce' });
    const number = await t.services.kb.promote(kmSession, 'post', postId);
    await t.services.kb.transition(number, kmSession, 'review');
    await t.services.kb.transition(number, kmSession, 'published');
    await t.services.notifications.markAllRead(km.id);
    const pending = async () =>
      (await inbox(km.id)).filter(
        (n) => n.type === 'reviewPending' && n.unread && n.target.id === String(article?._id),
      );
    const article = await KbArticle.findOne({ number }).lean();

    expect(await t.services.kb.announceOverdue(), 'nothing is overdue yet').to.equal(0);
    await KbArticle.updateOne({ number }, { $set: { reviewBy: new Date(Date.now() - 86_400_000) } });
    expect(await t.services.kb.announceOverdue()).to.equal(1);
    expect(await pending()).to.have.length(1);
    expect(await t.services.kb.announceOverdue(), 'once per review date').to.equal(0);

    // Reviewed and due again later: announced again.
    await t.services.notifications.markAllRead(km.id);
    await KbArticle.updateOne({ number }, { $set: { reviewBy: new Date(Date.now() - 3_600_000) } });
    expect(await t.services.kb.announceOverdue()).to.equal(1);
    expect(await pending()).to.have.length(1);
  });

  async function signInAs(user: { email: string; password: string }) {
    const agent = t.agent();
    await signIn(agent, user.email, user.password);
    return agent;
  }
});
