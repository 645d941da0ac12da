import http, { type RequestListener } from 'node:http';
import type { Config } from './config.ts';

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
  const server = http.createServer(
    {
      headersTimeout: headersTimeoutMs,
      requestTimeout: requestTimeoutMs,
      connectionsCheckingInterval: Math.min(
        5000,
        Math.max(250, Math.floor(Math.min(headersTimeoutMs, requestTimeoutMs) / 4)),
      ),
    },
    app,
  );
  server.keepAliveTimeout = idleTimeoutMs;
  return server;
}
