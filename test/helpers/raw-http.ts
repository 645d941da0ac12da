/**
 * HTTP at the byte level, for bodies no well-behaved client sends: broken or
 * truncated multipart, a body trickled byte by byte. The app listens on a real
 * loopback port; requests carry the cookies of a person signed in through the
 * real form.
 */

import type { RequestListener } from 'node:http';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

export interface Listening {
  server: http.Server;
  port: number;
  origin: string;
  close(): Promise<void>;
}

/** Listens on a free loopback port (the server given, or a plain one for `app`). */
export async function listen(appOrServer: RequestListener | http.Server): Promise<Listening> {
  const server = appOrServer instanceof http.Server ? appOrServer : http.createServer(appOrServer);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    port,
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** One request with exactly these headers and body bytes (Content-Length set unless given). */
export function rawRequest(
  port: number,
  options: { method?: string; path: string; headers?: http.OutgoingHttpHeaders; body?: Buffer | string },
): Promise<RawResponse> {
  const body = options.body === undefined ? undefined : Buffer.from(options.body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method: options.method ?? 'POST',
        path: options.path,
        headers: { ...(body ? { 'Content-Length': body.length } : {}), ...options.headers },
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text: Buffer.concat(chunks).toString(),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

export interface SocketExchange {
  /** Everything the server sent back. */
  text: string;
  /** The status of the server's answer, if it sent one. */
  status: number | undefined;
  /** Milliseconds from the first byte sent until the server closed the connection. */
  closedAfterMs: number;
}

/**
 * Writes `head` and then each of `chunks` (waiting `gapMs` between them) on a
 * plain TCP socket, then half-closes it when `end` is set; resolves when the
 * server closes the connection, or once a whole answer came back with `untilAnswered`
 * (or after `giveUpMs`, with what came back).
 */
export function socketExchange(
  port: number,
  head: Buffer | string,
  chunks: Array<Buffer | string> = [],
  options: { gapMs?: number; end?: boolean; giveUpMs?: number; untilAnswered?: boolean } = {},
): Promise<SocketExchange> {
  const { gapMs = 0, end = false, giveUpMs = 30_000, untilAnswered = false } = options;
  return new Promise((resolve) => {
    const started = Date.now();
    const received: Buffer[] = [];
    const socket = net.connect({ host: '127.0.0.1', port, allowHalfOpen: true });
    let timer: NodeJS.Timeout | undefined;
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      clearTimeout(giveUp);
      socket.destroy();
      const text = Buffer.concat(received).toString('latin1');
      const status = /^HTTP\/1\.1 (\d{3})/.exec(text)?.[1];
      resolve({ text, status: status ? Number(status) : undefined, closedAfterMs: Date.now() - started });
    };
    const giveUp = setTimeout(finish, giveUpMs);
    socket.on('data', (c: Buffer) => {
      received.push(c);
      if (untilAnswered && answered(Buffer.concat(received))) finish();
    });
    socket.on('end', finish);
    socket.on('close', finish);
    socket.on('error', finish);
    socket.on('connect', () => {
      socket.write(head);
      let i = 0;
      const next = () => {
        if (finished || socket.destroyed) return;
        if (i >= chunks.length) {
          if (end) socket.end();
          return;
        }
        socket.write(chunks[i++]!);
        timer = setTimeout(next, gapMs);
      };
      timer = setTimeout(next, gapMs);
    });
  });
}

/** Whether `data` holds a whole response (headers and a Content-Length body). */
function answered(data: Buffer): boolean {
  const end = data.indexOf('\r\n\r\n');
  if (end < 0) return false;
  const length = /\r\ncontent-length: *(\d+)/i.exec(data.subarray(0, end).toString('latin1'))?.[1];
  return length !== undefined && data.length - end - 4 >= Number(length);
}

export type Part =
  | { name: string; value: string }
  | { name: string; filename: string; contentType?: string; data: Buffer | string };

/** A multipart/form-data body as a browser writes it; `close: false` leaves out the closing boundary. */
export function multipartBody(boundary: string, parts: Part[], options: { close?: boolean } = {}): Buffer {
  const pieces: Buffer[] = [];
  for (const part of parts) {
    const disposition =
      'filename' in part
        ? `form-data; name="${part.name}"; filename="${part.filename}"\r\nContent-Type: ${part.contentType ?? 'application/octet-stream'}`
        : `form-data; name="${part.name}"`;
    pieces.push(Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition}\r\n\r\n`, 'latin1'));
    pieces.push(Buffer.from('filename' in part ? part.data : part.value));
    pieces.push(Buffer.from('\r\n'));
  }
  if (options.close !== false) pieces.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(pieces);
}

/** Cookies kept like a browser, for requests written by hand. */
export class CookieJar {
  readonly #cookies = new Map<string, string>();

  take(headers: http.IncomingHttpHeaders): void {
    for (const cookie of headers['set-cookie'] ?? []) {
      const [pair] = cookie.split(';');
      const at = (pair ?? '').indexOf('=');
      if (at > 0) this.#cookies.set(pair!.slice(0, at).trim(), pair!.slice(at + 1));
    }
  }

  header(): string {
    return [...this.#cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

/** The CSRF token of the first form on a page. */
export function formToken(html: string): string {
  const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
  if (!token) throw new Error('no CSRF token on the page');
  return token;
}

/** Signs in through the real form on a listening app; returns the jar and a token for later forms. */
export async function rawSignIn(
  port: number,
  email: string,
  password: string,
  formPath = '/posts/new?kind=tip',
): Promise<{ jar: CookieJar; token: string }> {
  const jar = new CookieJar();
  const login = await rawRequest(port, { method: 'GET', path: '/login' });
  jar.take(login.headers);
  const signedIn = await rawRequest(port, {
    path: '/login',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: jar.header() },
    body: new URLSearchParams({ _csrf: formToken(login.text), email, password }).toString(),
  });
  if (signedIn.status !== 303) throw new Error(`sign-in failed: ${signedIn.status}`);
  jar.take(signedIn.headers);
  const form = await rawRequest(port, { method: 'GET', path: formPath, headers: { Cookie: jar.header() } });
  jar.take(form.headers);
  return { jar, token: formToken(form.text) };
}
