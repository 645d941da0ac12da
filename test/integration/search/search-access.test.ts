import { expect } from 'chai';
import { useTestApp } from '../../helpers/app.ts';
import { hitUrls, searchDoc } from '../../helpers/search.ts';
import { signedIn } from '../../helpers/users.ts';

describe('search: permissions, edits and deletions', () => {
  const t = useTestApp();

  it('shows KB drafts only to knowledge managers, admins and their author', async () => {
    const author = await signedIn(t, ['operator']);
    const other = await signedIn(t, ['operator']);
    const manager = await signedIn(t, ['knowledge_manager']);
    const lead = await signedIn(t, ['team_lead']);
    const admin = await signedIn(t, ['admin']);
    const search = t.services.search;
    // No visibility given: a draft is restricted by default.
    await search.index(
      searchDoc({
        type: 'article',
        id: 'draft1',
        kind: 'article',
        kbState: 'draft',
        title: 'Bozza: voltura gas',
        authorId: author.user.id,
      }),
    );
    await search.index(
      searchDoc({
        type: 'article',
        id: 'review1',
        kind: 'article',
        kbState: 'review',
        title: 'Voltura gas in revisione',
        visibility: { roles: ['knowledge_manager'], users: [] },
      }),
    );
    await search.index(
      searchDoc({
        type: 'article',
        id: 'pub1',
        kind: 'article',
        kbState: 'published',
        title: 'Voltura gas: procedura',
      }),
    );
    const seen = async (agent: typeof author.agent) =>
      hitUrls((await agent.get('/search').query({ q: 'voltura' }).expect(200)).text).sort();
    expect(await seen(other.agent)).to.deep.equal(['/articles/pub1']);
    expect(await seen(lead.agent)).to.deep.equal(['/articles/pub1']);
    expect(await seen(author.agent)).to.deep.equal(['/articles/draft1', '/articles/pub1']);
    expect(await seen(manager.agent)).to.deep.equal([
      '/articles/draft1',
      '/articles/pub1',
      '/articles/review1',
    ]);
    expect(await seen(admin.agent)).to.deep.equal(['/articles/draft1', '/articles/pub1']);
    // Counts never reveal what a person may not see.
    const counted = await other.agent.get('/search').query({ q: 'voltura', kind: 'article' }).expect(200);
    expect(counted.text).to.match(/>Articoli KB <span class="count">1<\/span>/);
    const drafts = await other.agent.get('/search').query({ q: 'voltura', state: 'draft' }).expect(200);
    expect(hitUrls(drafts.text)).to.deep.equal([]);
    // Nor does "search first".
    const similar = await other.agent.get('/api/search/similar').query({ q: 'voltura gas' }).expect(200);
    expect(similar.body.items.map((i: { id: string }) => i.id)).to.deep.equal(['pub1']);
  });

  it('updates the index when a document is edited, and forgets it when deleted', async () => {
    const { agent } = await signedIn(t);
    const search = t.services.search;
    const original = searchDoc({ id: 'edit1', title: 'Bonifico non arrivato', body: 'Verificare il CRO.' });
    await search.index(original);
    const found = async (q: string) => hitUrls((await agent.get('/search').query({ q }).expect(200)).text);
    expect(await found('bonifico')).to.deep.equal(['/posts/edit1']);
    await search.index({
      ...original,
      title: 'Pagamento con carta rifiutato',
      body: 'Chiedere un altro metodo.',
    });
    expect(await found('bonifico')).to.deep.equal([]);
    expect(await found('carta rifiutata')).to.deep.equal(['/posts/edit1']);
    // Deleted through the flag, as a soft-deleting feature would.
    await search.index({ ...original, title: 'Pagamento con carta rifiutato', deleted: true });
    expect(await found('carta')).to.deep.equal([]);
    // Deleted for good.
    await search.index(searchDoc({ id: 'edit2', title: 'Carta clonata' }));
    expect(await found('carta')).to.deep.equal(['/posts/edit2']);
    await search.remove('post', 'edit2');
    expect(await found('carta')).to.deep.equal([]);
    await search.remove('post', 'never-indexed');
  });

  it('refuses a malformed document at once', async () => {
    const search = t.services.search;
    for (const bad of [
      { url: 'https://evil.example/x' },
      { url: '//evil.example/x' },
      { kind: 'poem' as never },
      { id: '' },
      { id: 'a#b' },
      { createdAt: new Date('nope') },
      { kbState: 'secret' as never },
      { score: Number.NaN },
    ]) {
      let error: unknown;
      try {
        await search.index(searchDoc(bad));
      } catch (err) {
        error = err;
      }
      expect(error, JSON.stringify(bad)).to.be.instanceOf(Error);
      expect((error as Error).message).to.match(/^search: invalid document/);
    }
  });
});

describe('search: "search first" suggestions', () => {
  const t = useTestApp();

  before(async () => {
    const search = t.services.search;
    await search.index(
      searchDoc({ id: 'q1', kind: 'question', title: 'Come si richiede il rimborso della cauzione?' }),
    );
    await search.index(searchDoc({ id: 'q2', kind: 'question', title: 'Refund of a double payment' }));
    await search.index(searchDoc({ id: 'tip1', kind: 'tip', title: 'Rimborso cauzione: consiglio' }));
    await search.index(
      searchDoc({ type: 'answer', id: 'ans1', title: 'Rimborso della cauzione', context: 'Rimborso' }),
    );
    await search.index(
      searchDoc({
        type: 'article',
        id: 'kb1',
        kind: 'article',
        kbState: 'published',
        title: 'Rimborso della cauzione <dopo> la disdetta',
      }),
    );
    await search.index(
      searchDoc({
        type: 'article',
        id: 'kb2',
        kind: 'article',
        kbState: 'archived',
        title: 'Rimborso cauzione (vecchio)',
      }),
    );
    await search.index(
      searchDoc({
        type: 'article',
        id: 'kb3',
        kind: 'article',
        kbState: 'review',
        title: 'Rimborso cauzione (nuovo)',
        visibility: null,
      }),
    );
  });

  it('returns similar questions and published KB articles as JSON while a title is typed', async () => {
    const { agent } = await signedIn(t, ['knowledge_manager'], { locale: 'en' });
    const res = await agent.get('/api/search/similar').query({ q: 'rimborso cauz' }).expect(200);
    expect(res.headers['content-type']).to.match(/json/);
    expect(res.headers['cache-control']).to.include('no-store');
    const items = res.body.items as Array<{
      id: string;
      kind: string;
      kindLabel: string;
      url: string;
      titleParts: unknown[];
    }>;
    expect(items.map((i) => i.id).sort()).to.deep.equal(['kb1', 'q1']);
    const kb = items.find((i) => i.id === 'kb1')!;
    expect(kb.kindLabel).to.equal('KB article');
    expect(kb.url).to.equal('/articles/kb1');
    expect(kb.titleParts).to.deep.equal([
      { text: 'Rimborso', mark: true },
      { text: ' della ', mark: false },
      { text: 'cauzione', mark: true },
      { text: ' <dopo> la disdetta', mark: false },
    ]);
    // Either language; few letters give nothing.
    const en = await agent.get('/api/search/similar').query({ q: 'refunds ' }).expect(200);
    expect(en.body.items.map((i: { id: string }) => i.id)).to.deep.equal(['q2']);
    expect((await agent.get('/api/search/similar').query({ q: 'ri' }).expect(200)).body.items).to.deep.equal(
      [],
    );
    expect((await agent.get('/api/search/similar').expect(200)).body.items).to.deep.equal([]);
  });

  it('shows the same list without JavaScript', async () => {
    const { agent } = await signedIn(t);
    const empty = await agent.get('/search/similar').expect(200);
    expect(empty.text).to.include('data-search-similar="similar-suggestions"');
    expect(empty.text).to.match(/<section class="similar-suggestions" id="similar-suggestions"[^>]* hidden>/);
    const res = await agent.get('/search/similar').query({ q: 'rimborso della cauzione' }).expect(200);
    expect(res.text).to.include('href="/articles/kb1"');
    expect(res.text).to.include('href="/posts/q1"');
    expect(res.text).to.include('<mark>Rimborso</mark> della <mark>cauzione</mark> &lt;dopo&gt; la disdetta');
    expect(res.text).to.not.include('href="/posts/tip1"');
    const none = await agent.get('/search/similar').query({ q: 'zanzibar' }).expect(200);
    expect(none.text).to.include('Ancora nessuna domanda o articolo simile');
  });

  it('serves the client script that fills the box', async () => {
    const { agent } = await signedIn(t);
    const page = await agent.get('/search/similar').expect(200);
    const script =
      /<script type="module" src="(\/assets\/js\/search-first\.[0-9a-f]{12}\.js)"><\/script>/.exec(page.text);
    expect(script, 'search-first.js on the page').to.not.equal(null);
    const js = await agent.get(script![1]!).expect(200);
    expect(js.text).to.include('/api/search/similar?q=');
    expect(js.text).to.include('[data-search-similar]');
    expect(js.text).to.not.include('innerHTML');
  });
});
