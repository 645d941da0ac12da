import { expect } from 'chai';
import mongoose from 'mongoose';
import { Post } from '../../../models/post.ts';
import { useTestApp } from '../../helpers/app.ts';
import { createTopics, FAST_POSTING } from '../../helpers/content.ts';
import {
  type CookieJar,
  type Listening,
  listen,
  multipartBody,
  type Part,
  type RawResponse,
  rawRequest,
  rawSignIn,
  socketExchange,
} from '../../helpers/raw-http.ts';
import { createUser } from '../../helpers/users.ts';

const BOUNDARY = '----passaparolaTestBoundary7MA4YWxkTrZu0gW';
const TITLE = 'Titolo che deve restare nel modulo';
const BODY_TEXT = 'Testo che deve restare nel modulo.';
/** The sentence the post form shows for a body that could not be read. */
const MALFORMED_IT = 'arrivato incompleto o danneggiato';

describe('multipart bodies: broken, truncated or too large → 400 / 413, never 500', function () {
  this.timeout(60_000);
  const t = useTestApp({
    env: { ...FAST_POSTING, ATTACHMENT_MAX_BYTES: '200000', POST_MAX_FILES: '3', AVATAR_MAX_BYTES: '100000' },
  });
  let app: Listening;
  let jar: CookieJar;
  let token: string;
  let topic: string;

  before(async () => {
    app = await listen(t.app);
    topic = (await createTopics()).billing;
    const user = await createUser();
    ({ jar, token } = await rawSignIn(app.port, user.email, user.password));
  });
  after(() => app.close());

  /** The fields of the tip form that come before the part under test. */
  const leading = (): Part[] => [
    { name: 'kind', value: 'tip' },
    { name: 'title', value: TITLE },
    { name: 'body', value: BODY_TEXT },
    { name: 'topics', value: topic },
  ];

  const storedFiles = () => mongoose.connection.db!.collection('uploads.files').countDocuments();

  /**
   * Sends `body` with the CSRF token where a script puts it (the X-CSRF-Token header)
   * or where a browser form does (a first part `_csrf`, put before `body`).
   */
  function send(
    body: Buffer,
    as: 'json' | 'browser',
    options: { path?: string; contentType?: string; referer?: string; tokenIn?: 'header' | 'body' } = {},
  ): Promise<RawResponse> {
    const inBody = options.tokenIn === 'body';
    return rawRequest(app.port, {
      path: options.path ?? '/posts',
      headers: {
        'Content-Type': options.contentType ?? `multipart/form-data; boundary=${BOUNDARY}`,
        Cookie: jar.header(),
        ...(inBody ? {} : { 'X-CSRF-Token': token }),
        Accept: as === 'json' ? 'application/json' : 'text/html',
        Referer: `${app.origin}${options.referer ?? '/posts/new?kind=tip'}`,
      },
      body: inBody
        ? Buffer.concat([multipartBody(BOUNDARY, [{ name: '_csrf', value: token }], { close: false }), body])
        : body,
    });
  }

  /** JSON clients get the status and a JSON error; browsers get the form again, with the error and their text. */
  async function expectRefused(
    body: Buffer,
    status: 400 | 413,
    formText: string,
    options: { path?: string; referer?: string; field?: string; contentType?: string; keeps?: string[] } = {},
  ) {
    for (const tokenIn of ['header', 'body'] as const)
      await expectRefusedWithToken(body, status, formText, { ...options, tokenIn });
  }

  async function expectRefusedWithToken(
    body: Buffer,
    status: 400 | 413,
    formText: string,
    options: Parameters<typeof send>[2] & { field?: string; keeps?: string[] },
  ) {
    const postsBefore = await Post.countDocuments();
    const filesBefore = await storedFiles();
    const json = await send(body, 'json', options);
    expect(json.status, json.text.slice(0, 300)).to.equal(status);
    const error = (JSON.parse(json.text) as { error: { code: string; fields?: Record<string, string> } })
      .error;
    expect(error.code).to.equal(status === 400 ? 'malformed_body' : 'payload_too_large');
    expect(error.fields?.[options.field ?? (status === 400 ? '_form' : 'attachments')], json.text).to.include(
      formText,
    );

    const page = await send(body, 'browser', options);
    expect(page.status, page.text.slice(0, 300)).to.equal(303);
    const referer = options.referer ?? '/posts/new?kind=tip';
    expect(page.headers.location).to.equal(referer);
    const form = await rawRequest(app.port, {
      method: 'GET',
      path: referer,
      headers: { Cookie: jar.header() },
    });
    expect(form.status).to.equal(200);
    expect(form.text).to.include('class="form-errors"').and.include(formText);
    for (const kept of options.keeps ?? [TITLE, BODY_TEXT])
      expect(form.text, 'what was typed').to.include(kept);

    expect(await Post.countDocuments(), 'no post created').to.equal(postsBefore);
    expect(await storedFiles(), 'no file stored').to.equal(filesBefore);
  }

  it('accepts a well-formed body sent the same way (so the refusals below mean something)', async () => {
    const body = multipartBody(BOUNDARY, [
      ...leading(),
      { name: 'attachments', filename: 'nota.txt', contentType: 'text/plain', data: 'una nota\n' },
    ]);
    const res = await send(body, 'browser');
    expect(res.status, res.text.slice(0, 300)).to.equal(303);
    expect(res.headers.location).to.match(/^\/posts\/[0-9a-f]{24}$/);
  });

  it('a body without its closing boundary', async () => {
    const body = multipartBody(
      BOUNDARY,
      [...leading(), { name: 'attachments', filename: 'a.txt', contentType: 'text/plain', data: 'testo\n' }],
      { close: false },
    );
    await expectRefused(body, 400, MALFORMED_IT);
  });

  it('a garbled part header (no colon)', async () => {
    const body = Buffer.concat([
      multipartBody(BOUNDARY, leading(), { close: false }),
      Buffer.from(
        `--${BOUNDARY}\r\nContent-Disposition form-data; name="tags"\r\n\r\nx\r\n--${BOUNDARY}--\r\n`,
      ),
    ]);
    await expectRefused(body, 400, MALFORMED_IT);
  });

  it('a part header cut off at the end of the body', async () => {
    const body = Buffer.concat([
      multipartBody(BOUNDARY, leading(), { close: false }),
      Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="attach`),
    ]);
    await expectRefused(body, 400, MALFORMED_IT);
  });

  it('a NUL byte in a file name, raw or percent-encoded', async () => {
    const raw = Buffer.concat([
      multipartBody(BOUNDARY, leading(), { close: false }),
      Buffer.from(
        `--${BOUNDARY}\r\nContent-Disposition: form-data; name="attachments"; filename="nota\u0000.txt"\r\nContent-Type: text/plain\r\n\r\ntesto\r\n--${BOUNDARY}--\r\n`,
        'latin1',
      ),
    ]);
    await expectRefused(raw, 400, MALFORMED_IT);
    const encoded = Buffer.concat([
      multipartBody(BOUNDARY, leading(), { close: false }),
      Buffer.from(
        `--${BOUNDARY}\r\nContent-Disposition: form-data; name="attachments"; filename*=UTF-8''nota%00.txt\r\nContent-Type: text/plain\r\n\r\ntesto\r\n--${BOUNDARY}--\r\n`,
      ),
    ]);
    await expectRefused(encoded, 400, MALFORMED_IT);
  });

  it('a 10 MB file name', async () => {
    const body = multipartBody(BOUNDARY, [
      ...leading(),
      {
        name: 'attachments',
        filename: `${'a'.repeat(10_000_000)}.txt`,
        contentType: 'text/plain',
        data: 'x\n',
      },
    ]);
    await expectRefused(body, 400, MALFORMED_IT);
  });

  it('a multipart type without a boundary, and a part without a name', async () => {
    const postsBefore = await Post.countDocuments();
    const noBoundary = await send(multipartBody(BOUNDARY, leading()), 'json', {
      contentType: 'multipart/form-data',
    });
    expect(noBoundary.status, noBoundary.text.slice(0, 200)).to.equal(400);
    const nameless = Buffer.concat([
      multipartBody(BOUNDARY, leading(), { close: false }),
      Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data\r\n\r\nx\r\n--${BOUNDARY}--\r\n`),
    ]);
    await expectRefused(nameless, 400, MALFORMED_IT);
    expect(await Post.countDocuments()).to.equal(postsBefore);
  });

  it('a body broken before its first field (the token) ends is a 400 with no form to keep', async () => {
    const postsBefore = await Post.countDocuments();
    const broken = [
      `--${BOUNDARY}\r\nContent-Disposition form-data; name="_csrf"\r\n\r\n${token}\r\n--${BOUNDARY}--\r\n`,
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${token.slice(0, 10)}`,
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="_cs`,
    ];
    for (const text of broken) {
      const headers = {
        'Content-Type': `multipart/form-data; boundary=${BOUNDARY}`,
        Cookie: jar.header(),
        Referer: `${app.origin}/posts/new?kind=tip`,
      };
      const json = await rawRequest(app.port, {
        path: '/posts',
        headers: { ...headers, Accept: 'application/json' },
        body: text,
      });
      expect(json.status, json.text.slice(0, 200)).to.equal(400);
      expect(JSON.parse(json.text).error.code).to.equal('malformed_body');
      const page = await rawRequest(app.port, {
        path: '/posts',
        headers: { ...headers, Accept: 'text/html' },
        body: text,
      });
      expect(page.status).to.equal(400);
      expect(page.text).to.include('non è arrivato intero');
    }
    expect(await Post.countDocuments()).to.equal(postsBefore);
  });

  it('a connection closed in the middle of the body', async () => {
    const postsBefore = await Post.countDocuments();
    const body = multipartBody(BOUNDARY, [
      ...leading(),
      { name: 'attachments', filename: 'a.txt', contentType: 'text/plain', data: 'x'.repeat(5000) },
    ]);
    const head =
      `POST /posts HTTP/1.1\r\nHost: 127.0.0.1:${app.port}\r\n` +
      `Content-Type: multipart/form-data; boundary=${BOUNDARY}\r\nContent-Length: ${body.length}\r\n` +
      `Cookie: ${jar.header()}\r\nX-CSRF-Token: ${token}\r\nAccept: application/json\r\n\r\n`;
    const exchange = await socketExchange(app.port, head, [body.subarray(0, 2000)], { gapMs: 50, end: true });
    expect(exchange.status, exchange.text.slice(0, 200)).to.equal(400);
    // Cut off inside the token, the first field of a browser form.
    const formHead =
      `POST /posts HTTP/1.1\r\nHost: 127.0.0.1:${app.port}\r\n` +
      `Content-Type: multipart/form-data; boundary=${BOUNDARY}\r\nContent-Length: 5000\r\n` +
      `Cookie: ${jar.header()}\r\nAccept: text/html\r\n\r\n`;
    const cut = `--${BOUNDARY}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${token.slice(0, 20)}`;
    const inToken = await socketExchange(app.port, formHead, [cut], { gapMs: 50, end: true });
    expect(inToken.status, inToken.text.slice(0, 200)).to.equal(400);
    expect(await Post.countDocuments()).to.equal(postsBefore);
    // The app is still there for the next request.
    const ok = await send(
      multipartBody(
        BOUNDARY,
        leading().map((p) => (p.name === 'title' ? { ...p, value: 'Dopo la connessione interrotta' } : p)),
      ),
      'json',
    );
    expect(ok.status).to.be.oneOf([200, 303]);
  });

  it('a file over the limit, too many files, too many fields or too long a field → 413', async () => {
    const file = (name: string, size: number): Part => ({
      name: 'attachments',
      filename: name,
      contentType: 'text/plain',
      data: 'x'.repeat(size),
    });
    await expectRefused(
      multipartBody(BOUNDARY, [...leading(), file('grande.txt', 250_000)]),
      413,
      'Il file supera 0.2 MB',
    );
    await expectRefused(
      multipartBody(BOUNDARY, [...leading(), ...[1, 2, 3, 4].map((i) => file(`f${i}.txt`, 10))]),
      413,
      'Al massimo 3 file',
    );
    const manyFields = [
      ...leading(),
      ...Array.from({ length: 150 }, (_, i) => ({ name: 'tags', value: `t${i}` })),
    ];
    await expectRefused(multipartBody(BOUNDARY, manyFields), 413, 'troppi campi', { field: '_form' });
    await expectRefused(
      multipartBody(BOUNDARY, [...leading(), { name: 'tags', value: 'x'.repeat(200_000) }]),
      413,
      'troppo lungo',
      { field: 'tags' },
    );
  });

  it('the profile form (one picture) answers the same way', async () => {
    const fields: Part[] = [{ name: 'displayName', value: 'Nome che deve restare' }];
    await expectRefused(
      multipartBody(
        BOUNDARY,
        [...fields, { name: 'avatar', filename: 'a.png', contentType: 'image/png', data: 'x' }],
        { close: false },
      ),
      400,
      MALFORMED_IT,
      { path: '/settings/profile', referer: '/settings/profile', keeps: ['Nome che deve restare'] },
    );
    await expectRefused(
      multipartBody(BOUNDARY, [
        ...fields,
        { name: 'avatar', filename: 'a.png', contentType: 'image/png', data: 'x'.repeat(120_000) },
      ]),
      413,
      'Il file supera 0.1 MB',
      {
        path: '/settings/profile',
        referer: '/settings/profile',
        field: 'avatar',
        keeps: ['Nome che deve restare'],
      },
    );
  });
});
