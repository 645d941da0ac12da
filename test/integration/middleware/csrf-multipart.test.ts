import { expect } from 'chai';
import { DomUtils, parseDocument } from 'htmlparser2';
import mongoose from 'mongoose';
import { Post } from '../../../models/post.ts';
import { createLogger } from '../../../server/core/logger.ts';
import { csrfToken, useTestApp } from '../../helpers/app.ts';
import { createPost, createTopics, FAST_POSTING } from '../../helpers/content.ts';
import {
  type Listening,
  listen,
  multipartBody,
  rawRequest,
  rawSignIn,
  socketExchange,
} from '../../helpers/raw-http.ts';
import { createUser, signedIn } from '../../helpers/users.ts';

type Element = ReturnType<typeof DomUtils.getElementsByTagName>[number];

const storedFiles = () => mongoose.connection.db!.collection('uploads.files').countDocuments();

/** The app's request log, line by line. */
const logLines: string[] = [];
const logStream = {
  write(line: string) {
    logLines.push(line);
  },
};

describe('CSRF tokens stay out of URLs and logs; multipart forms carry theirs in the body', function () {
  this.timeout(60_000);
  const t = useTestApp({
    env: { ...FAST_POSTING, ATTACHMENT_MAX_BYTES: '3000000' },
    logger: () => createLogger('info', {}, logStream),
  });
  let topics: Awaited<ReturnType<typeof createTopics>>;

  before(async () => {
    topics = await createTopics();
  });

  it('renders every multipart form with the token as its first field and none in its action', async () => {
    const { agent, user } = await signedIn(t, ['admin']);
    const post = await createPost(t, user, 'tip', [topics.billing]);
    const pages = [
      '/posts/new?kind=tip',
      '/posts/new?kind=insight',
      '/posts/new?kind=question',
      `/posts/${post}/edit`,
      '/settings/profile',
      '/admin/import',
    ];
    for (const page of pages) {
      const res = await agent.get(page).expect(200);
      const token = /name="_csrf" value="([^"]+)"/.exec(res.text)?.[1];
      expect(token, `${page}: a token`).to.be.a('string');
      const doc = parseDocument(res.text);
      const forms = DomUtils.getElementsByTagName('form', doc).filter(
        (f) => f.attribs.enctype === 'multipart/form-data',
      );
      expect(forms, `${page}: one multipart form`).to.have.length(1);
      const form = forms[0]!;
      expect(form.attribs.action, `${page}: action`).to.not.include('_csrf').and.not.include(token!);
      const controls = DomUtils.findAll(
        (e) => ['input', 'textarea', 'select', 'button'].includes(e.name),
        form.children,
      ) as Element[];
      expect(controls[0]?.attribs, `${page}: the first field is the token`).to.deep.include({
        type: 'hidden',
        name: '_csrf',
        value: token!,
      });
      // No address on the page carries the token.
      const urls = (DomUtils.findAll(() => true, doc.children) as Element[]).flatMap((e) =>
        ['href', 'src', 'action', 'formaction', 'data-src'].map((a) => e.attribs[a] ?? ''),
      );
      expect(
        urls.filter((u) => u.includes(token!) || u.includes('_csrf')),
        page,
      ).to.deep.equal([]);
    }
  });

  it('accepts a multipart post with the token as its first field, or in the X-CSRF-Token header', async () => {
    const { agent } = await signedIn(t);
    const token = await csrfToken(agent, '/posts/new?kind=tip');
    const filesBefore = await storedFiles();
    const inBody = await agent
      .post('/posts')
      .field('_csrf', token)
      .field('kind', 'tip')
      .field('title', 'Il token viaggia nel corpo del modulo')
      .field('body', 'Con un allegato.')
      .field('topics', topics.billing)
      .attach('attachments', Buffer.from('una nota\n'), { filename: 'nota.txt' })
      .redirects(0)
      .expect(303);
    expect(inBody.headers.location).to.match(/^\/posts\/[0-9a-f]{24}$/);
    expect(await storedFiles()).to.equal(filesBefore + 1);
    await agent
      .post('/posts')
      .set('X-CSRF-Token', token)
      .field('kind', 'tip')
      .field('title', "Il token viaggia nell'intestazione")
      .field('body', 'Da uno script.')
      .field('topics', topics.billing)
      .redirects(0)
      .expect(303);
    // The profile form (one picture) too.
    await agent
      .post('/settings/profile')
      .field('_csrf', token)
      .field('displayName', 'Nome Dal Modulo')
      .redirects(0)
      .expect(303);
  });

  it('refuses a multipart post whose token is missing, wrong, after a file or in the query string: 403, nothing stored', async () => {
    const { agent } = await signedIn(t);
    const token = await csrfToken(agent, '/posts/new?kind=tip');
    const postsBefore = await Post.countDocuments();
    const filesBefore = await storedFiles();
    const attempt = () =>
      agent
        .post('/posts')
        .set('Accept', 'application/json')
        .field('kind', 'tip')
        .field('title', 'Un tentativo senza token valido')
        .field('body', 'Testo.')
        .field('topics', topics.billing);
    const missing = await attempt()
      .attach('attachments', Buffer.alloc(2_000_000, 65), { filename: 'grande.txt' })
      .expect(403);
    expect(missing.body.error.code).to.equal('csrf_invalid');
    await agent
      .post('/posts')
      .field('_csrf', `${token.slice(0, -4)}AAAA`)
      .field('kind', 'tip')
      .attach('attachments', Buffer.from('x\n'), { filename: 'x.txt' })
      .expect(403);
    await agent
      .post('/posts')
      .attach('attachments', Buffer.from('x\n'), { filename: 'x.txt' })
      .field('_csrf', token)
      .field('kind', 'tip')
      .expect(403);
    await agent
      .post(`/posts?_csrf=${token}`)
      .field('kind', 'tip')
      .field('title', 'Il token nella query non vale più')
      .field('body', 'Testo.')
      .field('topics', topics.billing)
      .expect(403);
    expect(await Post.countDocuments()).to.equal(postsBefore);
    expect(await storedFiles()).to.equal(filesBefore);
  });

  it('a multipart post with its token to a route that takes no files is an empty form: 422, not 500', async () => {
    const { agent } = await signedIn(t);
    const token = await csrfToken(agent, '/settings/profile');
    const res = await agent
      .post('/preferences/language')
      .set('Accept', 'application/json')
      .field('_csrf', token)
      .field('locale', 'en');
    expect(res.status, res.text.slice(0, 200)).to.equal(422);
    expect(res.body.error.fields.locale).to.be.a('string');
  });

  it('answers 403 before reading a file that comes without a token', async () => {
    const app: Listening = await listen(t.app);
    try {
      const user = await createUser();
      const { jar } = await rawSignIn(app.port, user.email, user.password);
      const boundary = 'noTokenBoundary42';
      const start = multipartBody(boundary, [
        {
          name: 'attachments',
          filename: 'enorme.bin',
          contentType: 'application/octet-stream',
          data: 'x'.repeat(1000),
        },
      ]).subarray(0, 600);
      const head =
        `POST /posts HTTP/1.1\r\nHost: 127.0.0.1:${app.port}\r\nAccept: application/json\r\n` +
        `Content-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: 50000000\r\n` +
        `Cookie: ${jar.header()}\r\n\r\n`;
      // 600 bytes of a 50 MB body, then silence: the answer cannot wait for the rest.
      const exchange = await socketExchange(app.port, head, [start], { giveUpMs: 5000, untilAnswered: true });
      expect(exchange.status, exchange.text.slice(0, 200)).to.equal(403);
      expect(exchange.closedAfterMs, 'answered without the rest of the body').to.be.below(4000);
      expect(exchange.text).to.include('csrf_invalid');
    } finally {
      await app.close();
    }
  });

  it('logs one compact line per request: no headers, no cookies, no token', async () => {
    const app: Listening = await listen(t.app);
    try {
      const user = await createUser();
      const { jar, token } = await rawSignIn(app.port, user.email, user.password);
      logLines.length = 0;
      await rawRequest(app.port, {
        method: 'GET',
        path: `/posts?_csrf=${token}&token=query-secret-value&kind=tip`,
        headers: { Cookie: jar.header(), 'X-Request-Id': 'log-test-query-1' },
      });
      await rawRequest(app.port, {
        method: 'GET',
        path: '/password/reset/reset-secret-value-0123456789',
        headers: { 'X-Request-Id': 'log-test-reset-2' },
      });
      const boundary = 'logBoundary1234';
      const posted = await rawRequest(app.port, {
        path: '/posts',
        headers: {
          'Content-Type': `multipart/form-data; boundary=${boundary}`,
          Cookie: jar.header(),
          'X-Request-Id': 'log-test-multipart-3',
        },
        body: multipartBody(boundary, [
          { name: '_csrf', value: token },
          { name: 'kind', value: 'tip' },
          { name: 'title', value: 'Una riga di registro compatta' },
          { name: 'body', value: 'Testo.' },
          { name: 'topics', value: topics.billing },
        ]),
      });
      await new Promise((resolve) => setTimeout(resolve, 50));
      const cookieValues = jar
        .header()
        .split('; ')
        .map((c) => c.slice(c.indexOf('=') + 1));
      const lineOf = (id: string) => {
        const found = logLines.filter(
          (l) => l.includes(`"${id}"`) && l.includes('"msg":"request completed"'),
        );
        expect(found, `one request line for ${id}: ${logLines.join('')}`).to.have.length(1);
        return found[0]!;
      };
      for (const id of ['log-test-query-1', 'log-test-reset-2', 'log-test-multipart-3']) {
        const line = lineOf(id);
        expect(line.length, `${id}: a compact line (${line})`).to.be.below(400);
        const entry = JSON.parse(line) as Record<string, unknown>;
        expect(Object.keys(entry)).to.have.members(
          ['level', 'time', 'app', 'reqId', 'method', 'url', 'status', 'ms', 'msg', 'userId'].filter(
            (k) => k !== 'userId' || id !== 'log-test-reset-2',
          ),
        );
        expect(line).to.not.match(/cookie|headers|user-agent|content-security/i);
        expect(line).to.not.include(token).and.not.include('secret-value');
        for (const value of cookieValues) expect(line).to.not.include(value);
      }
      expect(JSON.parse(lineOf('log-test-query-1')).url).to.equal(
        '/posts?_csrf=[redacted]&token=[redacted]&kind=tip',
      );
      expect(JSON.parse(lineOf('log-test-reset-2')).url).to.equal('/password/reset/[redacted]');
      expect(posted.status, posted.text.slice(0, 200)).to.equal(303);
      const multipart = JSON.parse(lineOf('log-test-multipart-3')) as Record<string, unknown>;
      expect(multipart).to.deep.include({ method: 'POST', url: '/posts', status: 303, userId: user.id });
    } finally {
      await app.close();
    }
  });
});
