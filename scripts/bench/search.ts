/**
 * The search benchmark (`npm run bench -- --search-only [--search-docs 100000]`).
 *
 * On a fresh embedded engine in a temporary folder: indexes a synthetic
 * Italian/English corpus through the SearchService API (bulk, then single
 * documents as the request path does), opens a second service as a newly
 * started app instance would, and measures searches of one, two and three
 * words (a page of 10 with snippets) and "search first" suggestions while
 * typing. Figures are printed, never asserted.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import mongoose from 'mongoose';
import { projectRoot } from '../../server/config.ts';
import { createLogger } from '../../server/core/logger.ts';
import { connectDatabase, disconnectDatabase } from '../../server/db/connection.ts';
import { EmbeddedEngine } from '../../server/db/engine.ts';
import { SearchService } from '../../server/search/search.service.ts';
import type { SearchViewer } from '../../server/search/search.types.ts';
import { generateCorpus, generateQueries } from './search-corpus.ts';

export interface SearchBenchOptions {
  documents: number;
  queries: number;
  out?: (line: string) => void;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function summary(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1] ?? 0,
  };
}

const ms = (v: number) => v.toFixed(1).padStart(8);

export async function runSearchBench(options: SearchBenchOptions): Promise<void> {
  const out = options.out ?? ((line: string) => process.stdout.write(`${line}\n`));
  const logger = createLogger('warn');
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'passaparola-search-bench-'));
  const engine = await EmbeddedEngine.start({
    dataDir,
    toolsDir: path.resolve(projectRoot, process.env.TOOLS_DIR ?? '.tools'),
    kind: 'auto',
    logger,
  });
  try {
    await connectDatabase(engine.uri('search_bench'), { logger });
    out(`\nsearch: ${options.documents} documents on ${engine.kind} · ${os.cpus().length} cores`);

    // 1. Bulk indexing through the API.
    const writer = new SearchService({ logger, compactThreshold: 25_000 });
    const bulk = await writer.indexMany(generateCorpus(options.documents));
    const finalCompaction = await writer.compact();
    const bulkMs = bulk.ms + (finalCompaction?.ms ?? 0);
    out(
      `indexMany: ${bulk.indexed} documents in ${(bulkMs / 1000).toFixed(1)} s = ${Math.round(
        (bulk.indexed / bulkMs) * 1000,
      )} docs/s (${bulk.compactions + 1} compactions; last ${((finalCompaction?.ms ?? 0) / 1000).toFixed(1)} s)`,
    );

    // 2. One document at a time, as create/edit requests do.
    const single: number[] = [];
    let n = 0;
    for (const doc of generateCorpus(200, { seed: 99 })) {
      const started = performance.now();
      await writer.index({ ...doc, id: `single${n++}` });
      single.push(performance.now() - started);
    }
    const singleStats = summary(single);
    out(
      `index() one document: p50 ${singleStats.p50.toFixed(1)} ms · p95 ${singleStats.p95.toFixed(1)} ms (${single.length} documents, log tail ${
        (await writer.stats()).tailEntries
      })`,
    );

    // 3. A newly started instance: load the segment, then search.
    const reader = new SearchService({ logger });
    let started = performance.now();
    await reader.warm();
    const stats = await reader.stats();
    out(
      `new instance: segment of ${stats.segmentDocuments} documents, ${stats.terms} terms loaded in ${(
        performance.now() - started
      ).toFixed(0)} ms; heap ${(process.memoryUsage().heapUsed / 1e6).toFixed(0)} MB, rss ${(
        process.memoryUsage().rss / 1e6
      ).toFixed(0)} MB (both services)`,
    );

    const viewer: SearchViewer = { id: 'user00001', roles: ['operator'] };
    out(
      `\n${'search (page of 10, snippets)'.padEnd(34)} ${'p50 ms'.padStart(8)} ${'p95 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'max ms'.padStart(8)} ${'avg hits'.padStart(9)}   mean ms: sync / postings / rank / snippets`,
    );
    const sets = [1, 2, 3].map((words) => ({ words, queries: generateQueries(words, options.queries) }));
    const measure = async (service: SearchService, pass: string, print = true) => {
      for (const { words, queries } of sets) {
        const samples: number[] = [];
        let hits = 0;
        const parts = { syncMs: 0, postingsMs: 0, rankMs: 0, snippetsMs: 0 };
        for (const text of queries) {
          started = performance.now();
          const result = await service.search(viewer, { text: `${text} `, pageSize: 10 });
          samples.push(performance.now() - started);
          hits += result.total;
          for (const key of Object.keys(parts) as Array<keyof typeof parts>)
            parts[key] += result.timings[key];
        }
        if (!print) continue;
        const s = summary(samples);
        const mean = (v: number) => (v / queries.length).toFixed(1);
        out(
          `${`${words} word${words > 1 ? 's' : ''}, ${pass}`.padEnd(34)} ${ms(s.p50)} ${ms(s.p95)} ${ms(s.p99)} ${ms(s.max)} ${String(
            Math.round(hits / queries.length),
          ).padStart(
            9,
          )}   ${mean(parts.syncMs)} / ${mean(parts.postingsMs)} / ${mean(parts.rankMs)} / ${mean(parts.snippetsMs)}`,
        );
      }
    };
    await measure(reader, 'cold cache');
    await measure(reader, 'warm cache');
    // Every search looks at the log first (no staleness allowed for other instances' writes).
    const strict = new SearchService({ logger, maxStalenessMs: 0 });
    await measure(strict, '', false);
    await measure(strict, 'warm, log read every time');

    // 4. "Search first" while a title is typed: every prefix of 3+ characters.
    const typing: number[] = [];
    for (const title of generateQueries(3, Math.max(10, Math.round(options.queries / 10)), 11)) {
      for (let end = 3; end <= title.length; end += 2) {
        started = performance.now();
        await reader.similar(viewer, title.slice(0, end));
        typing.push(performance.now() - started);
      }
    }
    const t = summary(typing);
    out(
      `${'similar() while typing'.padEnd(34)} ${ms(t.p50)} ${ms(t.p95)} ${ms(t.p99)} ${ms(t.max)} ${String(typing.length).padStart(9)} calls`,
    );

    const db = mongoose.connection.db!;
    const dbStats = await db.stats();
    out(
      `\ndatabase: ${((dbStats.dataSize ?? 0) / 1e6).toFixed(0)} MB data, ${((dbStats.storageSize ?? 0) / 1e6).toFixed(0)} MB storage, ${
        dbStats.collections
      } collections`,
    );
  } finally {
    await disconnectDatabase().catch(() => {});
    await engine.stop();
    await fs.rm(dataDir, { recursive: true, force: true });
  }
}
