import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { io as connectClient, type Socket } from 'socket.io-client';
import { createHttpServer } from '../../server/http-server.ts';
import { attachRealtime, type RealtimeServer } from '../../server/realtime/realtime.server.ts';
import { TEST_SESSION_SECRET, type TestApp } from './app.ts';
import { testLogger } from './engine.ts';

export interface LiveServer {
  /** Base URL of the app listening on a real port, sockets included. */
  url: string;
  realtime: RealtimeServer;
  /**
   * Stops the HTTP server and sockets, runs `meanwhile`, and starts them again
   * on the same port (a server restart).
   */
  restart(meanwhile?: () => Promise<void>): Promise<void>;
}

/**
 * Listens with the describe's test app (useTestApp) on a free loopback port,
 * with socket.io attached as server/index.ts attaches it. Call after
 * useTestApp; fields are filled in `before`.
 */
export function useLiveServer(t: TestApp, options: { throttleMs?: number } = {}): LiveServer {
  const ctx = {} as LiveServer;
  let server: http.Server;

  const start = async (port: number) => {
    server = createHttpServer(t.app, t.config);
    const realtime = await attachRealtime({
      server,
      config: t.config,
      logger: testLogger,
      events: t.events,
      services: t.services,
      sessionSecret: TEST_SESSION_SECRET,
      throttleMs: options.throttleMs,
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    ctx.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    ctx.realtime = realtime;
  };
  const stop = async () => {
    await ctx.realtime?.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };

  before(async () => {
    await start(0);
    ctx.restart = async (meanwhile) => {
      const port = Number(new URL(ctx.url).port);
      await stop();
      await meanwhile?.();
      await start(port);
    };
  });
  after(stop);
  return ctx;
}

/** A signed-in browser for a live server: its session cookie, and fetch with it. */
export interface LiveSession {
  cookie: string;
  fetch(path: string, init?: RequestInit): Promise<Response>;
  /** POSTs a form with this session's CSRF token (read from `tokenPage`). */
  post(path: string, fields?: Record<string, string>, tokenPage?: string): Promise<Response>;
}

export async function signInLive(url: string, email: string, password: string): Promise<LiveSession> {
  const jar = new Map<string, string>();
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  const send = async (path: string, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    if (jar.size) headers.set('Cookie', cookie());
    const res = await fetch(`${url}${path}`, { ...init, headers, redirect: 'manual' });
    for (const set of res.headers.getSetCookie()) {
      const [pair] = set.split(';');
      const [name, ...value] = (pair ?? '').split('=');
      if (name) jar.set(name.trim(), value.join('='));
    }
    return res;
  };
  const tokenOf = async (page: string) => {
    const html = await (await send(page)).text();
    const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
    if (!token) throw new Error(`no CSRF token on ${page}`);
    return token;
  };
  const post = async (path: string, fields: Record<string, string> = {}, tokenPage = '/settings/account') =>
    send(path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: await tokenOf(tokenPage), ...fields }).toString(),
    });
  const login = await send('/login', {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: await tokenOf('/login'), email, password }).toString(),
  });
  expect(login.status, `sign-in of ${email}`).to.equal(303);
  return {
    get cookie() {
      return cookie();
    },
    fetch: send,
    post,
  };
}

export interface ClientOptions {
  cookie?: string;
  headers?: Record<string, string>;
  reconnection?: boolean;
}

/** A socket.io client as a page opens it; resolves once connected, rejects with the refusal. */
export function connectSocket(url: string, options: ClientOptions = {}): Promise<Socket> {
  const socket = connectClient(url, {
    transports: ['websocket'],
    forceNew: true,
    reconnection: options.reconnection ?? false,
    reconnectionDelay: 100,
    reconnectionDelayMax: 500,
    extraHeaders: { ...(options.cookie ? { Cookie: options.cookie } : {}), ...options.headers },
  });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err: Error & { data?: { code?: string } }) => {
      socket.close();
      reject(
        Object.assign(new Error(err.data?.code ?? err.message), { code: err.data?.code ?? err.message }),
      );
    });
  });
}

/** The code a refused connection gives. */
export async function refusalOf(url: string, options: ClientOptions = {}): Promise<string> {
  try {
    const socket = await connectSocket(url, options);
    socket.close();
  } catch (err) {
    return (err as { code: string }).code;
  }
  throw new Error('the connection was accepted');
}

/** Waits for the next `event` whose payload passes `accept` (fails after `ms`). */
export function nextEvent<T = unknown>(
  socket: Socket,
  event: string,
  accept: (payload: T) => boolean = () => true,
  ms = 5000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.off(event, listener);
      reject(new Error(`no "${event}" within ${ms} ms`));
    }, ms);
    const listener = (payload: T) => {
      if (!accept(payload)) return;
      clearTimeout(timer);
      socket.off(event, listener);
      resolve(payload);
    };
    socket.on(event, listener);
  });
}

/** Resolves when the socket is disconnected (with the reason). */
export function disconnection(socket: Socket, ms = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    if (socket.disconnected) return resolve('already disconnected');
    const timer = setTimeout(() => reject(new Error(`still connected after ${ms} ms`)), ms);
    socket.once('disconnect', (reason) => {
      clearTimeout(timer);
      resolve(reason);
    });
  });
}

/** Sends a request and returns its acknowledgement. */
export function request<T = Record<string, unknown>>(
  socket: Socket,
  name: string,
  input?: unknown,
): Promise<T> {
  return socket.timeout(5000).emitWithAck(name, input) as Promise<T>;
}

/** Collects every payload of `event` a socket receives, from now on. */
export function record<T = unknown>(socket: Socket, event: string): T[] {
  const received: T[] = [];
  socket.on(event, (payload: T) => received.push(payload));
  return received;
}
