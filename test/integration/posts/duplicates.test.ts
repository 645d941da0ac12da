import { expect } from 'chai';
import { Answer } from '../../../models/answer.ts';
import { AuditEntry } from '../../../models/audit-entry.ts';
import { Comment } from '../../../models/comment.ts';
import { Post } from '../../../models/post.ts';
import { originalIdIn } from '../../../server/posts/duplicates.service.ts';
import { csrfToken, useTestApp } from '../../helpers/app.ts';
import { createPost, createTopics, FAST_POSTING, sessionUserOf } from '../../helpers/content.ts';
import { decodeHtml } from '../../helpers/html.ts';
import { hitUrls } from '../../helpers/search.ts';
import { createUser, signedIn } from '../../helpers/users.ts';

const idsIn = (html: string) => [...html.matchAll(/id="post-([0-9a-f]{24})"/g)].map((m) => m[1]!);

describe('questions closed as duplicates and merged (knowledge managers)', function () {
  this.timeout(60_000);
  const t = useTestApp({ env: FAST_POSTING });
  let topics: Awaited<ReturnType<typeof createTopics>>;

  before(async () => {
    topics = await createTopics();
  });

  it('reads the original from its id or any link to it', () => {
    const id = '6b1746d74af5e6a4e22af660';
    expect(originalIdIn(id)).to.equal(id);
    expect(originalIdIn(`https://passaparola.example/posts/${id.toUpperCase()}#answer-1`)).to.equal(id);
    expect(originalIdIn(`/posts/${id}?x=1`)).to.equal(id);
    expect(originalIdIn('https://example.com/kb/12')).to.equal(null);
    expect(originalIdIn(`/posts/${id}0`)).to.equal(null);
  });

  it('closes a question as a duplicate: it points to the original, takes no answers, leaves "unanswered", reopens', async () => {
    const asker = await createUser({ displayName: 'Chiede Due Volte' });
    const original = await createPost(t, asker, 'question', [topics.sdd], {
      title: 'Doppio addebito SDD: come si rimborsa al cliente?',
    });
    const duplicate = await createPost(t, asker, 'question', [topics.sdd], {
      title: 'Come si rimborsa un doppio addebito SDD al cliente?',
    });
    const operator = await signedIn(t);
    const km = await signedIn(t, ['knowledge_manager'], { displayName: 'Giulia Chiude' });

    // Only knowledge managers.
    let token = await csrfToken(operator.agent, `/posts/${duplicate}`);
    await operator.agent.get(`/posts/${duplicate}/duplicate`).expect(403);
    await operator.agent
      .post(`/posts/${duplicate}/duplicate`)
      .type('form')
      .send({ _csrf: token, original })
      .expect(403);
    expect(decodeHtml((await operator.agent.get(`/posts/${duplicate}`).expect(200)).text)).to.not.include(
      'Chiudi come duplicato…',
    );

    // The page offers the similar question; a wrong link or the question itself is explained.
    const kmPage = decodeHtml((await km.agent.get(`/posts/${duplicate}`).expect(200)).text);
    expect(kmPage).to.include(`href="/posts/${duplicate}/duplicate"`);
    const form = decodeHtml((await km.agent.get(`/posts/${duplicate}/duplicate`).expect(200)).text);
    expect(form).to.include(`value="${original}"`).and.not.include(`value="${duplicate}"`);
    token = await csrfToken(km.agent, `/posts/${duplicate}/duplicate`);
    const tries: Array<[Record<string, string>, string]> = [
      [{}, 'Scegli la domanda originale'],
      [{ originalLink: 'https://example.com/kb/3' }, 'Questo non è il link di una domanda'],
      [{ originalLink: `/posts/${duplicate}` }, 'non può essere il duplicato di se stessa'],
    ];
    for (const [fields, message] of tries) {
      await km.agent
        .post(`/posts/${duplicate}/duplicate`)
        .type('form')
        .send({ _csrf: token, _return: `/posts/${duplicate}/duplicate`, ...fields })
        .expect(303);
      const back = decodeHtml((await km.agent.get(`/posts/${duplicate}/duplicate`).expect(200)).text);
      expect(back, message).to.include(message);
    }
    expect((await Post.findById(duplicate).lean())?.duplicateOf).to.equal(null);
    expect(idsIn((await km.agent.get('/questions?unanswered=1').expect(200)).text)).to.include(duplicate);

    // Closed by a link to the original (pasted with its anchor).
    await km.agent
      .post(`/posts/${duplicate}/duplicate`)
      .type('form')
      .send({ _csrf: token, original, originalLink: `https://passaparola.example/posts/${original}#answers` })
      .expect(303)
      .expect('Location', `/posts/${duplicate}`);
    const stored = await Post.findById(duplicate).lean();
    expect(String(stored?.duplicateOf?.post)).to.equal(original);
    expect(String(stored?.duplicateOf?.by)).to.equal(km.user.id);
    const page = decodeHtml((await operator.agent.get(`/posts/${duplicate}`).expect(200)).text);
    expect(page).to.include('Chiusa come duplicato da Giulia Chiude');
    expect(page).to.include(
      `<a href="/posts/${original}">Doppio addebito SDD: come si rimborsa al cliente?</a>`,
    );
    expect(page, 'no answer form').to.not.include(`action="/posts/${duplicate}/answers"`);
    await operator.agent
      .post(`/posts/${duplicate}/answers`)
      .set('Accept', 'application/json')
      .send({
        _csrf: await csrfToken(operator.agent, `/posts/${duplicate}`),
        body: 'Una risposta in ritardo',
      })
      .expect(409);
    const list = decodeHtml((await operator.agent.get(`/questions?topic=${topics.sdd}`).expect(200)).text);
    expect(list.slice(list.indexOf(`id="post-${duplicate}"`))).to.include('Duplicato');
    expect(idsIn((await km.agent.get('/questions?unanswered=1').expect(200)).text))
      .to.include(original)
      .and.not.include(duplicate);

    // Twice, or a duplicate as an original: refused with the reason.
    await km.agent
      .post(`/posts/${duplicate}/duplicate`)
      .set('Accept', 'application/json')
      .send({ _csrf: token, original })
      .expect(409);
    const third = await createPost(t, asker, 'question', [topics.sdd], {
      title: 'Rimborso SDD doppio, terza volta',
    });
    const chained = await km.agent
      .post(`/posts/${third}/duplicate`)
      .set('Accept', 'application/json')
      .send({ _csrf: token, original: duplicate })
      .expect(422);
    expect(JSON.stringify(chained.body)).to.include('a sua volta chiusa come duplicato');

    // The asker is told; the audit log says who did it.
    const told = (await t.services.notifications.list(asker.id)).filter(
      (n) => n.type === 'closedAsDuplicate',
    );
    expect(told.map((n) => [n.variant, n.target.url])).to.deep.equal([[null, `/posts/${duplicate}`]]);
    const audit = await AuditEntry.find({ action: 'posts.closedAsDuplicate' } as never).lean();
    expect(audit.map((a) => a.target?.id)).to.include(duplicate);

    // Reopened: open again, answerable, back among the unanswered.
    await km.agent.post(`/posts/${duplicate}/reopen`).type('form').send({ _csrf: token }).expect(303);
    expect((await Post.findById(duplicate).lean())?.duplicateOf).to.equal(null);
    expect(idsIn((await km.agent.get('/questions?unanswered=1').expect(200)).text)).to.include(duplicate);
    await km.agent
      .post(`/posts/${duplicate}/reopen`)
      .set('Accept', 'application/json')
      .send({ _csrf: token })
      .expect(409);
  });

  it('merges a duplicate: its answers, comments and votes move to the original, one accepted answer stays', async () => {
    const asker = await createUser();
    const helpers = await Promise.all([createUser(), createUser(), createUser()]);
    const voter = await sessionUserOf(await createUser());
    const original = await createPost(t, asker, 'question', [topics.billing], {
      title: 'Bolletta arrivata due volte: quale pagare?',
    });
    const duplicate = await createPost(t, asker, 'question', [topics.billing], {
      title: 'Due bollette uguali nello stesso mese: quale si paga?',
    });
    const askerSession = await sessionUserOf(asker);
    const kept = await t.services.answers.create(
      original,
      await sessionUserOf(helpers[0]!),
      'Paga la più recente.',
    );
    await t.services.answers.accept(kept, askerSession);
    const movedAccepted = await t.services.answers.create(
      duplicate,
      await sessionUserOf(helpers[1]!),
      'Controlla il numero fattura: ribolletta ingiustificata.',
    );
    await t.services.answers.accept(movedAccepted, askerSession);
    const moved = await t.services.answers.create(
      duplicate,
      await sessionUserOf(helpers[2]!),
      'Apri un reclamo di fatturazione con il codice tariffa zanzibar.',
    );
    await t.services.votes.vote(voter, 'answer', moved, 1);
    await t.services.answers.comment('answer', moved, voter, 'Confermo, ha funzionato.');
    const km = await signedIn(t, ['knowledge_manager']);
    const token = await csrfToken(km.agent, `/posts/${duplicate}/duplicate`);
    await km.agent
      .post(`/posts/${duplicate}/duplicate`)
      .type('form')
      .send({ _csrf: token, original, merge: '1' })
      .expect(303)
      .expect('Location', `/posts/${original}`);

    const [from, to] = await Promise.all([Post.findById(duplicate).lean(), Post.findById(original).lean()]);
    expect([from?.answerCount, from?.acceptedAnswer, from?.duplicateOf?.merged]).to.deep.equal([
      0,
      null,
      true,
    ]);
    expect([to?.answerCount, String(to?.acceptedAnswer)]).to.deep.equal([3, kept]);
    const answers = await Promise.all([movedAccepted, moved].map((id) => Answer.findById(id).lean()));
    expect(answers.map((a) => String(a?.post))).to.deep.equal([original, original]);
    expect(answers[0]?.accepted, 'one accepted answer').to.equal(false);
    expect(answers[1]?.voteScore).to.equal(1);
    expect(String((await Comment.findOne({ targetId: moved } as never).lean())?.post)).to.equal(original);

    // The duplicate's readers land on the original, which shows every answer and the comment.
    const page = decodeHtml((await km.agent.get(`/posts/${original}`).expect(200)).text);
    await km.agent.get(`/posts/${duplicate}`).expect(303).expect('Location', `/posts/${original}`);
    for (const text of [
      'Paga la più recente.',
      'ribolletta ingiustificata',
      'codice tariffa zanzibar',
      'Confermo, ha funzionato.',
    ])
      expect(page).to.include(text);
    expect(page).to.include('Unite: le risposte del duplicato ora sono qui.');
    // Search finds a moved answer on its new page.
    expect(hitUrls((await km.agent.get('/search').query({ q: 'zanzibar' }).expect(200)).text)).to.deep.equal([
      `/posts/${original}#answer-${moved}`,
    ]);
    // A merge is for good; the asker is told where the answers went.
    await km.agent
      .post(`/posts/${duplicate}/reopen`)
      .set('Accept', 'application/json')
      .send({ _csrf: token })
      .expect(409);
    const told = (await t.services.notifications.list(asker.id)).filter(
      (n) => n.type === 'closedAsDuplicate',
    );
    expect(told.map((n) => [n.variant, n.target.url])).to.deep.equal([['merged', `/posts/${original}`]]);
    // Nor deleted: its answers and their credit now belong to the original.
    const refused = await t.services.posts.remove(duplicate, askerSession, '').then(
      () => null,
      (err: Error & { status?: number }) => err.status,
    );
    expect(refused).to.equal(409);
    expect((await Post.findById(duplicate).lean())?.deleted).to.equal(null);
  });

  it("gives the original the duplicate's accepted answer when it has none", async () => {
    const asker = await createUser();
    const original = await createPost(t, asker, 'question', [topics.fibre], {
      title: 'Fibra lenta la sera: cosa controllo?',
    });
    const duplicate = await createPost(t, asker, 'question', [topics.fibre], {
      title: 'La fibra la sera è lenta, che controlli fare?',
    });
    const answer = await t.services.answers.create(
      duplicate,
      await sessionUserOf(await createUser()),
      'Canale Wi-Fi saturo.',
    );
    await t.services.answers.accept(answer, await sessionUserOf(asker));
    const km = await sessionUserOf(await createUser({ roles: ['knowledge_manager'] }));
    await t.services.duplicates.close(km, duplicate, original, true);
    const to = await Post.findById(original).lean();
    expect([to?.answerCount, String(to?.acceptedAnswer)]).to.deep.equal([1, answer]);
    expect((await Answer.findById(answer).lean())?.accepted).to.equal(true);
  });
});
