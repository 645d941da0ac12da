import { expect } from 'chai';
import { AuditEntry } from '../../../models/audit-entry.ts';
import { Setting } from '../../../models/setting.ts';
import { csrfToken, useTestApp } from '../../helpers/app.ts';
import { hitUrls, searchDoc } from '../../helpers/search.ts';
import { signedIn } from '../../helpers/users.ts';

/** Search that forgives: a typo, an accent, a synonym a knowledge manager declared. */
describe('search: typos, accents and synonyms', function () {
  this.timeout(60_000);
  const t = useTestApp();

  before(async () => {
    const search = t.services.search;
    await search.index(
      searchDoc({
        type: 'article',
        id: 'sdd',
        kind: 'article',
        kbState: 'published',
        title: 'Addebito respinto dalla banca',
      }),
    );
    await search.index(
      searchDoc({
        type: 'article',
        id: 'dom',
        kind: 'article',
        kbState: 'published',
        title: 'Domiciliazione della bolletta',
      }),
    );
    await search.index(
      searchDoc({
        type: 'article',
        id: 'qual',
        kind: 'article',
        kbState: 'published',
        title: 'Qualità della linea fibra',
      }),
    );
  });

  const found = async (agent: Awaited<ReturnType<typeof signedIn>>['agent'], q: string) =>
    hitUrls((await agent.get('/search').query({ q }).expect(200)).text);

  it('finds the article through a typo and with or without accents', async () => {
    const { agent } = await signedIn(t);
    expect(await found(agent, 'addebbito')).to.deep.equal(['/articles/sdd']);
    expect(await found(agent, 'adebito respinto')).to.deep.equal(['/articles/sdd']);
    expect(await found(agent, 'qualita')).to.deep.equal(['/articles/qual']);
    expect(await found(agent, 'QUALITÀ')).to.deep.equal(['/articles/qual']);
  });

  it('lets knowledge managers declare synonyms that search then uses, versioned and audited; others may not', async () => {
    const operator = await signedIn(t);
    expect(await found(operator.agent, 'RID')).to.deep.equal([]);
    const manager = await signedIn(t, ['knowledge_manager']);
    const page = await manager.agent.get('/search/synonyms').expect(200);
    expect(page.text).to.include('Gruppi di sinonimi');
    const token = await csrfToken(manager.agent, '/search/synonyms');

    // A line that is not a group comes back with the error and the text kept.
    const wrong = 'SDD, RID, domiciliazione\naddebito diretto, SDD';
    await manager.agent
      .post('/search/synonyms')
      .type('form')
      .send({ _csrf: token, synonyms: wrong })
      .expect(303)
      .expect('Location', '/search/synonyms');
    const again = await manager.agent.get('/search/synonyms').expect(200);
    expect(again.text).to.include('Controlla le righe 2');
    expect(again.text).to.include('addebito diretto, SDD</textarea>');
    expect(await Setting.findById('searchSynonyms').lean()).to.equal(null);

    await manager.agent
      .post('/search/synonyms')
      .type('form')
      .send({ _csrf: token, synonyms: 'SDD, RID, domiciliazione\nmodem, router' })
      .expect((res) => {
        if (res.status !== 303)
          throw new Error(
            res.text
              .replace(/<[^>]+>/g, ' ')
              .replace(/\s+/g, ' ')
              .slice(0, 1500),
          );
      });
    const saved = await Setting.findById('searchSynonyms').lean();
    expect(saved?.version).to.equal(1);
    expect((saved?.value as { groups?: Array<{ words: string[] }> } | undefined)?.groups).to.deep.equal([
      { words: ['SDD', 'RID', 'domiciliazione'] },
      { words: ['modem', 'router'] },
    ]);
    const audit = await AuditEntry.findOne({ action: 'search.synonymsChanged' }).lean();
    expect(String(audit?.actor)).to.equal(manager.user.id);

    // The same text again is not a new version.
    await manager.agent
      .post('/search/synonyms')
      .type('form')
      .send({ _csrf: token, synonyms: 'SDD, RID, domiciliazione\nmodem, router\n' })
      .expect(303);
    expect((await Setting.findById('searchSynonyms').lean())?.version).to.equal(1);

    // Search uses them at once on this instance (the cache is dropped on save).
    expect(await found(operator.agent, 'RID')).to.deep.equal(['/articles/dom']);
    expect(await found(operator.agent, 'sdd')).to.deep.equal(['/articles/dom']);

    // An operator may not see or change them.
    await operator.agent.get('/search/synonyms').expect(403);
    const opToken = await csrfToken(operator.agent, '/');
    await operator.agent
      .post('/search/synonyms')
      .type('form')
      .send({ _csrf: opToken, synonyms: 'a1, b1' })
      .expect(403);
    // The English page.
    const english = await signedIn(t, ['knowledge_manager'], { locale: 'en' });
    expect((await english.agent.get('/search/synonyms').expect(200)).text).to.include('Groups of synonyms');
  });
});
