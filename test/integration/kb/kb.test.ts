import { spawn } from 'node:child_process';
import { expect } from 'chai';
import { AuditEntry } from '../../../models/audit-entry.ts';
import { Comment } from '../../../models/comment.ts';
import { KbArticle } from '../../../models/kb-article.ts';
import { KbCitation, KbFeedback, KbFlag } from '../../../models/kb-feedback.ts';
import { KbRevision } from '../../../models/kb-revision.ts';
import { Post } from '../../../models/post.ts';
import { projectRoot } from '../../../server/config.ts';
import type { DomainEvents } from '../../../server/core/events.ts';
import { csrfToken, useTestApp } from '../../helpers/app.ts';
import { createPost, createTopics, FAST_POSTING, sessionUserOf } from '../../helpers/content.ts';
import { testStorageAdapter } from '../../helpers/engine.ts';
import { decodeHtml } from '../../helpers/html.ts';
import { createUser, signedIn } from '../../helpers/users.ts';

function recorder<K extends keyof DomainEvents>(
  t: { events: { on: (n: K, h: (p: DomainEvents[K]) => void) => () => void } },
  name: K,
) {
  const seen: Array<DomainEvents[K]> = [];
  const off = t.events.on(name, (p) => {
    seen.push(p);
  });
  return { seen, off };
}

describe('knowledge base', function () {
  this.timeout(60_000);
  const t = useTestApp({ env: FAST_POSTING });
  let topics: Awaited<ReturnType<typeof createTopics>>;

  before(async () => {
    topics = await createTopics();
  });

  it('promotes an insight: situation → problem, action and outcome → resolution, author credited, source marked', async () => {
    const author = await createUser({ displayName: 'Autrice Promossa' });
    const postId = await createPost(t, author, 'insight', [topics.sdd], {
      title: 'Doppio addebito dopo il passaggio al SDD',
      situation: 'Il cliente vede due addebiti.',
      action: 'Ho aperto il rimborso.',
      outcome: 'Rimborso in 9 giorni.',
      channel: 'phone',
    });
    const promoted = recorder(t, 'kb.promoted');
    const { agent, user: km } = await signedIn(t, ['knowledge_manager']);
    const token = await csrfToken(agent, `/posts/${postId}`);
    expect((await agent.get(`/posts/${postId}`)).text).to.include('Promuovi nella base di conoscenza');
    const res = await agent.post(`/posts/${postId}/promote`).type('form').send({ _csrf: token }).expect(303);
    promoted.off();
    const number = Number(String(res.headers.location).match(/\/kb\/(\d+)\/edit/)?.[1]);
    const article = await KbArticle.findOne({ number }).lean();
    expect(article?.state).to.equal('draft');
    expect(article?.problem).to.equal('Il cliente vede due addebiti.');
    expect(article?.resolution).to.equal('Ho aperto il rimborso.\n\nRimborso in 9 giorni.');
    expect(article?.environment).to.include('canale: telefono');
    expect(article?.contributors.map(String)).to.deep.equal([author.id]);
    expect(article?.topics.map(String)).to.deep.equal([topics.sdd]);
    expect(String(article?.createdBy)).to.equal(km.id);
    expect((await Post.findById(postId).lean())?.promotedTo?.number).to.equal(number);
    expect(promoted.seen[0]).to.include({ number, sourceType: 'post', sourceId: postId, actorId: km.id });
    expect(promoted.seen[0]?.creditedUserIds).to.deep.equal([author.id]);
    const page = await agent.get(`/posts/${postId}`).expect(200);
    expect(page.text).to.include(`Promosso in KB-${number}`);
    // The draft names the post it came from by its title, not as "the original post".
    const draft = await agent.get(`/kb/${number}`).expect(200);
    expect(draft.text).to.match(
      new RegExp(`<a href="/posts/${postId}">Doppio addebito dopo il passaggio al SDD</a>`),
    );
    const again = await agent
      .post(`/posts/${postId}/promote`)
      .set('Accept', 'application/json')
      .send({ _csrf: token })
      .expect(409);
    expect(again.body.error.message).to.include(`KB-${number}`);
    const { agent: operator } = await signedIn(t);
    const opToken = await csrfToken(operator, `/posts/${postId}`);
    await operator.post(`/posts/${postId}/promote`).type('form').send({ _csrf: opToken }).expect(403);
  });

  it('promotes a question thread with its accepted answer, crediting both authors', async () => {
    const asker = await createUser();
    const helper = await createUser();
    const question = await createPost(t, asker, 'question', [topics.billing], {
      title: 'Come si annulla una bolletta stimata?',
      body: 'Lettura stimata troppo alta.',
    });
    const answer = await t.services.answers.create(
      question,
      await sessionUserOf(helper),
      'Rettifica lettura, poi storno e riemissione.',
    );
    await t.services.answers.accept(answer, await sessionUserOf(asker));
    const km = await sessionUserOf(await createUser({ roles: ['knowledge_manager'] }));
    const number = await t.services.kb.promote(km, 'post', question);
    const article = await KbArticle.findOne({ number }).lean();
    expect(article?.problem).to.equal('Lettura stimata troppo alta.');
    expect(article?.resolution).to.equal('Rettifica lettura, poi storno e riemissione.');
    expect(article?.contributors.map(String)).to.have.members([asker.id, helper.id]);
    const other = await createPost(t, asker, 'question', [topics.billing], { body: 'Altra domanda.' });
    const reply = await t.services.answers.create(
      other,
      await sessionUserOf(helper),
      'Risposta promossa da sola.',
    );
    const fromAnswer = await t.services.kb.promote(km, 'answer', reply);
    const second = await KbArticle.findOne({ number: fromAnswer }).lean();
    expect(second?.problem).to.equal('Altra domanda.');
    expect(second?.resolution).to.equal('Risposta promossa da sola.');
    expect(second?.sources[0]).to.deep.include({ type: 'answer' });
    // The draft names the answer it came from by its author and its question, linked to it in place.
    const kmAgent = (await signedIn(t, ['knowledge_manager'])).agent;
    const draft = decodeHtml((await kmAgent.get(`/kb/${fromAnswer}`).expect(200)).text);
    const otherTitle = (await Post.findById(other).lean())!.title;
    expect(draft).to.include(
      `<a href="/posts/${other}#answer-${reply}">La risposta di ${helper.displayName} a «${otherTitle}»</a>`,
    );
    expect(draft).to.not.include('La risposta originale');
  });

  it('moves through the workflow: who may make each transition', async () => {
    const km = await signedIn(t, ['knowledge_manager']);
    const creatorKm = await sessionUserOf(km.user);
    const number = await t.services.kb.create(creatorKm, {
      title: 'Articolo del flusso editoriale',
      problem: 'Problema',
      environment: '',
      cause: '',
      resolution: 'Soluzione',
      topics: [topics.billing],
      note: '',
    });
    const operator = await signedIn(t);
    const lead = await signedIn(t, ['team_lead', 'admin']);
    const move = async (who: typeof km, to: string, status: number) => {
      const token = await csrfToken(who.agent, '/kb');
      await who.agent
        .post(`/kb/${number}/transition`)
        .set('Accept', 'application/json')
        .send({ _csrf: token, to })
        .expect(status);
    };
    // Drafts are invisible to other operators.
    await operator.agent.get(`/kb/${number}`).expect(404);
    await move(operator, 'review', 403);
    await move(lead, 'review', 403);
    await move(km, 'published', 403);
    await move(km, 'review', 200);
    await move(operator, 'published', 403);
    await move(km, 'draft', 200);
    await move(km, 'review', 200);
    await move(km, 'published', 200);
    const published = await KbArticle.findOne({ number }).lean();
    expect(published?.state).to.equal('published');
    const months = (published!.reviewBy!.getTime() - published!.publishedAt!.getTime()) / (30 * 86_400_000);
    expect(months, 'review-by defaults to about six months after publishing').to.be.within(5.8, 6.2);
    await operator.agent.get(`/kb/${number}`).expect(200);
    await move(operator, 'archived', 403);
    await move(km, 'archived', 200);
    await move(km, 'review', 403);
    await move(km, 'draft', 200);
    const actions = (await AuditEntry.find({ 'target.label': `KB-${number}` }).lean()).map((e) => e.action);
    expect(actions).to.include.members(['kb.review', 'kb.published', 'kb.archived', 'kb.draft']);
  });

  it('lets the operator who started a draft submit it, but only knowledge managers publish', async () => {
    const creator = await createUser({ roles: ['operator', 'knowledge_manager'] });
    const number = await t.services.kb.create(await sessionUserOf(creator), {
      title: 'Bozza iniziata da una persona',
      problem: 'P',
      environment: '',
      cause: '',
      resolution: 'R',
      topics: [topics.billing],
      note: '',
    });
    // The same person without the manager role (as if the role was removed).
    const asOperator = { ...(await sessionUserOf(creator)), roles: ['operator' as const] };
    await t.services.kb.transition(number, asOperator, 'review');
    let failed = '';
    try {
      await t.services.kb.transition(number, asOperator, 'published');
    } catch (err) {
      failed = (err as Error).name;
    }
    expect(failed).to.equal('ForbiddenError');
  });

  it('with the second-reviewer rule on, another knowledge manager publishes what one edited', async () => {
    const editor = await signedIn(t, ['knowledge_manager'], { locale: 'en', displayName: 'Editrice Prima' });
    const reviewer = await signedIn(t, ['knowledge_manager'], { locale: 'en' });
    const draft = async (title: string) => {
      const number = await t.services.kb.create(await sessionUserOf(editor.user), {
        title,
        problem: 'Il cliente non riceve la fattura.',
        environment: '',
        cause: '',
        resolution: 'Reinviarla dal portale.',
        topics: [topics.billing],
        note: '',
      });
      await t.services.kb.transition(number, await sessionUserOf(editor.user), 'review');
      return number;
    };
    const setRule = async (on: boolean) => {
      const token = await csrfToken(editor.agent, '/kb/queue');
      await editor.agent
        .post('/kb/settings/publishing')
        .type('form')
        .send(on ? { _csrf: token, secondReviewer: 'on' } : { _csrf: token })
        .expect(303);
    };
    try {
      await setRule(true);
      const queue = await editor.agent.get('/kb/queue').expect(200);
      expect(queue.text).to.match(
        /id="publishing-second" type="checkbox" name="secondReviewer" value="on" checked/,
      );
      const number = await draft('Fattura non ricevuta: reinvio dal portale');

      // The editor of the version sees no "Publish" and why; publishing anyway is refused.
      const own = await editor.agent.get(`/kb/${number}`).expect(200);
      expect(own.text).to.include('data-testid="kb-second-reviewer"');
      expect(own.text).to.not.include('name="to" value="published"');
      const token = await csrfToken(editor.agent, `/kb/${number}`);
      const refused = await editor.agent
        .post(`/kb/${number}/transition`)
        .set('Accept', 'application/json')
        .send({ _csrf: token, to: 'published' })
        .expect(409);
      expect(refused.body.error.message).to.include('another knowledge manager publishes it');

      // Another knowledge manager sees the button and publishes.
      const other = await reviewer.agent.get(`/kb/${number}`).expect(200);
      expect(other.text).to.include('name="to" value="published"');
      const otherToken = await csrfToken(reviewer.agent, `/kb/${number}`);
      await reviewer.agent
        .post(`/kb/${number}/transition`)
        .type('form')
        .send({ _csrf: otherToken, to: 'published' })
        .expect(303);
      expect((await KbArticle.findOne({ number }).lean())?.state).to.equal('published');
      expect(await AuditEntry.exists({ action: 'kb.secondReviewerOn' })).to.not.equal(null);

      // Rule off: an editor publishes their own version again.
      await setRule(false);
      const second = await draft('Fattura duplicata: annullare la seconda');
      await t.services.kb.transition(second, await sessionUserOf(editor.user), 'published');
      expect((await KbArticle.findOne({ number: second }).lean())?.state).to.equal('published');
    } finally {
      await t.services.kb.settings.setSecondReviewer(false, { id: editor.user.id, displayName: 'test' });
    }
  });

  it('edits as revisions, shows a diff between any two versions, and restores an old version as a new one', async () => {
    const { agent, user } = await signedIn(t, ['knowledge_manager']);
    const km = await sessionUserOf(user);
    const number = await t.services.kb.create(km, {
      title: 'Articolo con versioni multiple',
      problem: 'Problema uno',
      environment: '',
      cause: '',
      resolution: 'Soluzione uno',
      topics: [topics.billing],
      note: 'prima',
    });
    const token = await csrfToken(agent, `/kb/${number}/edit`);
    await agent
      .post(`/kb/${number}/edit`)
      .type('form')
      .send({
        _csrf: token,
        title: 'Articolo con versioni multiple',
        problem: 'Problema due',
        cause: 'Una causa',
        resolution: 'Soluzione due',
        topics: topics.billing,
        note: 'seconda',
      })
      .expect(303);
    await agent
      .post(`/kb/${number}/edit`)
      .type('form')
      .send({
        _csrf: token,
        title: 'Articolo con versioni multiple',
        problem: 'Problema tre',
        resolution: 'Soluzione tre',
        topics: [topics.billing, topics.fibre],
        note: 'terza',
      })
      .expect(303);
    expect(
      await KbRevision.countDocuments({ article: (await KbArticle.findOne({ number }).lean())?._id }),
    ).to.equal(3);
    const diff = await agent.get(`/kb/${number}/history?from=1&to=3`).expect(200);
    expect(diff.text).to.include('<del>uno</del>');
    expect(diff.text).to.include('<ins>tre</ins>');
    // Topics read as names, never as ids.
    expect(diff.text).to.not.include(topics.fibre);
    expect(diff.text).to.match(/<ins>[^<]*Fibra/);
    await agent.post(`/kb/${number}/restore`).type('form').send({ _csrf: token, version: '1' }).expect(303);
    const restored = await KbArticle.findOne({ number }).lean();
    expect(restored?.version).to.equal(4);
    expect(restored?.problem).to.equal('Problema uno');
    const history = await agent.get(`/kb/${number}/history`).expect(200);
    expect(history.text).to.include('ripristinata dalla versione 1');
    const bad = await agent
      .post(`/kb/${number}/edit`)
      .set('Accept', 'application/json')
      .send({ _csrf: token, title: 'x', problem: '', topics: [] })
      .expect(422);
    expect(bad.body.error.fields).to.include.keys('title', 'problem', 'topics');
  });

  it('takes one helpful vote per reader (changeable, with comment) and flags that knowledge managers resolve', async () => {
    const km = await sessionUserOf(await createUser({ roles: ['knowledge_manager'] }));
    const contributor = await createUser();
    const postId = await createPost(t, contributor, 'tip', [topics.billing], {
      title: 'Consiglio da promuovere e votare',
      body: 'Fai così.',
    });
    const number = await t.services.kb.promote(km, 'post', postId);
    const { agent: reader } = await signedIn(t);
    const token = await csrfToken(reader, '/kb');
    await reader
      .post(`/kb/${number}/feedback`)
      .set('Accept', 'application/json')
      .send({ _csrf: token, helpful: 'yes' })
      .expect(409);
    await t.services.kb.transition(number, km, 'review');
    await t.services.kb.transition(number, km, 'published');
    const feedback = recorder(t, 'kb.feedback');
    let res = await reader
      .post(`/kb/${number}/feedback`)
      .set('Accept', 'application/json')
      .send({ _csrf: token, helpful: 'yes' })
      .expect(200);
    expect(res.body).to.include({ helpfulCount: 1, notHelpfulCount: 0 });
    res = await reader
      .post(`/kb/${number}/feedback`)
      .set('Accept', 'application/json')
      .send({ _csrf: token, helpful: 'yes' })
      .expect(200);
    expect(res.body.helpfulCount, 'the same answer twice counts once').to.equal(1);
    res = await reader
      .post(`/kb/${number}/feedback`)
      .set('Accept', 'application/json')
      .send({ _csrf: token, helpful: 'no', comment: 'Manca il caso business' })
      .expect(200);
    expect(res.body).to.include({ helpfulCount: 0, notHelpfulCount: 1 });
    feedback.off();
    expect(feedback.seen.map((f) => [f.helpful, f.previous])).to.deep.equal([
      [true, null],
      [true, true],
      [false, true],
    ]);
    expect(feedback.seen[0]?.contributorIds).to.include(contributor.id);
    const stored = await KbFeedback.find({}).lean();
    expect(
      stored.filter((f) => String(f.user) !== '' && f.comment === 'Manca il caso business'),
    ).to.have.length(1);

    const flagged = recorder(t, 'kb.flagged');
    await reader
      .post(`/kb/${number}/flag`)
      .type('form')
      .send({ _csrf: token, kind: 'outdated', comment: 'Il codice ora ha 18 caratteri' })
      .expect(303);
    flagged.off();
    expect(flagged.seen[0]).to.include({ number, kind: 'outdated', ownerId: km.id });
    await reader
      .post(`/kb/${number}/flag`)
      .set('Accept', 'application/json')
      .send({ _csrf: token, kind: 'outdated' })
      .expect(409);
    expect((await KbArticle.findOne({ number }).lean())?.openFlags).to.equal(1);
    const { agent: manager } = await signedIn(t, ['knowledge_manager']);
    const queue = await manager.get('/kb/queue').expect(200);
    expect(queue.text).to.include('Il codice ora ha 18 caratteri');
    const flag = await KbFlag.findOne({ status: 'open' }).lean();
    const mToken = await csrfToken(manager, '/kb/queue');
    const noReason = await manager
      .post(`/kb/flags/${flag?._id}/resolve`)
      .set('Accept', 'application/json')
      .send({ _csrf: mToken, outcome: 'declined' })
      .expect(422);
    expect(noReason.body.error.fields.resolution).to.include('motivo');
    await manager
      .post(`/kb/flags/${flag?._id}/resolve`)
      .type('form')
      .send({ _csrf: mToken, outcome: 'declined', resolution: 'Ancora 16 caratteri' })
      .expect(303);
    expect((await KbFlag.findById(flag?._id).lean())?.status).to.equal('declined');
    expect((await KbArticle.findOne({ number }).lean())?.openFlags).to.equal(0);
    await reader
      .post(`/kb/flags/${flag?._id}/resolve`)
      .type('form')
      .send({ _csrf: token, outcome: 'fixed' })
      .expect(403);
  });

  it('counts citations (KB-123 and the picker) and where they are, and takes them back on edit or deletion', async () => {
    const km = await sessionUserOf(await createUser({ roles: ['knowledge_manager'] }));
    const source = await createUser();
    const tip = await createPost(t, source, 'tip', [topics.fibre], {
      title: 'Consiglio da citare nelle risposte',
    });
    const number = await t.services.kb.promote(km, 'post', tip);
    await t.services.kb.transition(number, km, 'review');
    await t.services.kb.transition(number, km, 'published');
    const asker = await createUser();
    const question = await createPost(t, asker, 'question', [topics.fibre]);
    const cited = recorder(t, 'kb.cited');
    const { agent, user } = await signedIn(t);
    const token = await csrfToken(agent, `/posts/${question}`);
    const form = await agent.get(`/posts/${question}`).expect(200);
    expect(form.text).to.include(`KB-${number} · Consiglio da citare nelle risposte`);
    await agent
      .post(`/posts/${question}/answers`)
      .type('form')
      .send({ _csrf: token, body: 'Guarda l’articolo.', cite: String(number) })
      .expect(303);
    cited.off();
    const article = await KbArticle.findOne({ number }).lean();
    expect(article?.citationCount).to.equal(1);
    expect(cited.seen[0]).to.include({ number, sourceType: 'answer', citingAuthorId: user.id });
    expect(cited.seen[0]?.contributorIds).to.include(source.id);
    const answerPage = await agent.get(`/posts/${question}`);
    expect(answerPage.text).to.include(`<a href="/kb/${number}" class="kb-ref"`);
    const kbPage = await agent.get(`/kb/${number}`).expect(200);
    expect(kbPage.text).to.include('Citato 1 volta');
    const inPost = await createPost(t, asker, 'tip', [topics.fibre], {
      body: `Come in KB-${number} e KB-${number}.`,
    });
    expect((await KbArticle.findOne({ number }).lean())?.citationCount).to.equal(2);
    const answerId = String((await KbCitation.findOne({ sourceType: 'answer' }).lean())?.sourceId);
    await t.services.answers.update(answerId, await sessionUserOf(user), 'Non serve più l’articolo.');
    expect((await KbArticle.findOne({ number }).lean())?.citationCount).to.equal(1);
    await t.services.posts.remove(inPost, await sessionUserOf(asker), '');
    expect((await KbArticle.findOne({ number }).lean())?.citationCount).to.equal(0);
    expect(await KbCitation.countDocuments({})).to.equal(0);
  });

  it('counts one view per reader per day, browses by topic, helpfulness and words, and shows related articles', async () => {
    const km = await sessionUserOf(await createUser({ roles: ['knowledge_manager'] }));
    const make = async (title: string, topic: string) => {
      const number = await t.services.kb.create(km, {
        title,
        problem: `Sintomo di ${title}`,
        environment: '',
        cause: '',
        resolution: 'Passi',
        topics: [topic],
        note: '',
      });
      await t.services.kb.transition(number, km, 'review');
      await t.services.kb.transition(number, km, 'published');
      return number;
    };
    const own = await createTopics();
    const a = await make('Modem che si riavvia di notte', own.fibre);
    const b = await make('Wi-Fi lento la sera nei condomini', own.fibre);
    const c = await make('Bolletta con conguaglio alto', own.billing);
    const { agent, user } = await signedIn(t);
    await agent.get(`/kb/${a}`).expect(200);
    await agent.get(`/kb/${a}`).expect(200);
    expect((await KbArticle.findOne({ number: a }).lean())?.views).to.equal(1);
    await t.services.kb.feedback(b, await sessionUserOf(user), true, '');
    const byTopic = await agent.get(`/kb?topic=${own.fibre}&sort=helpful`).expect(200);
    expect(byTopic.text.indexOf('Wi-Fi lento')).to.be.lessThan(byTopic.text.indexOf('Modem che si riavvia'));
    expect(byTopic.text).to.not.include('Bolletta con conguaglio');
    const byWords = await agent.get('/kb?q=conguaglio').expect(200);
    expect(byWords.text).to.include('Bolletta con conguaglio alto');
    expect(byWords.text).to.not.include('Modem che si riavvia');
    const page = await agent.get(`/kb/${a}`).expect(200);
    expect(page.text).to.include(`KB-${b} · Wi-Fi lento la sera nei condomini`);
    expect(page.text).to.not.include(`KB-${c} ·`);
    await agent.get('/kb/999999').expect(404);
    await agent.get('/kb/abc').expect(404);
  });

  it('pages the index, and answers nonsense filters and numbers without errors', async () => {
    const own = await createTopics();
    const createdBy = (await createUser()).id;
    const base = Date.parse('2025-01-01T00:00:00Z');
    for (let i = 1; i <= 25; i++) {
      const at = new Date(base + i * 60_000);
      await new KbArticle({
        number: 90_000 + i,
        title: `Paginazione indice ${String(i).padStart(2, '0')}`,
        problem: 'Paginazione',
        resolution: 'Pagine',
        topics: [own.fibre],
        state: 'published',
        createdBy,
        createdAt: at,
        updatedAt: at,
      }).save({ timestamps: false });
    }
    const { agent } = await signedIn(t);
    const listed = async (url: string) =>
      [...(await agent.get(url).expect(200)).text.matchAll(/Paginazione indice (\d\d)/g)].map((m) =>
        Number(m[1]),
      );
    const first = await listed(`/kb?topic=${own.fibre}`);
    const second = await listed(`/kb?topic=${own.fibre}&page=2`);
    expect(first).to.deep.equal(Array.from({ length: 20 }, (_, i) => 25 - i));
    expect(second).to.deep.equal([5, 4, 3, 2, 1]);
    expect(await listed(`/kb?topic=${own.fibre}&page=3`)).to.deep.equal([]);
    expect((await listed('/kb?q=paginazione+indice&page=2')).length).to.equal(5);
    // Nonsense is ignored: page 1, every topic, the published articles.
    expect(
      (await listed('/kb?page=abc&topic=nope&sort=%24ne&state=%24ne&q[$ne]=1')).length,
    ).to.be.greaterThan(0);
    await agent.get('/kb?page=100000').expect(200);
    await agent.get('/kb/0').expect(404);
    await agent.get('/kb/90001/history?from=abc&to=-2').expect(200);
    await agent.get('/kb/1234567890').expect(404);
  });

  it('lists drafts in review, flagged and overdue articles in the queue (managers only)', async () => {
    const km = await sessionUserOf(await createUser({ roles: ['knowledge_manager'] }));
    const review = await t.services.kb.create(km, {
      title: 'In attesa di revisione oggi',
      problem: 'P',
      environment: '',
      cause: '',
      resolution: 'R',
      topics: [topics.billing],
      note: '',
    });
    await t.services.kb.transition(review, km, 'review');
    const overdue = await t.services.kb.create(km, {
      title: 'Scaduto da rivedere subito',
      problem: 'P',
      environment: '',
      cause: '',
      resolution: 'R',
      topics: [topics.billing],
      note: '',
    });
    await t.services.kb.transition(overdue, km, 'review');
    await t.services.kb.transition(overdue, km, 'published');
    await KbArticle.updateOne({ number: overdue }, { $set: { reviewBy: new Date(Date.now() - 86_400_000) } });
    const { agent } = await signedIn(t, ['knowledge_manager']);
    const queue = await agent.get('/kb/queue').expect(200);
    expect(queue.text).to.include('In attesa di revisione oggi');
    expect(queue.text).to.include('Scaduto da rivedere subito');
    const { agent: operator } = await signedIn(t);
    await operator.get('/kb/queue').expect(403);
  });

  it('takes comments on published articles, in the article page, editable and deletable by their author', async () => {
    const km = await sessionUserOf(await createUser({ roles: ['knowledge_manager'] }));
    const author = await createUser();
    const postId = await createPost(t, author, 'tip', [topics.fibre], { title: 'Articolo da commentare' });
    const number = await t.services.kb.promote(km, 'post', postId);
    const article = await KbArticle.findOne({ number }).lean();
    const articleId = String(article?._id);
    const { agent, user } = await signedIn(t, ['operator'], { displayName: 'Commenta Articolo' });
    const token = await csrfToken(agent, '/kb');
    await agent.get(`/kb/${number}`).expect(404);
    // A draft takes no comments.
    await agent
      .post('/comments')
      .set('Accept', 'application/json')
      .send({ _csrf: token, targetType: 'article', targetId: articleId, body: 'Presto' })
      .expect(404);

    await t.services.kb.transition(number, km, 'review');
    await t.services.kb.transition(number, km, 'published');
    const res = await agent
      .post('/comments')
      .type('form')
      .send({ _csrf: token, targetType: 'article', targetId: articleId, body: 'Vale anche per la **FTTC**' })
      .expect(303);
    const commentId = new RegExp(`^/kb/${number}#comment-([0-9a-f]{24})$`).exec(
      res.headers.location ?? '',
    )?.[1];
    expect(commentId, res.headers.location).to.be.a('string');
    const page = await agent.get(`/kb/${number}`).expect(200);
    expect(page.text).to.include(`id="comment-${commentId}"`);
    expect(page.text).to.include('Vale anche per la <strong>FTTC</strong>');
    expect(page.text).to.include('Commenta Articolo');

    // The owner of the article hears of it.
    const ownerInbox = await t.services.notifications.list(km.id);
    expect(ownerInbox.find((n) => n.type === 'comment')?.target.url).to.equal(
      `/kb/${number}#comment-${commentId}`,
    );

    const form = await agent.get(`/comments/${commentId}/edit`).expect(200);
    expect(form.text).to.include(`href="/kb/${number}#comment-${commentId}"`);
    const edited = await agent
      .post(`/comments/${commentId}/edit`)
      .type('form')
      .send({ _csrf: token, body: 'Vale anche per la FTTC e la FWA' })
      .expect(303);
    expect(edited.headers.location).to.equal(`/kb/${number}#comment-${commentId}`);
    const { agent: other } = await signedIn(t);
    const otherToken = await csrfToken(other, `/kb/${number}`);
    await other
      .post(`/comments/${commentId}/delete`)
      .type('form')
      .send({ _csrf: otherToken, reason: '' })
      .expect(403);
    const removed = await agent
      .post(`/comments/${commentId}/delete`)
      .type('form')
      .send({ _csrf: token, reason: '' })
      .expect(303);
    expect(removed.headers.location).to.equal(`/kb/${number}#comment-${commentId}`);
    const after = await other.get(`/kb/${number}`).expect(200);
    expect(after.text).to.not.include('FWA');
    expect(after.text).to.include(`id="comment-${commentId}"`);
    expect((await Comment.findById(commentId).lean())?.deleted?.by?.toString()).to.equal(user.id);
  });

  it('reports counter drift from the command line', async () => {
    const run = (args: string[]) =>
      new Promise<{ code: number | null; out: string }>((resolve) => {
        const child = spawn(process.execPath, ['scripts/check-counters.ts', ...args], {
          cwd: projectRoot,
          env: {
            PATH: process.env.PATH ?? '',
            MONGODB_URI: t.databaseUri,
            STORAGE_ADAPTER: testStorageAdapter(),
            LOG_LEVEL: 'silent',
          },
        });
        let out = '';
        child.stdout.on('data', (c: Buffer) => {
          out += c.toString();
        });
        child.once('exit', (code) => resolve({ code, out }));
      });
    const clean = await run([]);
    expect(clean.out).to.match(/votes: \d+ items checked, 0 drifted/);
    expect(clean.code).to.equal(0);
    const post = await Post.findOne({}).lean();
    await Post.updateOne({ _id: post?._id }, { $inc: { confirmations: 3 } });
    const drift = await run([]);
    expect(drift.code).to.equal(2);
    expect(drift.out).to.include(`post ${post?._id} confirmations`);
    const fixed = await run(['--fix']);
    expect(fixed.out).to.include('fixed.');
    expect((await run([])).code).to.equal(0);
  });
});
