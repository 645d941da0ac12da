import { expect } from 'chai';
import { Team } from '../../../models/team.ts';
import { Topic } from '../../../models/topic.ts';
import { useTestApp } from '../../helpers/app.ts';
import { hitUrls, searchDoc } from '../../helpers/search.ts';
import { signedIn } from '../../helpers/users.ts';

describe('search: languages, ranking and the results page', () => {
  const t = useTestApp();

  before(async () => {
    const search = t.services.search;
    await search.index(
      searchDoc({
        id: 'fatt1',
        url: '/posts/fatt1',
        title: 'Fatturazione doppia sulla bolletta di marzo',
        body: 'Il cliente vede due fatture per lo stesso periodo. Perché succede?',
      }),
    );
    await search.index(
      searchDoc({
        id: 'bill1',
        url: '/posts/bill1',
        kind: 'tip',
        title: 'Customer billed twice',
        body: 'Check the billing address <b>before</b> refunding & escalating.',
      }),
    );
    await search.index(
      searchDoc({
        id: 'speed1',
        url: '/posts/speed1',
        kind: 'insight',
        title: 'Velocità della fibra bassa la sera',
        body: 'Perché la velocità scende dopo le 20? Congestione nella centrale di zona.',
      }),
    );
    await search.index(
      searchDoc({
        id: 'refund1',
        url: '/posts/refund1',
        title: 'Rimborso del canone pagato due volte',
        body: 'Aprire la pratica di rimborso in CRM.',
      }),
    );
  });

  it('finds accented words without accents and the other way round (perché = perche)', async () => {
    const { agent } = await signedIn(t);
    for (const q of ['velocita', 'Velocità', 'VELOCITA fibra']) {
      const res = await agent.get('/search').query({ q }).expect(200);
      expect(hitUrls(res.text), q).to.deep.equal(['/posts/speed1']);
    }
    // "perché" is a stop word in any spelling: it neither helps nor hurts.
    const res = await agent.get('/search').query({ q: 'perche velocita' }).expect(200);
    expect(hitUrls(res.text)).to.deep.equal(['/posts/speed1']);
  });

  it('finds every form of an Italian word: fattura, fatture, fatturazione', async () => {
    const { agent } = await signedIn(t);
    for (const q of ['fattura', 'fatture', 'fatturazione', 'FATTURAZIONI']) {
      const res = await agent.get('/search').query({ q }).expect(200);
      expect(hitUrls(res.text), q).to.deep.equal(['/posts/fatt1']);
    }
  });

  it('finds every form of an English word: billing, billed, bills', async () => {
    const { agent } = await signedIn(t);
    for (const q of ['billing', 'billed', 'bills', 'refunding']) {
      const res = await agent.get('/search').query({ q }).expect(200);
      expect(hitUrls(res.text), q).to.deep.equal(['/posts/bill1']);
    }
  });

  it('ignores stop words, and says so when a query has nothing else', async () => {
    const { agent } = await signedIn(t, ['operator'], { locale: 'en' });
    const withStops = await agent.get('/search').query({ q: 'il rimborso del canone' }).expect(200);
    expect(hitUrls(withStops.text)).to.deep.equal(['/posts/refund1']);
    const onlyStops = await agent.get('/search').query({ q: 'il della the and' }).expect(200);
    expect(onlyStops.text).to.include('only has very common words');
    expect(hitUrls(onlyStops.text)).to.deep.equal([]);
  });

  it('matches the last word by its prefix as typed', async () => {
    const { agent } = await signedIn(t);
    expect(hitUrls((await agent.get('/search').query({ q: 'rimbor' }).expect(200)).text)).to.deep.equal([
      '/posts/refund1',
    ]);
    expect(hitUrls((await agent.get('/search').query({ q: 'canone rimbo' }).expect(200)).text)).to.deep.equal(
      ['/posts/refund1'],
    );
    expect(hitUrls((await agent.get('/search').query({ q: 'custom' }).expect(200)).text)).to.deep.equal([
      '/posts/bill1',
    ]);
  });

  it('finds documents in either language whatever the language of the page', async () => {
    const { agent: italian } = await signedIn(t, ['operator'], { locale: 'it' });
    const { agent: english } = await signedIn(t, ['operator'], { locale: 'en' });
    const it = await italian.get('/search').query({ q: 'billed fatture' }).expect(200);
    expect(it.text).to.include('Nessun risultato contiene tutte le parole');
    expect(hitUrls(it.text).sort()).to.deep.equal(['/posts/bill1', '/posts/fatt1']);
    const en = await english.get('/search').query({ q: 'rimborso' }).expect(200);
    expect(hitUrls(en.text)).to.deep.equal(['/posts/refund1']);
    expect(en.text).to.include('1 result');
  });

  it('highlights matched words in escaped titles and snippets', async () => {
    const { agent } = await signedIn(t);
    const res = await agent.get('/search').query({ q: 'billing' }).expect(200);
    expect(res.text).to.include('Customer <mark>billed</mark> twice');
    expect(res.text).to.include(
      'Check the <mark>billing</mark> address &lt;b&gt;before&lt;/b&gt; refunding &amp; escalating.',
    );
    expect(res.text).to.not.include('<b>before</b>');
  });

  it('shows the empty states in both languages', async () => {
    const { agent: italian } = await signedIn(t, ['operator'], { locale: 'it' });
    const start = await italian.get('/search').expect(200);
    expect(start.text).to.include('Scrivi cosa chiede il cliente');
    const none = await italian.get('/search').query({ q: 'zanzibar' }).expect(200);
    expect(none.text).to.include('Nessun risultato per “zanzibar”.');
    const { agent: english } = await signedIn(t, ['operator'], { locale: 'en' });
    const noneEn = await english.get('/search').query({ q: 'zanzibar', mine: 'on' }).expect(200);
    expect(noneEn.text).to.include('Nothing found for “zanzibar”.');
    expect(noneEn.text).to.include('Filters are on');
  });

  it('puts a search box in the header for signed-in people, and sends others to sign in', async () => {
    const { agent } = await signedIn(t);
    const home = await agent.get('/').expect(200);
    expect(home.text).to.match(/<form class="header-search" method="get" action="\/search" role="search">/);
    const anonymous = await t.request().get('/search?q=fattura').redirects(0).expect(303);
    expect(anonymous.headers.location).to.match(/^\/login\?next=/);
    await t.request().get('/api/search/similar?q=fattura').expect(401);
  });
});

describe('search: ranking order on a small fixed corpus', () => {
  const t = useTestApp();
  const now = Date.now();
  const day = 86_400_000;

  before(async () => {
    const search = t.services.search;
    const old = new Date(now - 400 * day);
    const base = { createdAt: old, updatedAt: old, score: 0 };
    // Same words: in the title, in a KB problem statement, in a body.
    await search.index(
      searchDoc({ ...base, id: 'title', title: 'Modem con luce rossa', body: 'Riavviare.' }),
    );
    await search.index(
      searchDoc({
        ...base,
        type: 'article',
        id: 'problem',
        kind: 'article',
        kbState: 'archived',
        title: 'Procedura di riavvio',
        problem: 'Modem con luce rossa',
        body: 'Riavviare.',
      }),
    );
    await search.index(
      searchDoc({
        ...base,
        id: 'body',
        title: 'Procedura di riavvio',
        body: 'Se il modem mostra una luce rossa, riavviare e attendere qualche minuto prima di richiamare il cliente.',
      }),
    );
    // Identical text: votes, recency and a published KB article decide.
    const same = { title: 'Disdetta del contratto', body: 'Inviare il modulo di recesso.' };
    await search.index(searchDoc({ ...base, ...same, id: 'votes0', score: 0 }));
    await search.index(searchDoc({ ...base, ...same, id: 'votes25', score: 25 }));
    await search.index(
      searchDoc({ ...same, id: 'recent', score: 0, createdAt: new Date(now), updatedAt: new Date(now) }),
    );
    await search.index(
      searchDoc({
        ...base,
        ...same,
        type: 'article',
        id: 'kb',
        kind: 'article',
        kbState: 'published',
        score: 0,
      }),
    );
  });

  it('ranks a title match above a problem-statement match above a body match', async () => {
    const { agent } = await signedIn(t);
    const res = await agent.get('/search').query({ q: 'modem luce rossa', state: 'archived' }).expect(200);
    expect(hitUrls(res.text)).to.deep.equal(['/articles/problem']);
    const all = await agent.get('/search').query({ q: 'modem luce rossa' }).expect(200);
    // The archived article is left out unless asked for.
    expect(hitUrls(all.text)).to.deep.equal(['/posts/title', '/posts/body']);
    const ranked = await t.services.search.search(null, {
      text: 'modem luce rossa',
      filters: { kbStates: ['archived'] },
    });
    const withArchived = await t.services.search.search(null, { text: 'modem luce rossa' });
    expect(ranked.hits.map((h) => h.id)).to.deep.equal(['problem']);
    expect(withArchived.hits[0]!.relevance).to.be.greaterThan(ranked.hits[0]!.relevance);
    expect(ranked.hits[0]!.relevance).to.be.greaterThan(withArchived.hits[1]!.relevance);
  });

  it('orders equally relevant documents by published KB, votes and recency', async () => {
    const { agent } = await signedIn(t);
    const res = await agent.get('/search').query({ q: 'disdetta contratto' }).expect(200);
    const order = hitUrls(res.text);
    expect(order).to.have.length(4);
    // Each signal lifts a document above the same text without it.
    expect(order[3]).to.equal('/posts/votes0');
    for (const lifted of ['/articles/kb', '/posts/votes25', '/posts/recent'])
      expect(order.indexOf(lifted), lifted).to.be.lessThan(order.indexOf('/posts/votes0'));
    // The boosts are bounded: more votes never beat a clearly better text match.
    const filler = Array.from({ length: 40 }, (_, i) => `nota${i}`).join(' ');
    await t.services.search.index(
      searchDoc({
        id: 'popular',
        title: 'Riepilogo',
        body: `${filler} disdetta ${filler} contratto`,
        score: 500,
      }),
    );
    const bounded = hitUrls((await agent.get('/search').query({ q: 'disdetta contratto' }).expect(200)).text);
    expect(bounded).to.deep.equal([...order, '/posts/popular']);
  });
});

describe('search: filters, counts per kind and pagination', () => {
  const t = useTestApp();
  let billing: string;
  let invoices: string;
  let otherTopic: string;
  let teamA: string;
  let teamB: string;
  let me: { id: string; displayName: string };

  before(async () => {
    billing = String(
      (await Topic.create({ slug: 'billing', names: { it: 'Fatturazione', en: 'Billing' }, kind: 'process' }))
        ._id,
    );
    invoices = String(
      (
        await Topic.create({
          slug: 'invoices',
          names: { it: 'Fatture', en: 'Invoices' },
          kind: 'process',
          parent: billing,
          ancestors: [billing],
        })
      )._id,
    );
    otherTopic = String(
      (await Topic.create({ slug: 'fibre', names: { it: 'Fibra', en: 'Fibre' }, kind: 'product' }))._id,
    );
    teamA = String((await Team.create({ name: 'Fatturazione e Pagamenti', slug: 'fatt-pag' }))._id);
    teamB = String((await Team.create({ name: 'Assistenza Tecnica', slug: 'tecnica' }))._id);
  });

  it('filters by kind, topic (with subtopics), KB state, team, author and date, counting per kind', async () => {
    const session = await signedIn(t, ['operator'], { locale: 'en' });
    me = session.user;
    const { agent } = session;
    const search = t.services.search;
    const jan = new Date('2026-01-15T10:00:00Z');
    const mar = new Date('2026-03-15T10:00:00Z');
    await search.index(
      searchDoc({
        id: 'q1',
        kind: 'question',
        title: 'Addebito sconosciuto',
        topics: [invoices],
        teamId: teamA,
        createdAt: jan,
        updatedAt: jan,
      }),
    );
    await search.index(
      searchDoc({
        id: 'q2',
        kind: 'question',
        title: 'Addebito doppio',
        topics: [otherTopic],
        teamId: teamB,
        authorId: me.id,
        createdAt: mar,
        updatedAt: mar,
      }),
    );
    await search.index(
      searchDoc({
        id: 't1',
        kind: 'tip',
        title: 'Addebito: come stornarlo',
        topics: [billing],
        teamId: teamA,
        createdAt: mar,
        updatedAt: mar,
      }),
    );
    await search.index(
      searchDoc({
        id: 'i1',
        kind: 'insight',
        title: 'Addebiti dopo il trasloco',
        teamId: teamB,
        createdAt: jan,
        updatedAt: jan,
      }),
    );
    await search.index(
      searchDoc({
        type: 'answer',
        id: 'a1',
        kind: 'answer',
        title: 'Addebito sconosciuto',
        body: 'Controllare il mandato SEPA.',
        teamId: teamA,
        authorId: me.id,
        createdAt: mar,
        updatedAt: mar,
      }),
    );
    await search.index(
      searchDoc({
        type: 'article',
        id: 'k1',
        kind: 'article',
        kbState: 'published',
        title: 'Addebiti non riconosciuti',
        topics: [invoices],
        createdAt: jan,
        updatedAt: jan,
      }),
    );
    await search.index(
      searchDoc({
        type: 'article',
        id: 'k2',
        kind: 'article',
        kbState: 'archived',
        title: 'Addebiti (vecchia procedura)',
        createdAt: jan,
        updatedAt: jan,
      }),
    );

    const ids = async (query: Record<string, string>) =>
      hitUrls(
        (
          await agent
            .get('/search')
            .query({ q: 'addebito', ...query })
            .expect(200)
        ).text,
      )
        .map((u) => u.split('/').pop()!)
        .sort();

    const all = await agent.get('/search').query({ q: 'addebito' }).expect(200);
    expect(all.text).to.include('6 results');
    for (const [label, count] of [
      ['All', 6],
      ['Case insights', 1],
      ['Tips', 1],
      ['Questions', 2],
      ['Answers', 1],
      ['KB articles', 1],
    ] as const) {
      expect(all.text, label).to.match(new RegExp(`>${label} <span class="count">${count}</span>`));
    }
    expect(await ids({ kind: 'question' })).to.deep.equal(['q1', 'q2']);
    const questions = await agent.get('/search').query({ q: 'addebito', kind: 'question' }).expect(200);
    // The other kinds keep their counts while one is chosen.
    expect(questions.text).to.match(/>Tips <span class="count">1<\/span>/);
    expect(await ids({ topic: billing })).to.deep.equal(['k1', 'q1', 't1']);
    expect(await ids({ topic: invoices })).to.deep.equal(['k1', 'q1']);
    expect(await ids({ state: 'published' })).to.deep.equal(['k1']);
    expect(await ids({ state: 'archived' })).to.deep.equal(['k2']);
    expect(await ids({ team: teamA })).to.deep.equal(['a1', 'q1', 't1']);
    expect(await ids({ mine: 'on' })).to.deep.equal(['a1', 'q2']);
    const byAuthor = await agent.get('/search').query({ q: 'addebito', author: me.id }).expect(200);
    expect(byAuthor.text).to.include(`Author: <strong>${me.displayName}</strong>`);
    expect(await ids({ from: '2026-03-01' })).to.deep.equal(['a1', 'q2', 't1']);
    expect(await ids({ to: '2026-01-31' })).to.deep.equal(['i1', 'k1', 'q1']);
    expect(await ids({ from: '2026-01-15', to: '2026-01-15', team: teamB })).to.deep.equal(['i1']);
    // Nonsense filter values are ignored, not errors.
    expect(await ids({ kind: 'poem', topic: 'x', from: '2026-13-45', page: '-2' })).to.have.length(6);
  });

  it('pages through results ten at a time', async () => {
    const { agent } = await signedIn(t, ['operator'], { locale: 'en' });
    for (let i = 0; i < 23; i++)
      await t.services.search.index(
        searchDoc({ id: `page${i}`, kind: 'tip', title: `Portabilità del numero, caso ${i}` }),
      );
    const first = await agent.get('/search').query({ q: 'portabilita' }).expect(200);
    expect(hitUrls(first.text)).to.have.length(10);
    expect(first.text).to.include('23 results');
    expect(first.text).to.include('rel="next"');
    const third = await agent.get('/search').query({ q: 'portabilita', page: '3' }).expect(200);
    expect(hitUrls(third.text)).to.have.length(3);
    expect(third.text).to.not.include('rel="next"');
    expect(third.text).to.include('rel="prev"');
    const pages = [1, 2, 3].map(async (page) =>
      hitUrls((await agent.get('/search').query({ q: 'portabilita', page: String(page) })).text),
    );
    const seen = (await Promise.all(pages)).flat();
    expect(new Set(seen).size).to.equal(23);
  });
});
