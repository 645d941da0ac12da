import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import mongoose from 'mongoose';
import { projectRoot } from '../../../server/config.ts';
import { RebuildRefused, SearchService } from '../../../server/search/search.service.ts';
import type { SearchDocument, SearchSource } from '../../../server/search/search.types.ts';
import { useTestApp } from '../../helpers/app.ts';
import { createPost, createTopics, FAST_POSTING } from '../../helpers/content.ts';
import { testLogger, testStorageAdapter } from '../../helpers/engine.ts';
import { searchDoc } from '../../helpers/search.ts';
import { createUser } from '../../helpers/users.ts';

const run = promisify(execFile);

/** A content feature's documents, held in memory. */
function memorySource(type: SearchDocument['type'], docs: Map<string, SearchDocument>): SearchSource {
  return {
    type,
    iterate: () => [...docs.values()],
    load: async (id) => docs.get(id) ?? null,
  };
}

async function ids(search: SearchService, text: string, filters = {}): Promise<string[]> {
  const result = await search.search({ id: 'viewer', roles: ['admin'] }, { text, filters, pageSize: 50 });
  return result.hits.map((h) => `${h.type}:${h.id}`).sort();
}

describe('search index: rebuild', () => {
  useTestApp();

  it('rebuilds from every registered source and reports documents and time', async () => {
    // A service of its own: the app's has the real sources registered.
    const search = new SearchService({ logger: testLogger });
    const posts = new Map<string, SearchDocument>();
    const articles = new Map<string, SearchDocument>();
    for (let i = 0; i < 30; i++)
      posts.set(`p${i}`, searchDoc({ id: `p${i}`, title: `Roaming in Albania, caso ${i}` }));
    articles.set(
      'a1',
      searchDoc({ type: 'article', id: 'a1', kind: 'article', title: 'Roaming: tariffe estere' }),
    );
    posts.set('gone', searchDoc({ id: 'gone', title: 'Roaming cancellato', deleted: true }));
    // The index is out of date: a stale version, a document the source no longer has.
    await search.index({ ...posts.get('p0')!, title: 'Versione vecchia del titolo' });
    await search.index(searchDoc({ id: 'orphan', title: 'Roaming orfano' }));

    // Nothing registered: refusing beats emptying the index.
    let refused: unknown;
    await search.rebuild().catch((err: unknown) => {
      refused = err;
    });
    expect(refused).to.be.instanceOf(RebuildRefused);

    search.register(memorySource('post', posts));
    search.register(memorySource('article', articles));
    try {
      // A write while the rebuild reads its sources is kept.
      const slow: SearchSource = {
        type: 'answer',
        async *iterate() {
          await search.index(searchDoc({ id: 'during', title: 'Roaming scritto durante la ricostruzione' }));
          yield searchDoc({ type: 'answer', id: 'r1', title: 'Roaming: risposta' });
        },
        load: async () => null,
      };
      search.register(slow);
      const report = await search.rebuild();
      expect(report.documents).to.equal(32);
      expect(report.byType).to.deep.equal({ post: 30, article: 1, answer: 1 });
      expect(report.dropped).to.equal(1);
      expect(report.ms).to.be.greaterThan(0);
      const found = await ids(search, 'roaming');
      expect(found).to.have.length(33);
      expect(found).to.include('post:during');
      expect(found).to.not.include('post:orphan');
      expect(found).to.not.include('post:gone');
      expect(await ids(search, 'versione vecchia')).to.deep.equal([]);
      expect((await search.stats()).gen).to.be.greaterThan(0);
    } finally {
      search.unregister('post');
      search.unregister('article');
      search.unregister('answer');
    }
  });
});

describe('search index: integrity check', () => {
  useTestApp();

  it('finds documents missing from the index, stale in it or deleted, and repairs them', async () => {
    const search = new SearchService({ logger: testLogger });
    const docs = new Map<string, SearchDocument>();
    for (const id of ['ok', 'missing', 'stale', 'deleted', 'vanished'])
      docs.set(id, searchDoc({ id: `chk-${id}`, title: `Controllo ${id}` }));
    for (const id of ['ok', 'stale', 'deleted', 'vanished']) await search.index(docs.get(id)!);
    docs.set('stale', { ...docs.get('stale')!, title: 'Controllo aggiornato', updatedAt: new Date() });
    docs.set('deleted', { ...docs.get('deleted')!, deleted: true });
    docs.delete('vanished');
    await search.index(searchDoc({ type: 'answer', id: 'unregistered', title: 'Controllo senza fonte' }));
    const source: SearchSource = {
      type: 'post',
      iterate: () => [...docs.values()],
      load: async (id) => [...docs.values()].find((d) => d.id === id) ?? null,
    };
    search.register(source);
    try {
      const report = await search.check();
      expect(report.missing).to.deep.equal([{ type: 'post', id: 'chk-missing' }]);
      expect(report.stale).to.deep.equal([{ type: 'post', id: 'chk-stale' }]);
      expect(report.orphaned.map((p) => p.id).sort()).to.deep.equal(['chk-deleted', 'chk-vanished']);
      expect(report.unchecked).to.be.greaterThan(0);
      expect(report.repaired).to.equal(0);
      expect(report.analyzerOutdated).to.equal(false);

      const repaired = await search.check({ repair: true });
      expect(repaired.repaired).to.equal(4);
      const clean = await search.check();
      expect([clean.missing, clean.stale, clean.orphaned]).to.deep.equal([[], [], []]);
      expect(await ids(search, 'controllo aggiornato')).to.deep.equal(['post:chk-stale']);
      expect(await ids(search, 'controllo missing')).to.deep.equal(['post:chk-missing']);
      expect(await ids(search, 'vanished')).to.deep.equal([]);
    } finally {
      search.unregister('post');
    }
  });
});

describe('search index: commands', () => {
  const t = useTestApp({ env: FAST_POSTING });

  it('runs as npm scripts that print what they did', async () => {
    const topics = await createTopics();
    const author = await createUser();
    await createPost(t, author, 'tip', [topics.billing], { title: 'Roaming in Albania' });
    // A post the index holds but the database never had.
    await t.services.search.index(searchDoc({ type: 'post', id: 'cmd1', title: 'Post senza fonte' }));
    const env = {
      ...process.env,
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      MONGODB_URI: t.databaseUri,
      STORAGE_ADAPTER: testStorageAdapter(),
      SEED_ON_START: 'false',
      DATA_DIR: path.join(projectRoot, 'data', 'test-scripts'),
    };
    const script = (name: string, args: string[] = []) =>
      run(process.execPath, [path.join(projectRoot, 'scripts', name), ...args], {
        env,
        cwd: projectRoot,
      }).then(
        (r) => ({ code: 0, ...r }),
        (err: { code: number; stdout: string; stderr: string }) => err,
      );
    const check = await script('search-check.ts');
    expect(check.code, 'problems found: exit code 1').to.equal(1);
    expect(check.stdout).to.match(/search index check: 1 source documents compared/);
    expect(check.stdout).to.match(/1 deleted but still indexed\n\s+post cmd1/);
    const repaired = await script('search-check.ts', ['--repair']);
    expect(repaired.code, repaired.stderr).to.equal(0);
    expect(repaired.stdout).to.match(/1 repaired/);
    expect((await script('search-check.ts')).code, 'nothing left to repair').to.equal(0);
    const rebuilt = await script('search-rebuild.ts');
    expect(rebuilt.code, rebuilt.stderr).to.equal(0);
    expect(rebuilt.stdout, rebuilt.stdout).to.match(
      /search index rebuilt: 1 document indexed \(.*post 1.*\) in \d+\.\d s/,
    );
  });
});

describe('search index: compaction and several app instances', () => {
  // A fresh database; the services below stand for separate app instances.
  useTestApp();

  it('keeps the same answers when the log is folded into a new segment', async () => {
    const search = new SearchService({ logger: testLogger, compactThreshold: 10_000 });
    for (let i = 0; i < 40; i++)
      await search.index(
        searchDoc({ id: `c${i}`, title: `Cambio intestatario ${i % 2 ? 'luce' : 'gas'}`, score: i }),
      );
    await search.index(searchDoc({ id: 'c3', title: 'Cambio piano tariffario' }));
    await search.remove('post', 'c4');
    const before = await search.search(null, { text: 'cambio intestatario', pageSize: 50 });
    const report = await search.compact();
    expect(report?.documents).to.equal(39);
    expect(report?.foldedEntries).to.equal(42);
    const after = await search.search(null, { text: 'cambio intestatario', pageSize: 50 });
    expect(after.hits.map((h) => h.id)).to.deep.equal(before.hits.map((h) => h.id));
    expect(after.total).to.equal(38);
    expect(after.hits[0]!.snippetHtml + after.hits[0]!.titleHtml).to.include('<mark>');
    // And again, with changes on top of a segment.
    await search.index(searchDoc({ id: 'c5', title: 'Cambio intestatario acqua' }));
    await search.remove('post', 'c6');
    await search.compact();
    const stats = await search.stats();
    expect(stats.tailEntries).to.equal(0);
    expect(stats.documents).to.equal(38);
    expect(await ids(search, 'acqua')).to.deep.equal(['post:c5']);
    expect((await search.search(null, { text: 'intestatario', pageSize: 50 })).total).to.equal(37);
    // Superseded segments and record versions do not pile up.
    const names = (await mongoose.connection.db!.listCollections().toArray()).map((c) => c.name);
    expect(names.filter((n) => /^search_g\d+_m$/.test(n)).length).to.be.at.most(2);
  });

  it('compacts by itself once the log is long enough', async () => {
    const search = new SearchService({ logger: testLogger, compactThreshold: 5 });
    const start = (await search.stats()).gen;
    for (let i = 0; i < 6; i++) await search.index(searchDoc({ id: `auto${i}`, title: `Reclamo ${i}` }));
    await search.idle();
    const stats = await search.stats();
    expect(stats.gen).to.be.greaterThan(start);
    expect(await ids(search, 'reclamo')).to.have.length(6);
  });

  it('lets every instance see the writes of the others, through compactions', async () => {
    const a = new SearchService({ logger: testLogger, maxStalenessMs: 0 });
    const b = new SearchService({ logger: testLogger, maxStalenessMs: 0 });
    await a.index(searchDoc({ id: 'multi1', title: 'Portabilità verso altro operatore' }));
    expect(await ids(b, 'portabilita')).to.deep.equal(['post:multi1']);
    await a.compact();
    await b.index(searchDoc({ id: 'multi2', title: 'Portabilità fallita' }));
    expect(await ids(a, 'portabilita')).to.deep.equal(['post:multi1', 'post:multi2']);
    await b.remove('post', 'multi1');
    expect(await ids(a, 'portabilita')).to.deep.equal(['post:multi2']);
    await b.compact();
    expect(await ids(a, 'portabilita')).to.deep.equal(['post:multi2']);
    // Within the staleness window an instance may answer from its last look;
    // its own writes are always visible at once.
    const lazy = new SearchService({ logger: testLogger, maxStalenessMs: 60_000 });
    await lazy.index(searchDoc({ id: 'multi3', title: 'Portabilità in corso' }));
    expect(await ids(lazy, 'portabilita')).to.deep.equal(['post:multi2', 'post:multi3']);
  });

  it('loses no write when requests and instances write at the same time', async () => {
    const a = new SearchService({ logger: testLogger, maxStalenessMs: 0 });
    const b = new SearchService({ logger: testLogger, maxStalenessMs: 0 });
    await Promise.all([
      ...Array.from({ length: 15 }, (_, i) =>
        a.index(searchDoc({ id: `race-a${i}`, title: `Guasto linea ${i}` })),
      ),
      ...Array.from({ length: 15 }, (_, i) =>
        b.index(searchDoc({ id: `race-b${i}`, title: `Guasto linea ${i}` })),
      ),
      a.compact(),
    ]);
    expect(await ids(a, 'guasto')).to.have.length(30);
    expect(await ids(b, 'guasto')).to.have.length(30);
    const fresh = new SearchService({ logger: testLogger });
    expect(await ids(fresh, 'guasto')).to.have.length(30);
  });
});
