import { expect } from 'chai';
import { Types } from 'mongoose';
import sharp from 'sharp';
import { KbArticle } from '../../../models/kb-article.ts';
import { csrfToken, useTestApp } from '../../helpers/app.ts';
import { createUser, signedIn } from '../../helpers/users.ts';

async function article(number: number, title: string, state: 'published' | 'review' = 'published') {
  await KbArticle.create({
    number,
    title,
    problem: 'Problema',
    resolution: 'Soluzione',
    topics: [],
    state,
    createdBy: new Types.ObjectId(),
  });
}

/** The writing toolbar's calls: preview, @ and KB- suggestions, pictures pasted into a text. */
describe('editor: preview, suggestions and pasted pictures', function () {
  this.timeout(60_000);
  const t = useTestApp({ env: { UPLOADS_PER_MINUTE: '3' } });
  let agent: Awaited<ReturnType<typeof signedIn>>['agent'];
  let token: string;
  let sara: Awaited<ReturnType<typeof createUser>>;

  before(async () => {
    ({ agent } = await signedIn(t));
    token = await csrfToken(agent, '/posts/new?kind=tip');
    sara = await createUser({ displayName: 'Sara Bellini', email: 'sara.bellini@example.test' });
    await createUser({ displayName: 'Marco Saraceni', email: 'm.saraceni@example.test' });
    await createUser({ displayName: 'Élodie Sarà', email: 'elodie@example.test' });
    await createUser({ displayName: 'Anna Cesarani', email: 'anna.c@example.test' });
    await createUser({ displayName: 'Sara Andata', email: 'sara.andata@example.test', active: false });
    await article(12, 'Rimborso della bolletta doppia');
    await article(120, 'Cambio di intestatario');
    await article(7, 'Addebito SDD respinto');
    await article(13, 'Bozza in revisione: rimborso', 'review');
  });

  /** Sends a picture as the editor does (token first, then the file). */
  const sendImage = (data: Buffer, filename: string, contentType: string) =>
    agent
      .post('/api/editor/images')
      .set('Accept', 'application/json')
      .field('_csrf', token)
      .attach('image', data, { filename, contentType });

  it('previews markdown through the published pipeline: sanitized, mentions and articles linked', async () => {
    const text =
      '**Grassetto** per @sara.bellini, vedi KB-12. <script>alert(1)</script> [x](javascript:alert(1))';
    const res = await agent
      .post('/api/editor/preview')
      .set('X-CSRF-Token', token)
      .set('Accept', 'application/json')
      .send({ text });
    expect(res.status).to.equal(200);
    const html = res.body.html as string;
    expect(html).to.include('<strong>Grassetto</strong>');
    expect(html).to.match(
      new RegExp(`<a href="/people/${sara.id}"[^>]*class="mention"[^>]*>@sara.bellini</a>`),
    );
    expect(html).to.match(/<a href="\/kb\/12"[^>]*>KB-12<\/a>/);
    expect(html).not.to.include('<script');
    expect(html).not.to.match(/href="javascript/i);
  });

  it('refuses a preview without the CSRF token, a text too long, and someone signed out', async () => {
    const noToken = await agent
      .post('/api/editor/preview')
      .set('Accept', 'application/json')
      .send({ text: 'x' });
    expect(noToken.status).to.equal(403);
    const long = await agent
      .post('/api/editor/preview')
      .set('X-CSRF-Token', token)
      .set('Accept', 'application/json')
      .send({ text: 'x'.repeat(30_001) });
    expect(long.status).to.equal(422);
    const wrongType = await agent
      .post('/api/editor/preview')
      .set('X-CSRF-Token', token)
      .set('Accept', 'application/json')
      .send({ text: { $gt: '' } });
    expect(wrongType.status).to.equal(422);
    const anonymous = await t.agent().get('/api/editor/people?q=sara').set('Accept', 'application/json');
    expect(anonymous.status).to.equal(401);
  });

  it('suggests active colleagues by handle or name, accents folded, starts first', async () => {
    const res = await agent.get('/api/editor/people?q=sara').set('Accept', 'application/json');
    expect(res.status).to.equal(200);
    const names = (res.body.items as Array<{ displayName: string }>).map((p) => p.displayName);
    // Starts of a handle or a word first (by name), then names containing it; never inactive people.
    expect(names).to.deep.equal(['Élodie Sarà', 'Marco Saraceni', 'Sara Bellini', 'Anna Cesarani']);
    const [elodie] = res.body.items as Array<Record<string, unknown>>;
    expect(elodie).to.include({ handle: 'elodie', displayName: 'Élodie Sarà' });
    expect(Object.keys(elodie!)).not.to.include('email');
    const byHandle = await agent.get('/api/editor/people?q=m.sar').set('Accept', 'application/json');
    expect(byHandle.body.items.map((p: { handle: string }) => p.handle)).to.deep.equal(['m.saraceni']);
    const none = await agent.get('/api/editor/people?q=').set('Accept', 'application/json');
    expect(none.body.items).to.deep.equal([]);
    const regex = await agent
      .get(`/api/editor/people?q=${encodeURIComponent('.*(')}`)
      .set('Accept', 'application/json');
    expect(regex.status).to.equal(200);
    expect(regex.body.items).to.deep.equal([]);
  });

  it('suggests published articles by the start of their number or words of their title', async () => {
    const numbers = async (q: string) => {
      const res = await agent
        .get(`/api/editor/articles?q=${encodeURIComponent(q)}`)
        .set('Accept', 'application/json');
      expect(res.status).to.equal(200);
      return (res.body.items as Array<{ number: number }>).map((a) => a.number);
    };
    expect(await numbers('12')).to.deep.equal([12, 120]);
    expect(await numbers('KB-1')).to.deep.equal([12, 120]);
    expect(await numbers('rimborso')).to.deep.equal([12]);
    expect(await numbers('BOLLETTA rimb')).to.deep.equal([12]);
    expect(await numbers('addébito')).to.deep.equal([7]);
    expect(await numbers('nothing-like-this')).to.deep.equal([]);
  });

  it('stores a pasted picture without its metadata and gives the markdown that shows it', async () => {
    const png = await sharp({ create: { width: 40, height: 30, channels: 3, background: '#c33' } })
      .png()
      .withMetadata({ exif: { IFD0: { Copyright: 'SECRET-MARKER' } } })
      .toBuffer();
    const res = await sendImage(png, 'screenshot 1.png', 'image/png');
    expect(res.status, res.text).to.equal(201);
    expect(res.body.markdown).to.match(/^!\[screenshot 1\]\(\/attachments\/[0-9a-f]{24}\/[^)]+\.png\)$/);
    const file = await agent.get(res.body.url);
    expect(file.status).to.equal(200);
    expect(file.headers['content-type']).to.equal('image/png');
    expect(Buffer.from(file.body).includes('SECRET-MARKER')).to.equal(false);
    // The markdown shows it once the text is published (own uploads only).
    const preview = await agent
      .post('/api/editor/preview')
      .set('X-CSRF-Token', token)
      .set('Accept', 'application/json')
      .send({ text: res.body.markdown });
    expect(preview.body.html).to.include(`<img src="${res.body.url}" alt="screenshot 1"`);
  });

  it('refuses what is not a picture, naming the file, a picture that is not one, and too many a minute', async () => {
    const pdf = await sendImage(Buffer.from('%PDF-1.4\n%%EOF\n'), 'fattura.pdf', 'application/pdf');
    expect(pdf.status).to.equal(422);
    expect(pdf.body.error.fields.image).to.include('fattura.pdf');
    const fake = await sendImage(
      Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>x</script></svg>'),
      'logo.png',
      'image/png',
    );
    expect(fake.status).to.equal(422);
    const noFile = await agent
      .post('/api/editor/images')
      .set('Accept', 'application/json')
      .field('_csrf', token);
    expect(noFile.status).to.equal(422);
    const noToken = await agent
      .post('/api/editor/images')
      .set('Accept', 'application/json')
      .attach('image', Buffer.from('x'), { filename: 'a.png', contentType: 'image/png' });
    expect(noToken.status).to.equal(403);
    // UPLOADS_PER_MINUTE=3: one stored above, then two more, then 429.
    const png = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#000' } })
      .png()
      .toBuffer();
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await sendImage(png, `p${i}.png`, 'image/png');
      statuses.push(res.status);
    }
    expect(statuses).to.deep.equal([201, 201, 429]);
  });

  it('puts the toolbar around every text of the post, answer and KB forms, in both languages', async () => {
    for (const locale of ['it', 'en'] as const) {
      const { agent: person } = await signedIn(t, ['operator', 'knowledge_manager'], { locale });
      for (const path of ['/posts/new?kind=tip', '/posts/new?kind=insight', '/kb/new']) {
        const page = await person.get(path);
        expect(page.status, path).to.equal(200);
        const textareas = (page.text.match(/<textarea /g) ?? []).length;
        const editors = (page.text.match(/data-editor>/g) ?? []).length;
        expect(editors, `${locale} ${path}`).to.equal(textareas);
        expect(page.text).to.include(locale === 'it' ? 'aria-label="Grassetto"' : 'aria-label="Bold"');
      }
    }
  });
});
