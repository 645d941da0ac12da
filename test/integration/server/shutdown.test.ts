import fs from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { checkCounters, type Sent, send } from '../../../scripts/bench/resilience.ts';
import { isAlive, sessionWithToken, startApp, stopApp } from '../../helpers/app-process.ts';
import { onlyOnEngine, toolsDir } from '../../helpers/engine.ts';

describe('graceful shutdown of the real process', function () {
  this.timeout(180_000);
  let dataDir: string;

  before(async function () {
    onlyOnEngine(
      this,
      ['ferretdb', 'mongod'],
      'the real process starts its own embedded engine, whatever the test engine; the run on the embedded engine covers it',
    );
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'passaparola-shutdown-'));
  });

  after(async () => {
    if (dataDir) await fs.rm(dataDir, { recursive: true, force: true });
  });

  it('answers every one of 200 requests in flight at SIGTERM on kept-alive connections (50 of them comments), exits within 10 s, and leaves counters exact', async () => {
    const env = { DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'info', POST_INTERVAL_SECONDS: '0' };
    const app = await startApp(env);
    let stopped: { code: number | null; ms: number } | undefined;
    try {
      const { cookie, token, postId } = await sessionWithToken(app);

      // 25 kept-alive connections carry the 200 requests, as a proxy in front of the app would.
      const agent = new http.Agent({ keepAlive: true, maxSockets: 25 });
      const requests: Sent[] = [];
      for (let i = 0; i < 200; i++) {
        if (i % 4 === 3) {
          const body = new URLSearchParams({
            _csrf: token,
            targetType: 'post',
            targetId: postId,
            body: `Seen again at the end of the shift, case ${i}.`,
          }).toString();
          requests.push(send(agent, app.url, '/comments', cookie, body));
        } else requests.push(send(agent, app.url, i % 2 === 0 ? '/' : `/posts/${postId}`, cookie));
      }
      // The signal comes once the first answers are back: the rest are in flight or queued on the connections.
      let answers = 0;
      await new Promise<void>((resolve) => {
        for (const r of requests) void r.answered.then(() => ++answers === 10 && resolve());
      });
      const stopping = stopApp(app.child);
      const outcomes = await Promise.all(requests.map((r) => r.outcome));
      stopped = await stopping;
      agent.destroy();

      const tally: Record<string, number> = {};
      for (const o of outcomes) tally[String(o)] = (tally[String(o)] ?? 0) + 1;
      expect(tally, 'every request answered: pages 200, comments 303').to.deep.equal({ 200: 150, 303: 50 });
      expect(stopped.code, app.lines.slice(-20).join('\n')).to.equal(0);
      expect(stopped.ms, 'exit within 10 s').to.be.below(10_000);
      expect(app.lines.join('\n')).to.not.include('were cut');
    } finally {
      if (!stopped) await stopApp(app.child);
    }

    // Every comment answered is stored once, and every counter follows from the stored facts.
    const counters = await checkCounters(dataDir, {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      TOOLS_DIR: toolsDir,
    });
    expect(counters.output).to.match(/posts: \d+ checked, 0 counters drifted/);
    expect(counters.output).to.match(/votes: \d+ items checked, 0 drifted/);
    expect(counters.output).to.match(/scores: \d+ ledger lines, \d+ people checked, 0 totals drifted/);
    expect(counters.code, counters.output).to.equal(0);
  });

  it('turns readiness red as soon as it is told to stop, while the requests in flight are served', async () => {
    const app = await startApp({
      DATA_DIR: dataDir,
      PORT: '0',
      LOG_LEVEL: 'info',
      SHUTDOWN_QUIET_MS: '1500',
    });
    try {
      expect((await fetch(`${app.url}/readyz`)).status).to.equal(200);
      const stopping = stopApp(app.child);
      // While it drains (it keeps listening until 1.5 s pass without a new request), readiness is red.
      let ready: Response | undefined;
      for (let i = 0; i < 20 && ready?.status !== 503; i++) {
        await new Promise((r) => setTimeout(r, 50));
        ready = await fetch(`${app.url}/readyz`);
      }
      expect(ready?.status).to.equal(503);
      expect(await ready!.json()).to.deep.equal({ status: 'stopping', checks: { database: 'up' } });
      expect(ready!.headers.get('connection'), 'draining responses end their connection').to.equal('close');
      expect((await stopping).code).to.equal(0);
    } finally {
      if (app.child.exitCode === null) await stopApp(app.child);
    }
  });

  it('stops its engine when the shutdown passes its deadline and the process exits anyway', async () => {
    const app = await startApp({
      DATA_DIR: dataDir,
      PORT: '0',
      LOG_LEVEL: 'info',
      SHUTDOWN_TIMEOUT_MS: '3000',
    });
    const state = JSON.parse(await fs.readFile(path.join(dataDir, 'ferretdb', 'engine.json'), 'utf8')) as {
      pid: number;
    };
    expect(isAlive(state.pid), 'the engine runs').to.equal(true);
    // A frozen engine: the shutdown waits on it until its deadline, then the process exits with 1.
    process.kill(state.pid, 'SIGSTOP');
    let stopped: { code: number | null; ms: number };
    try {
      stopped = await stopApp(app.child);
    } finally {
      process.kill(state.pid, 'SIGCONT');
    }
    expect(stopped.code, app.lines.slice(-10).join('\n')).to.equal(1);
    expect(app.lines.join('\n')).to.include('Shutdown took longer than 3000 ms');
    // On its way out the process asked the engine to stop: thawed, it does.
    let alive = true;
    for (let i = 0; i < 100 && alive; i++) {
      await new Promise((r) => setTimeout(r, 100));
      alive = isAlive(state.pid);
    }
    expect(alive, 'the engine stopped with its app').to.equal(false);
    // The next start finds the folder free.
    const next = await startApp({ DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'info' });
    expect((await fetch(`${next.url}/readyz`)).status).to.equal(200);
    expect((await stopApp(next.child)).code).to.equal(0);
  });
});
