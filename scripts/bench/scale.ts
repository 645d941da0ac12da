/**
 * Pages at scale: `npm run bench -- --scale [--data DIR] [--posts 100000 --people 10000 --ledger 1000000]
 * [--duration 10 --connections 10] [--writes 20] [--skip-rebuild] [--only "home,board"]`.
 *
 * Seeds a data folder with the scale seed when it holds none (scripts/seed.ts in
 * its own process; a folder seeded before is reused), starts the app as its own
 * process on it (`node server/index.ts`), waits for /readyz, signs in through
 * the sign-in form as a generated operator, a team lead and a knowledge manager,
 * drives each page people open all day with autocannon, and prints per page:
 * throughput, latency, failures, and the CPU time the app and the engine spent
 * per request (utime + stime from /proc before and after the run) with their
 * memory. Then a few writes through HTTP (a vote, an answer, a post, with their
 * CSRF tokens), and, with the app stopped, a full rebuild of the scores.
 * Figures are printed, never asserted.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import getPort from 'get-port';
import { projectRoot } from '../../server/config.ts';
import { DEMO_PASSWORD } from '../../server/seed/demo-data.ts';
import { SCALE_REPORT_FILE, type ScaleReport } from '../seed/scale.ts';
import { cpuMs, formatDuration } from '../seed/scale-progress.ts';
import { drive, pad, type Scenario } from './pages.ts';

export interface ScaleBenchOptions {
  dataDir?: string;
  posts: number;
  people: number;
  ledger: number;
  duration: number;
  connections: number;
  /** Sequential writes of each kind (vote, answer, post). */
  writes: number;
  rebuild: boolean;
  /** Only the pages whose name contains one of these (all pages when empty). */
  only?: string[];
}

const SESSION_SECRET = 'bench-secret-bench-secret-bench-secret-0123';
const out = (line = '') => process.stdout.write(`${line}\n`);

function rssMb(pid: number): number | null {
  try {
    const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Math.round(Number(kb) / 1024) : null;
  } catch {
    return null;
  }
}

/** The engine the app started on this data folder (DATA_DIR/<kind>/engine.json). */
export function enginePid(dataDir: string): number | null {
  for (const kind of ['ferretdb', 'mongod']) {
    try {
      return (JSON.parse(readFileSync(path.join(dataDir, kind, 'engine.json'), 'utf8')) as { pid: number })
        .pid;
    } catch {
      // not this kind
    }
  }
  return null;
}

function run(command: string[], env: NodeJS.ProcessEnv, prefix: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, command, {
      cwd: projectRoot,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const relay = (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) if (line.trim()) out(`${prefix}${line}`);
    };
    child.stdout.on('data', relay);
    child.stderr.on('data', relay);
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${command.join(' ')} exited with ${code}`)),
    );
  });
}

/** A client with its own cookies (the session, the CSRF cookie), like one browser. */
export class Client {
  readonly #base: string;
  readonly #cookies = new Map<string, string>();

  constructor(base: string) {
    this.#base = base;
  }

  get cookie(): string {
    return [...this.#cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async fetch(pathname: string, init: RequestInit = {}): Promise<Response> {
    const res = await fetch(`${this.#base}${pathname}`, {
      ...init,
      redirect: 'manual',
      headers: { ...(init.headers as Record<string, string>), Cookie: this.cookie },
    });
    for (const header of res.headers.getSetCookie()) {
      const [pair] = header.split(';');
      const at = pair!.indexOf('=');
      this.#cookies.set(pair!.slice(0, at), pair!.slice(at + 1));
    }
    return res;
  }

  async token(pathname = '/'): Promise<string> {
    const res = await this.fetch(pathname);
    const html = await res.text();
    const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
    if (!token) throw new Error(`no CSRF token on ${pathname} (${res.status})`);
    return token;
  }

  async post(pathname: string, fields: Record<string, string>, headers: Record<string, string> = {}) {
    return this.fetch(pathname, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams(fields).toString(),
    });
  }

  async signIn(email: string, password: string): Promise<void> {
    const _csrf = await this.token('/login');
    const res = await this.post('/login', { _csrf, email, password });
    await res.text();
    if (res.status !== 303) throw new Error(`sign-in of ${email} answered ${res.status}`);
  }
}

export interface AppProcess {
  url: string;
  pid: number;
  child: ChildProcess;
  enginePid: number | null;
  startupMs: number;
  /** SIGTERM, then SIGKILL after 30 s: how long it took and how it ended. */
  stop(): Promise<{ ms: number; code: number | null; signal: NodeJS.Signals | null }>;
}

/** The app as its own process on `dataDir`, ready (`env` adds to or overrides the bench's settings). */
export async function startApp(dataDir: string, env: NodeJS.ProcessEnv = {}): Promise<AppProcess> {
  const port = await getPort({ host: '127.0.0.1' });
  const url = `http://127.0.0.1:${port}`;
  const started = Date.now();
  const child: ChildProcess = spawn(process.execPath, ['server/index.ts'], {
    cwd: projectRoot,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      SESSION_SECRET,
      DATA_DIR: dataDir,
      PORT: String(port),
      HOST: '127.0.0.1',
      PUBLIC_URL: url,
      LOG_LEVEL: 'warn',
      MONGODB_URI: '',
      SEED_ON_START: 'false',
      // The write scenario posts several times a minute as one person.
      POST_INTERVAL_SECONDS: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const keep = (chunk: Buffer) => {
    output.push(...chunk.toString().split('\n').filter(Boolean));
    output.splice(0, Math.max(0, output.length - 30));
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exited = false;
  let ended: { code: number | null; signal: NodeJS.Signals | null } = { code: null, signal: null };
  const exit = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exited = true;
      ended = { code, signal };
      resolve();
    }),
  );
  for (;;) {
    if (exited) throw new Error(`the app exited while starting:\n${output.join('\n')}`);
    try {
      const res = await fetch(`${url}/readyz`);
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() - started > 15 * 60_000) throw new Error('the app was not ready within 15 minutes');
    await sleep(100);
  }
  return {
    url,
    pid: child.pid!,
    child,
    enginePid: enginePid(dataDir),
    startupMs: Date.now() - started,
    async stop() {
      const t0 = Date.now();
      if (!exited) {
        child.kill('SIGTERM');
        await Promise.race([exit, sleep(30_000).then(() => child.kill('SIGKILL'))]);
        await exit;
      }
      return { ms: Date.now() - t0, ...ended };
    },
  };
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return (
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN
  );
}

const ms1 = (n: number | null) =>
  n === null || !Number.isFinite(n) ? '–' : n < 10 ? n.toFixed(2) : n.toFixed(1);

export async function runScaleBench(options: ScaleBenchOptions): Promise<void> {
  const dataDir = path.resolve(
    projectRoot,
    options.dataDir ?? `bench-output/scale-${options.posts}p-${options.people}u-${options.ledger}l`,
  );
  const reportFile = path.join(dataDir, SCALE_REPORT_FILE);
  const readReport = () =>
    JSON.parse(readFileSync(reportFile, 'utf8')) as {
      posts: number;
      people: number;
      ledger: number;
      report: Omit<ScaleReport, 'status'>;
    };
  if (existsSync(reportFile)) {
    const seeded = readReport();
    if (
      seeded.posts !== options.posts ||
      seeded.people !== options.people ||
      seeded.ledger !== options.ledger
    )
      throw new Error(
        `${dataDir} holds a scale seed of ${seeded.posts} posts, ${seeded.people} people, ${seeded.ledger} ledger ` +
          'lines: pass the same --posts/--people/--ledger, or another --data folder.',
      );
    out(`reusing the data folder ${dataDir} (seeded in ${formatDuration(seeded.report.ms)})`);
  } else {
    await fs.mkdir(dataDir, { recursive: true });
    out(
      `seeding ${dataDir}: ${options.posts} posts, ${options.people} people, ${options.ledger} ledger lines`,
    );
    await run(
      [
        '--max-old-space-size=8192',
        'scripts/seed.ts',
        '--posts',
        String(options.posts),
        '--people',
        String(options.people),
        '--ledger',
        String(options.ledger),
      ],
      { ...process.env, DATA_DIR: dataDir, MONGODB_URI: '', LOG_LEVEL: 'warn' },
      '  seed | ',
    );
  }
  const seed = readReport().report;
  const { samples } = seed;

  const app = await startApp(dataDir);
  out(
    `\napp (pid ${app.pid}) ready in ${(app.startupMs / 1000).toFixed(1)} s at ${app.url}; engine pid ${app.enginePid ?? '?'};` +
      ` ${seed.people} people, ${seed.posts} posts, ${seed.answers} answers, ${seed.comments} comments,` +
      ` ${seed.votes} votes, ${seed.confirmations} confirmations, ${seed.ledgerLines} ledger lines;` +
      ` ${options.connections} connections, ${options.duration} s per page, ${os.cpus().length} cores, load ${os.loadavg()[0]!.toFixed(1)}`,
  );
  try {
    // What the app does in the first seconds after ready (leaderboards and search segments read
    // in the background) is left to finish, up to 30 s, so the pages are measured warm.
    const settling = Date.now();
    for (let busy = Number.POSITIVE_INFINITY; busy > 0.1 && Date.now() - settling < 30_000; ) {
      const before = (cpuMs(app.pid) ?? 0) + (app.enginePid ? (cpuMs(app.enginePid) ?? 0) : 0);
      await sleep(1000);
      busy = ((cpuMs(app.pid) ?? 0) + (app.enginePid ? (cpuMs(app.enginePid) ?? 0) : 0) - before) / 1000;
    }
    out(
      `settled ${((Date.now() - settling) / 1000).toFixed(0)} s after ready (app and engine under 10% of a core)`,
    );
    const operator = new Client(app.url);
    await operator.signIn(samples.operator.email, DEMO_PASSWORD);
    const lead = new Client(app.url);
    await lead.signIn('marco.bianchi@aurora.example', DEMO_PASSWORD);
    const manager = new Client(app.url);
    await manager.signIn('giulia.romano@aurora.example', DEMO_PASSWORD);
    // Items only pages know: a KB article, a notification of the operator.
    const kbPage = await (await operator.fetch('/kb')).text();
    const article = /href="\/kb\/(\d+)"/.exec(kbPage)?.[1] ?? '1';
    const inbox = await (await operator.fetch('/notifications')).text();
    const notification = /href="\/notifications\/([^"/]+)"/.exec(inbox)?.[1];
    const me = samples.operator.id;
    const pages: Array<Scenario & { as: Client }> = [
      { name: 'home feed', path: '/', as: operator },
      { name: 'all posts', path: '/posts', as: operator },
      { name: `topic page (${samples.topic.slug})`, path: `/topics/${samples.topic.slug}`, as: operator },
      { name: 'questions, unanswered', path: '/questions?unanswered=1', as: operator },
      { name: 'question with answers, comments', path: `/posts/${samples.question}`, as: operator },
      { name: 'insight seen by most', path: `/posts/${samples.insight}`, as: operator },
      { name: 'knowledge base index', path: '/kb', as: operator },
      { name: `knowledge base article ${article}`, path: `/kb/${article}`, as: operator },
      { name: 'KB review queue (manager)', path: '/kb/queue', as: manager },
      { name: 'people directory', path: '/people', as: operator },
      { name: 'a profile', path: `/people/${samples.person}`, as: operator },
      {
        name: 'board: competence, all, all time',
        path: '/leaderboards?dimension=competence&scope=global&period=all',
        as: operator,
      },
      {
        name: 'board: participation, all, week',
        path: '/leaderboards?dimension=participation&scope=global&period=week',
        as: operator,
      },
      {
        name: 'board: competence, topic, quarter',
        path: `/leaderboards?dimension=competence&scope=topic&topic=${samples.topic.id}&period=quarter`,
        as: operator,
      },
      {
        name: 'board: participation, team, year',
        path: '/leaderboards?dimension=participation&scope=team&period=year',
        as: operator,
      },
      { name: 'own scores and why', path: `/people/${me}/scores`, as: operator },
      { name: 'team dashboard (team lead)', path: '/dashboard', as: lead },
      { name: 'notifications', path: '/notifications', as: operator },
      ...(notification
        ? [{ name: 'notification card fragment', path: `/notifications/${notification}/card`, as: operator }]
        : []),
      { name: 'signed-in JSON (/api/me)', path: '/api/me', as: operator },
      { name: 'search "bolletta doppia"', path: '/search?q=bolletta+doppia', as: operator },
    ];

    out(
      `\n${'page'.padEnd(36)} ${pad('first ms', 9)} ${pad('req/s', 7)} ${pad('p50 ms', 8)} ${pad('p99 ms', 8)} ` +
        `${pad('non-2xx', 7)} ${pad('app cpu', 8)} ${pad('db cpu', 8)} ${pad('app MB', 7)} ${pad('db MB', 6)}`,
    );
    out(
      `${''.padEnd(36)} ${''.padStart(9)} ${''.padStart(7)} ${''.padStart(8)} ${''.padStart(8)} ${''.padStart(7)} ${pad('ms/req', 8)} ${pad('ms/req', 8)}`,
    );
    for (const page of pages) {
      if (options.only?.length && !options.only.some((part) => page.name.includes(part))) continue;
      let first = Date.now();
      let res = await page.as.fetch(page.path);
      await res.text();
      const location = res.headers.get('location');
      if (res.status >= 300 && res.status < 400 && location?.startsWith('/')) {
        // A page that sends its visitor on (the dashboard to the lead's team): the page it sends to.
        page.path = location;
        first = Date.now();
        res = await page.as.fetch(page.path);
        await res.text();
      }
      const firstMs = Date.now() - first;
      const appCpu = cpuMs(app.pid) ?? 0;
      const dbCpu = app.enginePid ? (cpuMs(app.enginePid) ?? 0) : 0;
      const result = await drive(`${app.url}${page.path}`, {
        connections: options.connections,
        duration: options.duration,
        headers: { Cookie: page.as.cookie },
        timeoutSeconds: 120,
      });
      const perRequest = (after: number | null, before: number) =>
        after === null || result.requests === 0 ? null : (after - before) / result.requests;
      out(
        `${page.name.slice(0, 36).padEnd(36)} ${pad(res.status === 200 ? firstMs : `${res.status}!`, 9)} ` +
          `${pad(result.rps.toFixed(result.rps < 10 ? 1 : 0), 7)} ${pad(result.p50, 8)} ${pad(result.p99, 8)} ` +
          `${pad(result.non2xx + result.errors, 7)} ${pad(ms1(perRequest(cpuMs(app.pid), appCpu)), 8)} ` +
          `${pad(ms1(app.enginePid ? perRequest(cpuMs(app.enginePid), dbCpu) : null), 8)} ` +
          `${pad(rssMb(app.pid) ?? '–', 7)} ${pad(app.enginePid ? (rssMb(app.enginePid) ?? '–') : '–', 6)}`,
      );
    }

    // Writes through HTTP, one at a time, as people make them.
    out(
      `\n${'write (sequential)'.padEnd(36)} ${pad('n', 4)} ${pad('p50 ms', 8)} ${pad('p95 ms', 8)} ${pad('max ms', 8)} ${pad('failed', 7)} ${pad('app cpu', 8)} ${pad('db cpu', 8)}`,
    );
    const token = await operator.token(`/posts/${samples.question}`);
    const writes: Array<{ name: string; act: (i: number) => Promise<Response>; ok: number }> = [
      {
        name: 'vote on an insight or tip',
        ok: 200,
        act: (i) =>
          operator.post(
            '/votes',
            {
              // A vote, then its retraction: each request changes something, and a
              // later run finds the same state.
              _csrf: token,
              targetType: 'post',
              targetId: samples.voteTargets[Math.floor(i / 2) % samples.voteTargets.length]!,
              value: i % 2 === 0 ? '1' : '0',
            },
            { Accept: 'application/json' },
          ),
      },
      {
        name: 'answer to a question',
        ok: 303,
        act: (i) =>
          operator.post(`/posts/${samples.openQuestion}/answers`, {
            _csrf: token,
            body: `Risposta di prova ${i}: verificare in CRM lo stato della pratica prima di richiamare il cliente.`,
          }),
      },
      {
        name: 'new post (tip)',
        ok: 303,
        act: (i) => {
          // The CSRF token is the form's first field (it never travels in the URL).
          const form = new FormData();
          form.set('_csrf', token);
          form.set('kind', 'tip');
          form.set('title', `Suggerimento di prova numero ${i} ${Date.now()}`);
          form.set(
            'body',
            'Prima di aprire un ticket, chiedere al cliente di riavviare il modem tenendo premuto reset.',
          );
          form.set('topics', samples.topic.id);
          form.set('tags', 'prova, bench');
          return operator.fetch('/posts', { method: 'POST', body: form });
        },
      },
    ];
    for (const write of writes) {
      const times: number[] = [];
      let failed = 0;
      const appCpu = cpuMs(app.pid) ?? 0;
      const dbCpu = app.enginePid ? (cpuMs(app.enginePid) ?? 0) : 0;
      for (let i = 0; i < options.writes; i++) {
        const t0 = performance.now();
        const res = await write.act(i);
        await res.text();
        times.push(performance.now() - t0);
        if (res.status !== write.ok) failed++;
      }
      const per = (after: number | null, before: number) =>
        after === null ? null : (after - before) / Math.max(1, options.writes);
      out(
        `${write.name.padEnd(36)} ${pad(options.writes, 4)} ${pad(percentile(times, 50).toFixed(0), 8)} ` +
          `${pad(percentile(times, 95).toFixed(0), 8)} ${pad(Math.max(...times).toFixed(0), 8)} ${pad(failed, 7)} ` +
          `${pad(ms1(per(cpuMs(app.pid), appCpu)), 8)} ${pad(ms1(app.enginePid ? per(cpuMs(app.enginePid), dbCpu) : null), 8)}`,
      );
    }
  } finally {
    const stopped = await app.stop();
    const snapshot = existsSync(path.join(dataDir, 'ferretdb', 'passaparola.mirror'));
    out(
      `\napp stopped in ${(stopped.ms / 1000).toFixed(1)} s (exit ${stopped.signal ?? stopped.code}); ` +
        `snapshot for the next start: ${snapshot ? 'written' : 'none'}`,
    );
  }

  if (options.rebuild) {
    // With the app stopped, this process is the only writer: a full rebuild of every card and board.
    const { rebuildScores } = await import('./scale-rebuild.ts');
    const rebuild = await rebuildScores(dataDir);
    out(
      `\nfull score rebuild (app stopped): ${rebuild.events} ledger lines, ${rebuild.people} people, ${rebuild.boards} board shards ` +
        `in ${(rebuild.ms / 1000).toFixed(1)} s (reading and adding ${(rebuild.scanMs / 1000).toFixed(1)} s, cards ` +
        `${(rebuild.cardsMs / 1000).toFixed(1)} s, boards ${(rebuild.boardsMs / 1000).toFixed(1)} s); ${rebuild.changed} totals changed`,
    );
  }
}
