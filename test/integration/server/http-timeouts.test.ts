import { expect } from 'chai';
import { createHttpServer } from '../../../server/http-server.ts';
import { useTestApp } from '../../helpers/app.ts';
import {
  type Listening,
  listen,
  multipartBody,
  rawRequest,
  rawSignIn,
  socketExchange,
} from '../../helpers/raw-http.ts';
import { createUser } from '../../helpers/users.ts';

const BOUNDARY = 'slowBoundary0123456789';
/** Generous bounds: the timeouts below are 1–2 s; nothing here is a precise timing. */
const WITHIN_MS = 9000;
const GIVE_UP_MS = 12_000;

describe('HTTP server timeouts: a slow client does not keep its connection', function () {
  this.timeout(60_000);
  const t = useTestApp({
    env: { HTTP_HEADERS_TIMEOUT_MS: '1000', HTTP_REQUEST_TIMEOUT_MS: '2000', HTTP_IDLE_TIMEOUT_MS: '1000' },
  });
  let app: Listening;

  before(async () => {
    app = await listen(createHttpServer(t.app, t.config));
  });
  after(() => app.close());

  it('serves ordinary requests', async () => {
    const res = await rawRequest(app.port, { method: 'GET', path: '/healthz' });
    expect(res.status).to.equal(200);
  });

  it('answers 408 and closes a multipart body sent one byte at a time', async () => {
    const user = await createUser();
    const { jar, token } = await rawSignIn(app.port, user.email, user.password);
    const body = multipartBody(BOUNDARY, [
      { name: 'kind', value: 'tip' },
      { name: 'title', value: 'Un caricamento lentissimo' },
      { name: 'attachments', filename: 'lento.txt', contentType: 'text/plain', data: 'x'.repeat(1000) },
    ]);
    const head =
      `POST /posts HTTP/1.1\r\nHost: 127.0.0.1:${app.port}\r\n` +
      `Content-Type: multipart/form-data; boundary=${BOUNDARY}\r\nContent-Length: ${body.length}\r\n` +
      `Cookie: ${jar.header()}\r\nX-CSRF-Token: ${token}\r\n\r\n`;
    const bytes = [...body.subarray(0, 200)].map((b) => Buffer.from([b]));
    const exchange = await socketExchange(app.port, head, bytes, { gapMs: 250, giveUpMs: GIVE_UP_MS });
    expect(exchange.closedAfterMs, 'connection closed by the server').to.be.below(WITHIN_MS);
    expect(exchange.status, exchange.text.slice(0, 120)).to.equal(408);
  });

  it('closes a connection whose headers arrive one byte at a time', async () => {
    const head = `GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:${app.port}\r\n`;
    const bytes = [...Buffer.from('X-Slow: abcdefghijklmnopqrstuvwxyz0123456789\r\n')].map((b) =>
      Buffer.from([b]),
    );
    const exchange = await socketExchange(app.port, head, bytes, { gapMs: 250, giveUpMs: GIVE_UP_MS });
    expect(exchange.closedAfterMs, 'connection closed by the server').to.be.below(WITHIN_MS);
    expect(exchange.status, exchange.text.slice(0, 120)).to.equal(408);
  });

  it('closes an idle keep-alive connection', async () => {
    const request = `GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:${app.port}\r\nConnection: keep-alive\r\n\r\n`;
    const exchange = await socketExchange(app.port, request, [], { giveUpMs: GIVE_UP_MS });
    expect(exchange.status, 'the request itself was answered').to.equal(200);
    expect(exchange.closedAfterMs, 'idle connection closed by the server').to.be.below(WITHIN_MS);
  });
});
