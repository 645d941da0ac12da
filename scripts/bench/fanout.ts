/**
 * Fan-out benchmark: N connected, authenticated clients in one topic room;
 * the time from a vote (POST /votes on a post of that topic) to the receipt of
 * the post's new score by every client (p50/p99), and the server's memory per
 * connection. Each round a different colleague votes the post up, so the
 * score is the round number. The mapping is the product's own
 * (`vote.cast` → `post:<id>:score` in the post's topic rooms, server/posts/posts.realtime.ts).
 */
import { fork } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import v8 from 'node:v8';
import vm from 'node:vm';
import { Types } from 'mongoose';
import { Session } from '../../models/session.ts';
import { Topic } from '../../models/topic.ts';
import { User } from '../../models/user.ts';
import { toSessionUser } from '../../server/auth/session-user.ts';
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
export async function createSessions(userIds: string[], secret: string): Promise<string[]> {
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
  const needed = options.clients + options.rounds + 1;
  const users = await User.find({ email: /^bench\.\d+@bench\.example$/ })
    .limit(needed)
    .lean();
  if (users.length < needed) {
    throw new Error(`fan-out needs ${needed} generated users (run with --users ${needed})`);
  }
  const [author, ...rest] = users;
  const voters = rest.slice(0, options.rounds).map((u) => String(u._id));
  const audience = rest.slice(options.rounds, options.rounds + options.clients).map((u) => String(u._id));
  const voterCookies = await createSessions(voters, options.sessionSecret);
  const cookies = await createSessions(audience, options.sessionSecret);

  // A topic of its own and a post in it, written through the product's services.
  const topic = await Topic.create({
    slug: `bench-fanout-${Date.now().toString(36)}`,
    names: { it: 'Benchmark fan-out', en: 'Fan-out benchmark' },
    kind: 'process',
  });
  const postId = await server.runtime.services.posts.create(
    toSessionUser(author!),
    {
      kind: 'tip',
      title: 'Fan-out: un consiglio da votare',
      body: 'Ogni giro del benchmark lo vota un collega diverso.',
      topics: [String(topic._id)],
      tags: [],
    } as never,
    [],
  );
  const room = rooms.topic(String(topic._id));
  const counter = `post:${postId}:score`;
  const published = new Map<number, number>();
  const stopWatching = server.runtime.events.on('vote.cast', (e) => {
    if (e.targetId === postId) published.set(e.voteScore, performance.timeOrigin + performance.now());
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
    child.send({ kind: 'setup', setup: { url: server.url, cookies, room, counter } });
    const { connectMs } = await ready;
    const after = await settledMemory();

    // Each voter's form: a CSRF token from the post's page.
    const forms = await Promise.all(
      voterCookies.map(async (cookie) => {
        const page = await fetch(`${server.url}/posts/${postId}`, { headers: { Cookie: cookie } });
        const csrfCookie = page.headers
          .getSetCookie()
          .map((c) => c.split(';')[0])
          .join('; ');
        const token = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1];
        if (!token) throw new Error('no CSRF token for a benchmark voter');
        return { cookie: `${cookie}; ${csrfCookie}`, token };
      }),
    );

    const receipts: number[] = [];
    const everyClient: number[] = [];
    const fanOut: number[] = [];
    const requests: number[] = [];
    for (let round = 1; round <= options.rounds; round++) {
      const received = next<{ times: number[] }>('round', round);
      const form = forms[round - 1]!;
      const started = performance.timeOrigin + performance.now();
      const res = await fetch(`${server.url}/votes`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: form.cookie },
        body: new URLSearchParams({
          _csrf: form.token,
          targetType: 'post',
          targetId: postId,
          value: '1',
          _return: `/posts/${postId}`,
        }).toString(),
      });
      requests.push(performance.timeOrigin + performance.now() - started);
      if (res.status !== 303) throw new Error(`the vote answered ${res.status}`);
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
    stopWatching();
    child.send({ kind: 'close' });
    await new Promise((resolve) => child.once('exit', resolve));
  }
}

export function printFanout(result: FanoutResult): void {
  const line = (label: string, value: string) => process.stdout.write(`  ${label.padEnd(48)} ${value}\n`);
  const spread = (s: { p50: number; p99: number; max: number }) => `${s.p50} / ${s.p99} / ${s.max} ms`;
  const memory = result.memoryPerConnection;
  process.stdout.write(
    `\nfan-out: ${result.clients} authenticated sockets in one topic room, ${result.rounds} votes on one of its posts\n`,
  );
  line('connect + join, all clients', `${result.connectSeconds} s`);
  line('vote request → each client (p50 / p99 / max)', spread(result.receipt));
  line('vote request → every client (p50 / p99 / max)', spread(result.everyClient));
  line('vote.cast published → every client (p50 / p99 / max)', spread(result.eventToEveryClient));
  line('vote request alone (p50)', `${result.requestP50} ms`);
  line(
    'server memory per connection (heap / external)',
    `${memory.heapKb} / ${memory.externalKb} KB (RSS ${memory.rssKb} KB)`,
  );
}
