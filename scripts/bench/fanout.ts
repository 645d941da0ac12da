/**
 * Fan-out benchmark: N connected, authenticated clients in one topic room;
 * the time from an HTTP request that publishes a domain event to its receipt
 * by every client (p50/p99), and the server's memory per connection.
 *
 * The event: until votes exist, the request is a profile save
 * (POST /settings/profile → `user.updated`) and the benchmark maps that event
 * to a counter update in the topic room, as the votes feature will map
 * `vote.cast` to the post's score. When votes land, the lead switches the
 * request to `POST /posts/:id/votes` and the mapping to the vote event.
 */
import { fork } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import v8 from 'node:v8';
import vm from 'node:vm';
import { Types } from 'mongoose';
import { Session } from '../../models/session.ts';
import { User } from '../../models/user.ts';
import type { RunningServer } from '../../server/index.ts';
import { rooms } from '../../server/realtime/rooms.ts';

export interface FanoutOptions {
  clients: number;
  rounds: number;
  sessionSecret: string;
}

export interface FanoutResult {
  clients: number;
  rounds: number;
  connectSeconds: number;
  /** Request start → each client's receipt, over every client of every round (ms). */
  receipt: { p50: number; p99: number; max: number };
  /** Request start → the last client's receipt, per round (ms). */
  everyClient: { p50: number; p99: number; max: number };
  /** Event published on the bus → the last client's receipt, per round (ms): the fan-out itself. */
  eventToEveryClient: { p50: number; p99: number; max: number };
  /** Request round trip alone (ms, p50). */
  requestP50: number;
  /** Growth of the server's JavaScript heap and of its external memory (socket buffers), per connection. */
  memoryPerConnection: { heapKb: number; externalKb: number; rssKb: number };
}

const COUNTER = 'bench:round';

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function summary(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  const round = (n: number) => Math.round(n * 10) / 10;
  return {
    p50: round(percentile(sorted, 50)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted.at(-1) ?? 0),
  };
}

/** A signed session cookie, as express-session writes it (cookie-signature: HMAC-SHA256, base64 without padding). */
function signedCookie(sid: string, secret: string): string {
  const signature = createHmac('sha256', secret).update(sid).digest('base64').replace(/=+$/, '');
  return `pp.sid=${encodeURIComponent(`s:${sid}.${signature}`)}`;
}

/** Sessions written straight into the store (signing in 1,000 people with argon2 would dominate the run). */
async function createSessions(userIds: string[], secret: string): Promise<string[]> {
  const expires = new Date(Date.now() + 8 * 3600_000);
  const docs = userIds.map((id) => {
    const sid = randomBytes(24).toString('base64url');
    const data = {
      cookie: { originalMaxAge: null, expires: null, httpOnly: true, path: '/', sameSite: 'lax' },
      passport: { user: id },
      authAt: Date.now(),
    };
    return { _id: sid, data: JSON.stringify(data), expires, user: new Types.ObjectId(id) };
  });
  for (let i = 0; i < docs.length; i += 500) await Session.insertMany(docs.slice(i, i + 500));
  return docs.map((doc) => signedCookie(doc._id, secret));
}

const perConnectionKb = (bytes: number, connections: number) => Math.round(bytes / connections / 102.4) / 10;

function collectGarbage(): void {
  v8.setFlagsFromString('--expose-gc');
  (vm.runInNewContext('gc') as () => void)();
}

async function settledMemory(): Promise<NodeJS.MemoryUsage> {
  for (let i = 0; i < 3; i++) {
    collectGarbage();
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return process.memoryUsage();
}

export async function runFanout(server: RunningServer, options: FanoutOptions): Promise<FanoutResult> {
  const users = await User.find({ email: /^bench\.\d+@bench\.example$/ })
    .select({ _id: 1 })
    .limit(options.clients + 1)
    .lean();
  if (users.length < options.clients + 1) {
    throw new Error(
      `fan-out needs ${options.clients + 1} generated users (run with --users ${options.clients + 1})`,
    );
  }
  const [actor, ...audience] = users.map((u) => String(u._id));
  const cookies = await createSessions(
    [actor!, ...audience.slice(0, options.clients)],
    options.sessionSecret,
  );
  const actorCookie = cookies.shift()!;

  const topic = new Types.ObjectId().toHexString();
  const room = rooms.topic(topic);
  let round = 0;
  const published = new Map<number, number>();
  // The stand-in for `vote.cast` → the post's score in its rooms.
  server.realtime.bridge.on('user.updated', (e) => {
    if (e.userId !== actor) return null;
    published.set(round, performance.timeOrigin + performance.now());
    return { to: room, counters: { [COUNTER]: round } };
  });

  const before = await settledMemory();
  const child = fork(new URL('./fanout-clients.ts', import.meta.url), [], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const messages: Array<(message: { kind: string; [key: string]: unknown }) => void> = [];
  child.on('message', (message: { kind: string }) => {
    for (const listener of [...messages]) listener(message);
  });
  const next = <T>(kind: string, round?: number, ms = 120_000) =>
    new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no "${kind}" from the clients within ${ms} ms`)), ms);
      const listener = (message: { kind: string; round?: unknown }) => {
        if (message.kind !== kind || (round !== undefined && message.round !== round)) return;
        clearTimeout(timer);
        messages.splice(messages.indexOf(listener), 1);
        resolve(message as T);
      };
      messages.push(listener);
    });

  try {
    const ready = next<{ connectMs: number }>('ready', undefined, 600_000);
    child.send({ kind: 'setup', setup: { url: server.url, cookies, room, counter: COUNTER } });
    const { connectMs } = await ready;
    const after = await settledMemory();

    // The actor's form: a CSRF token from their settings page.
    const page = await fetch(`${server.url}/settings/profile`, { headers: { Cookie: actorCookie } });
    const csrfCookie = page.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    const token = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1];
    if (!token) throw new Error('no CSRF token for the benchmark actor');

    const receipts: number[] = [];
    const everyClient: number[] = [];
    const fanOut: number[] = [];
    const requests: number[] = [];
    for (round = 1; round <= options.rounds; round++) {
      const received = next<{ times: number[] }>('round', round);
      const started = performance.timeOrigin + performance.now();
      const res = await fetch(`${server.url}/settings/profile`, {
        method: 'POST',
        redirect: 'manual',
        headers: {
          'Content-Type': 'application/x-www-form-urlencoded',
          Cookie: `${actorCookie}; ${csrfCookie}`,
        },
        body: new URLSearchParams({ _csrf: token, displayName: `Bench Actor ${round}` }).toString(),
      });
      requests.push(performance.timeOrigin + performance.now() - started);
      if (res.status !== 303) throw new Error(`the publishing request answered ${res.status}`);
      const { times } = await received;
      const latencies = times.map((t) => t - started);
      receipts.push(...latencies);
      everyClient.push(Math.max(...latencies));
      fanOut.push(Math.max(...times) - (published.get(round) ?? started));
      // Rounds further apart than the counter throttle, so none is coalesced.
      await new Promise((resolve) => setTimeout(resolve, 400));
    }

    return {
      clients: options.clients,
      rounds: options.rounds,
      connectSeconds: Math.round(connectMs / 100) / 10,
      receipt: summary(receipts),
      everyClient: summary(everyClient),
      eventToEveryClient: summary(fanOut),
      requestP50: summary(requests).p50,
      memoryPerConnection: {
        heapKb: perConnectionKb(after.heapUsed - before.heapUsed, options.clients),
        externalKb: perConnectionKb(after.external - before.external, options.clients),
        rssKb: perConnectionKb(after.rss - before.rss, options.clients),
      },
    };
  } finally {
    child.send({ kind: 'close' });
    await new Promise((resolve) => child.once('exit', resolve));
  }
}

export function printFanout(result: FanoutResult): void {
  const line = (label: string, value: string) => process.stdout.write(`  ${label.padEnd(48)} ${value}\n`);
  const spread = (s: { p50: number; p99: number; max: number }) => `${s.p50} / ${s.p99} / ${s.max} ms`;
  const memory = result.memoryPerConnection;
  process.stdout.write(
    `\nfan-out: ${result.clients} authenticated sockets in one topic room, ${result.rounds} rounds\n`,
  );
  line('connect + join, all clients', `${result.connectSeconds} s`);
  line('request → each client (p50 / p99 / max)', spread(result.receipt));
  line('request → every client (p50 / p99 / max)', spread(result.everyClient));
  line('event published → every client (p50 / p99 / max)', spread(result.eventToEveryClient));
  line('publishing request alone (p50)', `${result.requestP50} ms`);
  line(
    'server memory per connection (heap / external)',
    `${memory.heapKb} / ${memory.externalKb} KB (RSS ${memory.rssKb} KB)`,
  );
}
