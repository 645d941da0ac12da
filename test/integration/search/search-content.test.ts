import { expect } from 'chai';
import { csrfToken, useTestApp } from '../../helpers/app.ts';
import { createPost, createTopics, FAST_POSTING, sessionUserOf } from '../../helpers/content.ts';
import { createUser, signedIn } from '../../helpers/users.ts';

/** Search over the real content features: posts, answers and KB articles indexed as they change. */
describe('search over posts, answers and the knowledge base', function () {
  this.timeout(60_000);
  const t = useTestApp({ env: FAST_POSTING });
  let topics: Awaited<ReturnType<typeof createTopics>>;

  before(async () => {
    topics = await createTopics();
  });

  it('finds a new post at once, follows its edits and forgets it when deleted', async () => {
    const author = await createUser();
    const id = await createPost(t, author, 'insight', [topics.billing], {
      title: 'Fatturazione doppia dopo la voltura',
      situation: 'Il cliente riceve due fatture per lo stesso periodo.',
      action: 'Annullata la seconda.',
      outcome: 'Risolto.',
    });
    const { agent } = await signedIn(t);
    expect((await agent.get('/search?q=fatture').expect(200)).text).to.include(`/posts/${id}`);
    expect((await agent.get('/search?q=invoices').expect(200)).text, 'no English match yet').to.not.include(
      `/posts/${id}`,
    );
    await t.services.posts.update(
      id,
      await sessionUserOf(author),
      {
        kind: 'insight',
        title: 'Fatturazione doppia dopo la voltura',
        situation: 'Two invoices for the same period after the transfer.',
        action: 'Cancelled the second one.',
        outcome: 'Solved.',
        channel: 'email',
        topics: [topics.billing],
        tags: [],
      },
      [],
      [],
    );
    expect((await agent.get('/search?q=invoice').expect(200)).text).to.include(`/posts/${id}`);
    await t.services.posts.remove(id, await sessionUserOf(author), '');
    expect((await agent.get('/search?q=voltura').expect(200)).text).to.not.include(`/posts/${id}`);
  });

  it('indexes answers with their question and drops them with a deleted question', async () => {
    const asker = await createUser();
    const question = await createPost(t, asker, 'question', [topics.fibre], {
      title: 'Modem che lampeggia rosso di notte',
    });
    const answer = await t.services.answers.create(
      question,
      await sessionUserOf(await createUser()),
      'Riavviare il router e controllare il firmware.',
    );
    const { agent } = await signedIn(t);
    const res = await agent.get('/search?q=firmware&kind=answer').expect(200);
    expect(res.text).to.include(`/posts/${question}#answer-${answer}`);
    await t.services.posts.remove(question, await sessionUserOf(asker), '');
    expect((await agent.get('/search?q=firmware').expect(200)).text).to.not.include(`#answer-${answer}`);
  });

  it("shows each result's real figures: votes, who has seen it too, answers, accepted (not the ranking score)", async () => {
    const asker = await createUser();
    const colleague = await createUser();
    const voter = await sessionUserOf(await createUser());
    const question = await createPost(t, asker, 'question', [topics.fibre], {
      title: 'Decoder che si spegne da solo durante la partita',
    });
    const answer = await t.services.answers.create(
      question,
      await sessionUserOf(colleague),
      'Il decoder si spegne per il risparmio energetico: disattivarlo dal menu.',
    );
    await t.services.answers.accept(answer, await sessionUserOf(asker));
    const insight = await createPost(t, colleague, 'insight', [topics.fibre], {
      title: 'Decoder spento dal risparmio energetico',
      situation: 'Il decoder si spegne da solo dopo due ore.',
      action: 'Disattivato il risparmio energetico.',
      outcome: 'Non si spegne più.',
    });
    await t.services.votes.vote(voter, 'post', insight, 1);
    await t.services.votes.vote(await sessionUserOf(asker), 'post', insight, 1);
    await t.services.posts.confirm(insight, voter);

    const { agent } = await signedIn(t, ['operator'], { locale: 'en' });
    const factsOf = (html: string, href: string) => {
      const at = html.indexOf(`href="${href}"`);
      const item = html.slice(at, html.indexOf('</li>', at));
      return [...item.matchAll(/<span>([^<]*(?:vote|seen|answer|accepted|helpful)[^<]*)<\/span>/g)].map(
        (m) => m[1],
      );
    };
    const page = (await agent.get('/search?q=decoder').set('Accept-Language', 'en').expect(200)).text;
    // The index ranks an accepted answer as if it had 5 more votes: the result shows its real count.
    expect(factsOf(page, `/posts/${question}#answer-${answer}`)).to.deep.equal(['0 votes', 'accepted']);
    expect(factsOf(page, `/posts/${insight}`)).to.deep.equal(['2 votes', '1 has seen this too']);
    expect(factsOf(page, `/posts/${question}`)).to.deep.equal(['1 answer']);
  });

  it('keeps KB drafts for knowledge managers and shows published articles to everyone', async () => {
    const km = await signedIn(t, ['knowledge_manager']);
    const number = await t.services.kb.create(await sessionUserOf(km.user), {
      title: 'Cauzione rimborsata dopo la disdetta',
      problem: 'Il cliente chiede la cauzione.',
      environment: '',
      cause: '',
      resolution: 'Rimborso entro trenta giorni.',
      topics: [topics.billing],
      note: '',
    });
    const { agent: operator } = await signedIn(t);
    expect((await operator.get('/search?q=cauzione').expect(200)).text).to.not.include(`/kb/${number}`);
    expect((await km.agent.get('/search?q=cauzione').expect(200)).text).to.include(`/kb/${number}`);
    const manager = await sessionUserOf(km.user);
    await t.services.kb.transition(number, manager, 'review');
    await t.services.kb.transition(number, manager, 'published');
    expect((await operator.get('/search?q=cauzione').expect(200)).text).to.include(`/kb/${number}`);
    const similar = await operator.get('/api/search/similar?q=rimborso%20cauzione').expect(200);
    expect(JSON.stringify(similar.body)).to.include(`/kb/${number}`);
  });

  it('goes to an article when its number is typed ("KB-8"), unless the person may not read it', async () => {
    const km = await signedIn(t, ['knowledge_manager']);
    const manager = await sessionUserOf(km.user);
    const draft = await t.services.kb.create(manager, {
      title: 'Bozza sul cambio di intestatario',
      problem: 'Il cliente vuole cambiare intestatario.',
      environment: '',
      cause: '',
      resolution: 'Modulo di voltura.',
      topics: [topics.billing],
      note: '',
    });
    const { agent: operator } = await signedIn(t);
    for (const typed of [`KB-${draft}`, `kb ${draft}`, `kb${draft}`]) {
      const own = await km.agent.get('/search').query({ q: typed }).redirects(0).expect(303);
      expect(own.headers.location, typed).to.equal(`/kb/${draft}`);
    }
    // A draft is not the operator's to read: the number is searched like any text.
    await operator
      .get('/search')
      .query({ q: `KB-${draft}` })
      .redirects(0)
      .expect(200);
    await t.services.kb.transition(draft, manager, 'review');
    await t.services.kb.transition(draft, manager, 'published');
    const jump = await operator
      .get('/search')
      .query({ q: `KB-${draft}` })
      .redirects(0)
      .expect(303);
    expect(jump.headers.location).to.equal(`/kb/${draft}`);
    // No such article, or more than a number: the search runs.
    await operator.get('/search').query({ q: 'KB-99999' }).redirects(0).expect(200);
    await operator
      .get('/search')
      .query({ q: `KB-${draft} voltura` })
      .redirects(0)
      .expect(200);
  });

  it('shows similar questions on the new question form, with and without JavaScript', async () => {
    const asker = await createUser();
    const similarId = await createPost(t, asker, 'question', [topics.billing], {
      title: 'Come si rateizza un conguaglio alto?',
    });
    const { agent } = await signedIn(t);
    const form = await agent.get('/posts/new?kind=question').expect(200);
    expect(form.text).to.include('data-search-similar="similar-suggestions"');
    const token = await csrfToken(agent, '/posts/new?kind=question');
    const checked = await agent
      .post('/posts')
      .field('_csrf', token)
      .field('kind', 'question')
      .field('title', 'rateizzazione conguaglio')
      .field('body', 'Il mio testo resta')
      .field('checkSimilar', '1')
      .expect(200);
    expect(checked.text).to.include(`href="/posts/${similarId}"`);
    expect(checked.text).to.include('<mark>rateizza</mark>');
    expect(checked.text).to.include('Il mio testo resta');
  });
});
