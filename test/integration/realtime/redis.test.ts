import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import getPort from 'get-port';
import type { Socket } from 'socket.io-client';
import { projectRoot } from '../../../server/config.ts';
import { CLIENT_EVENTS } from '../../../server/realtime/realtime.bridge.ts';
import { TEST_SESSION_SECRET, useTestApp } from '../../helpers/app.ts';
import { toolsDir } from '../../helpers/engine.ts';
import { connectSocket, disconnection, nextEvent, request, signInLive } from '../../helpers/realtime.ts';
import { createUser, TEST_PASSWORD } from '../../helpers/users.ts';

function redisServerPath(): string {
  try {
    return execFileSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error(
      "redis-server is needed for this test (Debian's redis-server package; .ci/run installs it)",
    );
  }
}

/** Waits until a child process prints a line matching `ready` (or fails if it exits first). */
function untilReady(child: ChildProcess, ready: (line: string) => boolean, label: string): Promise<string[]> {
  const lines: string[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${label} not ready in 60 s:\n${lines.join('\n')}`)),
      60_000,
    );
    const onData = (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) {
        lines.push(line);
        if (ready(line)) {
          clearTimeout(timer);
          resolve(lines);
        }
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${label} exited with ${code}:\n${lines.join('\n')}`));
    });
  });
}

async function startInstance(env: Record<string, string>): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['server/index.ts'], {
    cwd: projectRoot,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', TOOLS_DIR: toolsDir, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let url = '';
  await untilReady(
    child,
    (line) => {
      try {
        const entry = JSON.parse(line) as { msg?: string; url?: string };
        if (entry.msg === 'Passaparola is listening' && entry.url) url = entry.url;
      } catch {
        // not a log line
      }
      return url !== '';
    },
    'app instance',
  );
  return { child, url };
}

function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.removeAllListeners('exit');
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

describe('realtime across instances (REDIS_URL)', function () {
  this.timeout(120_000);
  const t = useTestApp();
  let redis: ChildProcess | undefined;
  let redisUrl: string;
  let dataDir: string;
  const instances: Array<{ child: ChildProcess; url: string }> = [];
  const sockets: Socket[] = [];

  before(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'passaparola-redis-'));
    const port = await getPort({ host: '127.0.0.1' });
    redis = spawn(
      redisServerPath(),
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dataDir],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    await untilReady(redis, (line) => line.includes('Ready to accept connections'), 'redis-server');
    redisUrl = `redis://127.0.0.1:${port}`;
    // Two app processes on different ports, one database on the shared engine, one Redis.
    // Several instances writing one database is what the mongodb adapter is for (the
    // embedded one assumes it is the only writer), on either test engine.
    const env = {
      MONGODB_URI: t.databaseUri,
      STORAGE_ADAPTER: 'mongodb',
      REDIS_URL: redisUrl,
      SESSION_SECRET: TEST_SESSION_SECRET,
      PORT: '0',
      LOG_LEVEL: 'info',
      SEED_ON_START: 'false',
      DATA_DIR: dataDir,
      NODE_ENV: 'test',
    };
    instances.push(...(await Promise.all([startInstance(env), startInstance(env)])));
  });

  after(async () => {
    for (const socket of sockets) socket.close();
    await Promise.all(instances.map((i) => stop(i.child)));
    await stop(redis);
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  it('delivers to a client on instance B what a request to instance A caused', async () => {
    const [a, b] = instances;
    expect(a!.url).to.not.equal(b!.url);
    const admin = await createUser({ roles: ['admin'] });
    const user = await createUser();
    const adminOnA = await signInLive(a!.url, admin.email, TEST_PASSWORD);
    const userOnB = await signInLive(b!.url, user.email, TEST_PASSWORD);
    const socket = await connectSocket(b!.url, { cookie: userOnB.cookie });
    sockets.push(socket);

    const counter = nextEvent<{ values: Record<string, number> }>(socket, CLIENT_EVENTS.counters);
    const item = nextEvent<{ feed: string; url: string }>(socket, CLIENT_EVENTS.item);
    const res = await adminOnA.post(`/admin/users/${user.id}/reset-password`, {}, `/admin/users/${user.id}`);
    expect(res.status).to.equal(200);
    expect((await counter).values).to.deep.equal({ 'notifications:unread': 1 });
    const announced = await item;
    expect(announced.feed).to.equal('notifications');
    // The fragment it points to is served by either instance.
    const card = await userOnB.fetch(announced.url);
    expect(card.status).to.equal(200);
  });

  it('ends on instance B the sockets of a person deactivated on instance A', async () => {
    const [a, b] = instances;
    const admin = await createUser({ roles: ['admin'] });
    const user = await createUser();
    const adminOnA = await signInLive(a!.url, admin.email, TEST_PASSWORD);
    const userOnB = await signInLive(b!.url, user.email, TEST_PASSWORD);
    const socket = await connectSocket(b!.url, { cookie: userOnB.cookie });
    sockets.push(socket);
    const ack = await request(socket, 'rt:resync');
    expect(ack.ok, JSON.stringify(ack)).to.equal(true);
    const ended = disconnection(socket);
    const res = await adminOnA.post(`/admin/users/${user.id}/deactivate`, {}, '/admin/users');
    expect(res.status).to.equal(303);
    expect(await ended).to.equal('io server disconnect');
  });

  it('refuses to start when REDIS_URL names no Redis, saying so', async () => {
    const closedPort = await getPort({ host: '127.0.0.1' });
    const child = spawn(process.execPath, ['server/index.ts'], {
      cwd: projectRoot,
      env: {
        PATH: process.env.PATH ?? '',
        TOOLS_DIR: toolsDir,
        MONGODB_URI: t.databaseUri,
        STORAGE_ADAPTER: 'mongodb',
        REDIS_URL: `redis://127.0.0.1:${closedPort}`,
        SESSION_SECRET: TEST_SESSION_SECRET,
        SEED_ON_START: 'false',
        PORT: '0',
        LOG_LEVEL: 'silent',
        DATA_DIR: dataDir,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).to.equal(1);
    expect(stderr).to.include(`REDIS_URL: cannot connect to Redis at 127.0.0.1:${closedPort}`);
  });
});
