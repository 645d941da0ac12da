import { expect } from 'chai';
import mongoose from 'mongoose';
import sharp from 'sharp';
import { Post } from '../../../models/post.ts';
import { PostContent } from '../../../models/post-content.ts';
import { csrfToken, useTestApp } from '../../helpers/app.ts';
import { createTopics } from '../../helpers/content.ts';
import { signedIn } from '../../helpers/users.ts';

async function photo(width = 1600, height = 1200): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: '#3a7ca5' } })
    .jpeg()
    .withExif({ IFD0: { Copyright: 'LEAKED-GPS-MARKER', ImageDescription: 'home address' } })
    .toBuffer();
}

const PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n',
  'latin1',
);

/** A tiny valid WAV file (silence). */
function wav(): Buffer {
  const samples = 800;
  const buffer = Buffer.alloc(44 + samples * 2);
  buffer.write('RIFF', 0);
  buffer.writeUInt32LE(36 + samples * 2, 4);
  buffer.write('WAVE', 8);
  buffer.write('fmt ', 12);
  buffer.writeUInt32LE(16, 16);
  buffer.writeUInt16LE(1, 20);
  buffer.writeUInt16LE(1, 22);
  buffer.writeUInt32LE(8000, 24);
  buffer.writeUInt32LE(16000, 28);
  buffer.writeUInt16LE(2, 32);
  buffer.writeUInt16LE(16, 34);
  buffer.write('data', 36);
  buffer.writeUInt32LE(samples * 2, 40);
  return buffer;
}

describe('attachments', function () {
  this.timeout(60_000);
  const t = useTestApp({
    env: {
      POST_INTERVAL_SECONDS: '0',
      DUPLICATE_POST_MINUTES: '0',
      ATTACHMENT_MAX_BYTES: '400000',
      POST_ATTACHMENTS_MAX_BYTES: '700000',
      POST_MAX_FILES: '4',
      UPLOADS_PER_MINUTE: '10',
    },
  });
  let topics: Awaited<ReturnType<typeof createTopics>>;

  before(async () => {
    topics = await createTopics();
  });

  function postWith(agent: Awaited<ReturnType<typeof signedIn>>['agent'], token: string, title: string) {
    return agent
      .post('/posts')
      .field('_csrf', token)
      .set('Accept', 'application/json')
      .field('kind', 'tip')
      .field('title', title)
      .field('body', 'Vedi allegati.')
      .field('topics', topics.billing);
  }

  it('stores pictures without metadata, with a thumbnail, and PDF, text, CSV and audio as they are', async () => {
    const { agent } = await signedIn(t);
    const token = await csrfToken(agent, '/posts/new?kind=tip');
    const res = await postWith(agent, token, 'Allegati di ogni tipo consentito')
      .attach('attachments', await photo(), { filename: 'foto bolletta.JPG' })
      .attach('attachments', PDF, { filename: 'procedura.pdf' })
      .attach('attachments', Buffer.from('colonna;valore\nA;1\nB;2\nC;3\n'), { filename: 'dati.txt' })
      .attach('attachments', wav(), { filename: 'messaggio.wav' })
      .redirects(0)
      .expect(303);
    const id = String(res.headers.location).split('/').pop()!;
    const content = await PostContent.findById(id).lean();
    const kinds = content!.attachments.map((a) => `${a.kind}:${a.contentType}`);
    expect(kinds).to.deep.equal([
      'image:image/jpeg',
      'pdf:application/pdf',
      'text:text/csv',
      'audio:audio/wav',
    ]);
    expect((await Post.findById(id).lean())?.hasImage).to.equal(true);
    const [image] = content!.attachments;
    expect(image?.filename).to.equal('foto-bolletta.jpg');
    expect([image?.width, image?.height]).to.deep.equal([1600, 1200]);

    const original = await agent
      .get(`/attachments/${image?.fileId}/${image?.filename}`)
      .buffer(true)
      .expect(200);
    expect(original.headers['content-type']).to.equal('image/jpeg');
    expect(original.headers['x-content-type-options']).to.equal('nosniff');
    expect(original.headers['content-disposition']).to.equal('inline; filename="foto-bolletta.jpg"');
    expect(original.headers['content-security-policy']).to.include('sandbox');
    expect((original.body as Buffer).includes(Buffer.from('LEAKED-GPS-MARKER'))).to.equal(false);
    expect((await sharp(original.body as Buffer).metadata()).exif).to.equal(undefined);
    const thumb = await agent.get(`/attachments/${image?.thumbId}/thumb.webp`).buffer(true).expect(200);
    const thumbMeta = await sharp(thumb.body as Buffer).metadata();
    expect(thumbMeta.format).to.equal('webp');
    expect(Math.max(thumbMeta.width ?? 0, thumbMeta.height ?? 0)).to.equal(640);

    const text = content!.attachments[2]!;
    const download = await agent.get(`/attachments/${text.fileId}/${text.filename}`).expect(200);
    expect(download.headers['content-type']).to.equal('text/csv; charset=utf-8');
    expect(download.headers['content-disposition']).to.match(/^attachment;/);

    const page = await agent.get(`/posts/${id}`).expect(200);
    expect(page.text).to.include(`/attachments/${image?.thumbId}/thumb.webp`);
    expect(page.text).to.include('<audio controls');
    expect(page.text).to.include('procedura.pdf');
    // Files are for signed-in people only.
    await t.request().get(`/attachments/${image?.fileId}/x.jpg`).redirects(0).expect(303);
  });

  it('decides the type by content: a script named .png is refused and nothing is created', async () => {
    const { agent } = await signedIn(t);
    const token = await csrfToken(agent, '/posts/new?kind=tip');
    const before = await Post.countDocuments();
    const res = await postWith(agent, token, 'Un file che finge di essere immagine')
      .attach(
        'attachments',
        Buffer.from('<svg onload=alert(1)><script>alert(1)</script></svg>\u0000\u0001'),
        { filename: 'foto.png', contentType: 'image/png' },
      )
      .expect(422);
    expect(res.body.error.fields.attachments).to.include('foto.png');
    const exe = await postWith(agent, token, 'Un eseguibile travestito da PDF')
      .attach('attachments', Buffer.concat([Buffer.from('MZ'), Buffer.alloc(200, 1)]), {
        filename: 'doc.pdf',
        contentType: 'application/pdf',
      })
      .expect(422);
    expect(exe.body.error.fields.attachments).to.include('decide il contenuto');
    expect(await Post.countDocuments()).to.equal(before);
  });

  it('refuses oversize files, too many files and too much in all, before storing anything', async () => {
    const { agent } = await signedIn(t);
    const token = await csrfToken(agent, '/posts/new?kind=tip');
    const storedFiles = () => mongoose.connection.db!.collection('uploads.files').countDocuments();
    const filesBefore = await storedFiles();
    const big = Buffer.alloc(450_000, 65);
    const tooBig = await postWith(agent, token, 'Un file troppo grande per noi')
      .attach('attachments', big, { filename: 'grande.txt' })
      .expect(413);
    expect(tooBig.body.error.fields.attachments).to.include('supera 0.4 MB');
    const many = postWith(agent, token, 'Troppi file insieme in un post');
    for (let i = 0; i < 5; i++)
      many.attach('attachments', Buffer.from(`riga ${i}\n`), { filename: `f${i}.txt` });
    expect((await many.expect(413)).body.error.fields.attachments).to.include('Al massimo 4 file');
    const total = postWith(agent, token, 'Troppi byte in tutto nel post');
    for (let i = 0; i < 2; i++)
      total.attach('attachments', Buffer.alloc(380_000, 66 + i), { filename: `parte${i}.txt` });
    expect((await total.expect(413)).body.error.fields.attachments).to.include('superano in tutto 0.7 MB');
    expect(await storedFiles(), 'nothing stored for refused uploads').to.equal(filesBefore);
  });

  it('limits uploads to about ten a minute per person', async () => {
    const { agent } = await signedIn(t);
    const token = await csrfToken(agent, '/posts/new?kind=tip');
    for (let round = 0; round < 2; round++) {
      const req = postWith(agent, token, `Caricamento numero ${round} di file`);
      for (let i = 0; i < 4; i++)
        req.attach('attachments', Buffer.from(`testo ${round}-${i}\n`), { filename: `n${i}.txt` });
      await req.redirects(0).expect(303);
    }
    const third = postWith(agent, token, 'Il terzo caricamento supera la quota');
    for (let i = 0; i < 4; i++)
      third.attach('attachments', Buffer.from(`altro ${i}\n`), { filename: `m${i}.txt` });
    const refused = await third.expect(429);
    expect(refused.body.error.message).to.include('al massimo 10 al minuto');
  });

  it('hides the files of a deleted post from colleagues', async () => {
    const author = await signedIn(t);
    const token = await csrfToken(author.agent, '/posts/new?kind=tip');
    const res = await postWith(author.agent, token, 'Post con allegato poi eliminato')
      .attach('attachments', PDF, { filename: 'riservato.pdf' })
      .redirects(0)
      .expect(303);
    const id = String(res.headers.location).split('/').pop()!;
    const file = (await PostContent.findById(id).lean())!.attachments[0]!;
    const { agent: colleague } = await signedIn(t);
    await colleague.get(`/attachments/${file.fileId}/${file.filename}`).expect(200);
    await author.agent.post(`/posts/${id}/delete`).type('form').send({ _csrf: token }).expect(303);
    await colleague.get(`/attachments/${file.fileId}/${file.filename}`).expect(403);
    await author.agent.get(`/attachments/${file.fileId}/${file.filename}`).expect(200);
    await colleague.get('/attachments/0123456789abcdef01234567/x.pdf').expect(404);
  });
});
