/**
 * Resilience: `npm run bench -- --resilience [--data DIR] [--in-flight 200]`.
 *
 * With the app as its own process on DIR (default: a fresh folder the app seeds
 * with the demo organisation), two scenarios, figures printed, never asserted:
 * 1. SIGTERM under load: `--in-flight` requests (three pages for one comment)
 *    over 25 kept-alive connections; the signal once the first 10 answers are
 *    back; how each request ended, how long the process took to exit, and the
 *    counters check on the folder afterwards;
 * 2. engine freeze: the engine stopped with SIGSTOP while a comment is in
 *    flight; the time to the first 503 of `/readyz`, of a page and of a write,
 *    how the write in flight ended, then SIGCONT and the time to green.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { projectRoot } from '../../server/config.ts';
import { DEMO_PASSWORD } from '../../server/seed/demo-data.ts';
import { type AppProcess, Client, startApp } from './scale.ts';

const out = (line = '') => process.stdout.write(`${line}\n`);
const OPERATOR = 'alessandra.ferri@aurora.example';

export interface Sent {
  /** Resolves once the response has arrived (or the request failed). */
  answered: Promise<void>;
  /** The response's status, or the error that ended the request instead. */
  outcome: Promise<string>;
}

/** One request through a kept-alive agent (a browser's or a proxy's way: few connections, reused); a body makes it a form POST. */
export function send(agent: http.Agent, base: string, target: string, cookie: string, body?: string): Sent {
  const url = new URL(target, base);
  let answered!: () => void;
  const done = new Promise<void>((resolve) => {
    answered = resolve;
  });
  const outcome = new Promise<string>((resolve) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: body ? 'POST' : 'GET',
        agent,
        headers: {
          Cookie: cookie,
          'Accept-Language': 'en',
          ...(body
            ? {
                'Content-Type': 'application/x-www-form-urlencoded',
                'Content-Length': Buffer.byteLength(body),
              }
            : {}),
        },
      },
      (res) => {
        res.resume();
        res.once('end', () => {
          answered();
          resolve(String(res.statusCode));
        });
        res.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
      },
    );
    req.once('error', (err: NodeJS.ErrnoException) => {
      answered();
      resolve(err.code ?? err.message);
    });
    req.end(body);
  });
  return { answered: done, outcome };
}

/** A signed-in operator with the CSRF token and a post of the home page. */
async function operator(app: AppProcess) {
  const client = new Client(app.url);
  await client.signIn(OPERATOR, DEMO_PASSWORD);
  const home = await (await client.fetch('/')).text();
  const token = /name="_csrf" value="([^"]+)"/.exec(home)?.[1];
  const postId = /href="\/posts\/([a-f0-9]{24})"/.exec(home)?.[1];
  if (!token || !postId) throw new Error('no CSRF token or post on the home page');
  const comment = (text: string) => ({ _csrf: token, targetType: 'post', targetId: postId, body: text });
  return { client, postId, comment };
}

/** `npm run counters:check` on a data folder no app runs on: its output and exit code. */
export function checkCounters(
  dataDir: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['scripts/check-counters.ts'], {
      cwd: projectRoot,
      env: { ...env, DATA_DIR: dataDir, MONGODB_URI: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const keep = (chunk: Buffer) => {
      output += chunk.toString();
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, output }));
  });
}

async function sigtermUnderLoad(dataDir: string, inFlight: number): Promise<void> {
  const app = await startApp(dataDir, { SEED_ON_START: 'true' });
  const { client, postId, comment } = await operator(app);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 25 });
  const requests: Sent[] = [];
  for (let i = 0; i < inFlight; i++) {
    if (i % 4 === 3)
      requests.push(
        send(
          agent,
          app.url,
          '/comments',
          client.cookie,
          new URLSearchParams(comment(`Bench ${i}`)).toString(),
        ),
      );
    else requests.push(send(agent, app.url, i % 2 === 0 ? '/' : `/posts/${postId}`, client.cookie));
  }
  let answers = 0;
  await new Promise<void>((resolve) => {
    for (const r of requests) void r.answered.then(() => ++answers === 10 && resolve());
  });
  const answeredBefore = answers;
  const signalled = Date.now();
  const exit = new Promise<number | null>((resolve) => app.child.once('exit', (code) => resolve(code)));
  app.child.kill('SIGTERM');
  const outcomes = await Promise.all(requests.map((r) => r.outcome));
  const code = await exit;
  const exitMs = Date.now() - signalled;
  agent.destroy();
  const tally: Record<string, number> = {};
  for (const o of outcomes) tally[o] = (tally[o] ?? 0) + 1;
  const completed = outcomes.filter((o) => /^[23]\d\d$/.test(o)).length;
  out('SIGTERM under load');
  out(
    `  ${inFlight} requests (${inFlight - Math.floor(inFlight / 4)} pages, ${Math.floor(inFlight / 4)} comments) on 25 kept-alive connections; signal after ${answeredBefore} answers`,
  );
  out(`  completed ${completed}/${inFlight}; outcomes ${JSON.stringify(tally)}`);
  out(`  process exited with ${code} ${exitMs} ms after the signal`);
  const counters = await checkCounters(dataDir);
  out(`  counters check: ${counters.output.trim().replace(/\n/g, '; ')} (exit ${counters.code})`);
}

async function firstStatus(
  url: string,
  wanted: number,
  since: number,
  init: RequestInit = {},
  limitMs = 10_000,
): Promise<string> {
  while (Date.now() - since < limitMs) {
    const res = await fetch(url, { ...init, redirect: 'manual' }).catch(() => undefined);
    await res?.text();
    if (res?.status === wanted) return `${Date.now() - since} ms`;
    await sleep(50);
  }
  return `not within ${limitMs} ms`;
}

async function engineFreeze(dataDir: string): Promise<void> {
  const app = await startApp(dataDir);
  try {
    if (!app.enginePid) throw new Error('no embedded engine recorded in the data folder');
    const { client, comment } = await operator(app);
    const headers = { Cookie: client.cookie };
    process.kill(app.enginePid, 'SIGSTOP');
    const frozen = Date.now();
    const inFlight = client.post('/comments', comment('Sent as the engine froze')).then(async (res) => {
      await res.text();
      return `${res.status} after ${Date.now() - frozen} ms`;
    });
    const [ready, page] = await Promise.all([
      firstStatus(`${app.url}/readyz`, 503, frozen),
      firstStatus(`${app.url}/`, 503, frozen, { headers }),
    ]);
    const writeSent = Date.now();
    const write = await client.post('/comments', comment('Sent while frozen'));
    await write.text();
    const writeMs = Date.now() - writeSent;
    const held = await inFlight;
    process.kill(app.enginePid, 'SIGCONT');
    const resumed = Date.now();
    const green = await firstStatus(`${app.url}/readyz`, 200, resumed, {}, 30_000);
    out('engine frozen (SIGSTOP), DB_UNRESPONSIVE_MS at its default');
    out(`  /readyz first 503: ${ready} after the freeze`);
    out(`  a page's first 503: ${page} after the freeze`);
    out(`  a write sent once red: ${write.status} in ${writeMs} ms`);
    out(`  the write in flight at the freeze: ${held}`);
    out(`  after SIGCONT, /readyz green again in ${green}`);
  } finally {
    try {
      if (app.enginePid) process.kill(app.enginePid, 'SIGCONT');
    } catch {
      // gone
    }
    await app.stop();
  }
}

export async function runResilienceBench(options: { dataDir?: string; inFlight: number }): Promise<void> {
  const dataDir = options.dataDir ?? (await fs.mkdtemp(path.join(os.tmpdir(), 'passaparola-resilience-')));
  out(`resilience: app as its own process on ${dataDir}, ${os.cpus().length} cores\n`);
  try {
    await sigtermUnderLoad(dataDir, options.inFlight);
    out();
    await engineFreeze(dataDir);
  } finally {
    if (!options.dataDir) await fs.rm(dataDir, { recursive: true, force: true });
  }
}
