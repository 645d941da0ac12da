import http, { type RequestListener, type ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Config } from './config.ts';

/** What the server tracks for a graceful stop (see drainHttpServer). */
interface Traffic {
  /** When the last connection was accepted or the last request arrived. */
  lastArrival: number;
  /** Responses not yet finished. */
  open: Set<ServerResponse>;
  draining: boolean;
}

const traffic = new WeakMap<http.Server, Traffic>();

/**
 * The HTTP server in front of the app (index.ts listens on it; tests use the same one).
 *
 * Slow clients are bounded: a request whose headers have not all arrived within
 * `headersTimeoutMs`, or whose body has not all arrived within `requestTimeoutMs`
 * (a multipart upload trickled a byte at a time), is answered 408 and its
 * connection closed; a kept-alive connection idle for `idleTimeoutMs` is closed.
 * Node checks the first two on a timer, so the timer runs at a quarter of the
 * shorter limit (never more often than every 250 ms, at least every 5 s).
 * WebSocket connections (socket.io) are upgraded and leave these limits behind.
 */
export function createHttpServer(app: RequestListener, config: Pick<Config, 'http'>): http.Server {
  const { headersTimeoutMs, requestTimeoutMs, idleTimeoutMs } = config.http;
  const state: Traffic = { lastArrival: Date.now(), open: new Set(), draining: false };
  const server = http.createServer(
    {
      headersTimeout: headersTimeoutMs,
      requestTimeout: requestTimeoutMs,
      connectionsCheckingInterval: Math.min(
        5000,
        Math.max(250, Math.floor(Math.min(headersTimeoutMs, requestTimeoutMs) / 4)),
      ),
    },
    (req, res) => {
      state.lastArrival = Date.now();
      state.open.add(res);
      res.once('close', () => state.open.delete(res));
      // While draining, every response ends its connection (the client opens its next one elsewhere).
      if (state.draining) res.setHeader('Connection', 'close');
      app(req, res);
    },
  );
  server.on('connection', () => {
    state.lastArrival = Date.now();
  });
  server.keepAliveTimeout = idleTimeoutMs;
  traffic.set(server, state);
  return server;
}

/** One turn of the event loop: connections and requests waiting in the poll phase are taken first. */
const afterPoll = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Stops a server without resetting a request a client has already sent:
 * 1. it keeps accepting until no connection or request has arrived for
 *    `quietMs` (a client that connected just before the signal sits in the
 *    listen backlog; closing the listener would reset it), every response
 *    saying `Connection: close`;
 * 2. it stops listening and closes the idle kept-alive connections;
 * 3. it waits for the requests in flight to finish, and at `deadline` closes
 *    whatever connection is left.
 * Resolves with how many responses were still open at the deadline (0 when every request finished).
 */
export async function drainHttpServer(
  server: http.Server,
  options: { quietMs: number; deadline: number },
): Promise<number> {
  const state = traffic.get(server);
  if (!server.listening) return 0;
  if (state) {
    state.draining = true;
    for (const res of state.open) if (!res.headersSent) res.setHeader('Connection', 'close');
    for (;;) {
      await afterPoll();
      const quietFor = Date.now() - state.lastArrival;
      if (quietFor >= options.quietMs || Date.now() >= options.deadline) break;
      await sleep(Math.min(options.quietMs - quietFor, Math.max(0, options.deadline - Date.now())) + 1);
    }
  }
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  let cut = 0;
  const timer = setTimeout(
    () => {
      cut = state?.open.size ?? 0;
      server.closeAllConnections();
    },
    Math.max(0, options.deadline - Date.now()),
  );
  await closed;
  clearTimeout(timer);
  return cut;
}
