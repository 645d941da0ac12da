/**
 * `npm run bench [-- --users 10000 --duration 10 --connections 20]`
 * `npm run bench -- --fanout [--clients 1000 --rounds 20]` (only the fan-out scenario)
 * `npm run bench -- --search-only [--search-docs 100000 --search-queries 300]` (scripts/bench/search.ts)
 * `npm run bench -- --scores-only [--score-users 10000 --score-events 1000000]` (scripts/bench/scores.ts)
 * `npm run bench -- --scale [--data DIR] [--posts 100000 --people 10000 --ledger 1000000]` (scripts/bench/scale.ts:
 *   the app as its own process on a folder seeded by the scale seed)
 * `npm run bench -- --write-paths --data DIR` (scripts/bench/write-paths.ts: each write's database calls, timed)
 * `npm run bench -- --resilience [--data DIR] [--in-flight 200]` (scripts/bench/resilience.ts: SIGTERM under
 *   load and a frozen engine, the app as its own process)
 *
 * Starts Passaparola on a fresh embedded engine in a temporary folder, seeds the
 * demo organisation plus generated data at the requested scale, then drives
 * each HTTP scenario with autocannon and prints throughput and latency
 * percentiles. Figures are printed, never asserted.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { KbArticle } from '../models/kb-article.ts';
import { Post } from '../models/post.ts';
import { Topic } from '../models/topic.ts';
import { foldName, hashPassword, User } from '../models/user.ts';
import { startServer } from '../server/index.ts';
import { createSessions, printFanout, runFanout } from './bench/fanout.ts';
import { drive, pad, type Scenario } from './bench/pages.ts';
import { runScaleBench } from './bench/scale.ts';
import { runScoreBench } from './bench/scores.ts';
import { runSearchBench } from './bench/search.ts';

const { values } = parseArgs({
  options: {
    users: { type: 'string', default: '2000' },
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '10' },
    only: { type: 'string' },
    fanout: { type: 'boolean', default: false },
    clients: { type: 'string', default: '1000' },
    rounds: { type: 'string', default: '20' },
    'search-only': { type: 'boolean', default: false },
    'skip-search': { type: 'boolean', default: false },
    'search-docs': { type: 'string', default: '100000' },
    'search-queries': { type: 'string', default: '300' },
    'scores-only': { type: 'boolean', default: false },
    'skip-scores': { type: 'boolean', default: false },
    'score-users': { type: 'string', default: '10000' },
    'score-events': { type: 'string', default: '1000000' },
    scale: { type: 'boolean', default: false },
    resilience: { type: 'boolean', default: false },
    'in-flight': { type: 'string', default: '200' },
    data: { type: 'string' },
    posts: { type: 'string', default: '100000' },
    people: { type: 'string', default: '10000' },
    ledger: { type: 'string', default: '1000000' },
    writes: { type: 'string', default: '20' },
    'skip-rebuild': { type: 'boolean', default: false },
    'write-paths': { type: 'boolean', default: false },
  },
});

const scale = { users: Number(values.users) };
const duration = Number(values.duration);
const connections = Number(values.connections);
const fanout = { clients: Number(values.clients), rounds: Number(values.rounds) };
const SESSION_SECRET = 'bench-secret-bench-secret-bench-secret-0123';

/** The pages people open all day, on the demo organisation plus the generated people. */
async function scenarios(): Promise<Scenario[]> {
  const question = await Post.findOne({ kind: 'question', deleted: null }).sort({ answerCount: -1 }).lean();
  const insight = await Post.findOne({ kind: 'insight', deleted: null }).sort({ confirmations: -1 }).lean();
  const topic = await Topic.findOne({ parent: null }).lean();
  const article = await KbArticle.findOne({ state: 'published' }).sort({ helpfulCount: -1 }).lean();
  return [
    { name: 'liveness /healthz', path: '/healthz' },
    { name: 'readiness /readyz (database ping)', path: '/readyz' },
    { name: 'sign-in page', path: '/login' },
    { name: 'home feed (it)', path: '/', signedIn: true, headers: { 'Accept-Language': 'it' } },
    { name: 'home feed (en)', path: '/', signedIn: true, headers: { 'Accept-Language': 'en' } },
    { name: 'question with answers', path: `/posts/${question?._id}`, signedIn: true },
    { name: 'insight', path: `/posts/${insight?._id}`, signedIn: true },
    { name: 'questions, unanswered', path: '/questions?unanswered=1', signedIn: true },
    { name: 'topic page', path: `/topics/${topic?.slug}`, signedIn: true },
    { name: 'knowledge base index', path: '/kb', signedIn: true },
    { name: 'knowledge base article', path: `/kb/${article?.number}`, signedIn: true },
    { name: 'search "bolletta doppia"', path: '/search?q=bolletta+doppia', signedIn: true },
    { name: 'notifications', path: '/notifications', signedIn: true },
    { name: 'people directory', path: '/people', signedIn: true },
  ];
}

async function generateUsers(target: number): Promise<void> {
  const existing = await User.estimatedDocumentCount();
  const missing = target - existing;
  if (missing <= 0) return;
  const hash = await hashPassword('bench-password-0000');
  const started = Date.now();
  for (let offset = 0; offset < missing; offset += 1000) {
    const batch = Array.from({ length: Math.min(1000, missing - offset) }, (_, i) => {
      const n = offset + i;
      const displayName = `Bench Operator ${n}`;
      return {
        email: `bench.${n}@bench.example`,
        displayName,
        nameKey: foldName(displayName),
        passwordHash: hash,
        roles: ['operator'],
        active: true,
        // Seen just now, as people at work are (no "last seen" write on their next request).
        lastSeenAt: new Date(),
      };
    });
    await User.insertMany(batch, { ordered: false });
  }
  process.stdout.write(`generated ${missing} users in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}

async function main(): Promise<void> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'passaparola-bench-'));
  const started = Date.now();
  const server = await startServer({
    ...process.env,
    NODE_ENV: 'production',
    SESSION_SECRET,
    DATA_DIR: dataDir,
    PORT: '0',
    LOG_LEVEL: 'warn',
    MONGODB_URI: '',
  });
  process.stdout.write(`server up in ${((Date.now() - started) / 1000).toFixed(1)} s at ${server.url}\n`);
  try {
    const scoreBench = () =>
      runScoreBench(server, {
        users: Number(values['score-users']),
        events: Number(values['score-events']),
        duration,
        connections,
        secret: SESSION_SECRET,
      });
    if (values['scores-only']) {
      await scoreBench();
      return;
    }
    await generateUsers(Math.max(scale.users, fanout.clients + fanout.rounds + 1));
    if (values.fanout) {
      printFanout(await runFanout(server, { ...fanout, sessionSecret: SESSION_SECRET }));
      return;
    }
    process.stdout.write(
      `\nscale: ${scale.users} users · ${connections} connections · ${duration} s per scenario · ${os.cpus().length} cores\n\n`,
    );
    process.stdout.write(
      `${'scenario'.padEnd(36)} ${pad('req/s', 9)} ${pad('p50 ms', 8)} ${pad('p90 ms', 8)} ${pad('p99 ms', 8)} ${pad('errors', 7)}\n`,
    );
    const reader = await User.findOne({ email: 'bench.0@bench.example' }, { _id: 1 }).lean();
    const [cookie] = await createSessions([String(reader?._id)], SESSION_SECRET);
    for (const scenario of await scenarios()) {
      if (values.only && !scenario.name.includes(values.only)) continue;
      const result = await drive(`${server.url}${scenario.path}`, {
        connections,
        duration,
        headers: { ...scenario.headers, ...(scenario.signedIn ? { Cookie: cookie! } : {}) },
      });
      const errors = result.errors + result.non2xx;
      process.stdout.write(
        `${scenario.name.padEnd(36)} ${pad(result.rps.toFixed(0), 9)} ${pad(result.p50, 8)} ${pad(result.p90, 8)} ${pad(result.p99, 8)} ${pad(errors, 7)}\n`,
      );
    }
    if (!values.only) printFanout(await runFanout(server, { ...fanout, sessionSecret: SESSION_SECRET }));
    if (!values.only && !values['skip-scores']) await scoreBench();
  } finally {
    await server.stop();
    await fs.rm(dataDir, { recursive: true, force: true });
  }
}

const searchBench = () =>
  runSearchBench({ documents: Number(values['search-docs']), queries: Number(values['search-queries']) });

if (values.resilience) {
  const { runResilienceBench } = await import('./bench/resilience.ts');
  await runResilienceBench({ dataDir: values.data, inFlight: Number(values['in-flight']) });
} else if (values['write-paths']) {
  if (!values.data) throw new Error('--write-paths needs --data DIR (a folder the scale seed wrote)');
  const { runWritePaths } = await import('./bench/write-paths.ts');
  await runWritePaths(values.data);
} else if (values.scale) {
  await runScaleBench({
    dataDir: values.data,
    posts: Number(values.posts),
    people: Number(values.people),
    ledger: Number(values.ledger),
    duration,
    connections,
    writes: Number(values.writes),
    rebuild: !values['skip-rebuild'],
    only: values.only ? values.only.split(',').map((part) => part.trim()) : undefined,
  });
} else {
  if (!values['search-only']) await main();
  if (!values['skip-search'] && !values['scores-only']) await searchBench();
}
