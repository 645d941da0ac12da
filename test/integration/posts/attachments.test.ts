import { deflateSync } from 'node:zlib';
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

/** A PDF with these objects after its catalog (object 1), and `extra` in the catalog. */
function pdfWith(extra: string, objects: Array<string | Buffer> = []): Buffer {
  const parts: Buffer[] = [Buffer.from('%PDF-1.7\n', 'latin1')];
  const all = [
    `<< /Type /Catalog /Pages 2 0 R ${extra} >>`,
    '<< /Type /Pages /Kids [] /Count 0 >>',
    ...objects,
  ];
  all.forEach((body, i) => {
    parts.push(
      Buffer.from(`${i + 1} 0 obj\n`, 'latin1'),
      Buffer.isBuffer(body) ? body : Buffer.from(body, 'latin1'),
    );
    parts.push(Buffer.from('\nendobj\n', 'latin1'));
  });
  parts.push(Buffer.from('trailer\n<< /Root 1 0 R >>\n%%EOF\n', 'latin1'));
  return Buffer.concat(parts);
}

/** An object stream (PDF 1.5+), compressed, holding `object` as object 3. */
function objectStream(object: string, dictionary = ''): Buffer {
  const header = '3 0 ';
  const data = deflateSync(Buffer.from(header + object, 'latin1'));
  return Buffer.concat([
    Buffer.from(
      `<< /Type /ObjStm /N 1 /First ${header.length} /Filter /FlateDecode /Length ${data.length} ${dictionary}>>\nstream\n`,
      'latin1',
    ),
    data,
    Buffer.from('\nendstream', 'latin1'),
  ]);
}

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
    expect(original.headers['content-disposition']).to.equal(
      "inline; filename=foto-bolletta.jpg; filename*=UTF-8''foto%20bolletta.jpg",
    );
    expect(original.headers['content-security-policy']).to.include('sandbox');
    expect((original.body as Buffer).includes(Buffer.from('LEAKED-GPS-MARKER'))).to.equal(false);
    expect((await sharp(original.body as Buffer).metadata()).exif).to.equal(undefined);
    const thumb = await agent
      .get(`/attachments/${image?.thumbId}/thumb-foto-bolletta.jpg.webp`)
      .buffer(true)
      .expect(200);
    const thumbMeta = await sharp(thumb.body as Buffer).metadata();
    expect(thumbMeta.format).to.equal('webp');
    expect(Math.max(thumbMeta.width ?? 0, thumbMeta.height ?? 0)).to.equal(640);

    const text = content!.attachments[2]!;
    const download = await agent.get(`/attachments/${text.fileId}/${text.filename}`).expect(200);
    expect(download.headers['content-type']).to.equal('text/csv; charset=utf-8');
    expect(download.headers['content-disposition']).to.match(/^attachment;/);

    const page = await agent.get(`/posts/${id}`).expect(200);
    expect(page.text).to.include(`/attachments/${image?.thumbId}/thumb-foto-bolletta.jpg.webp`);
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

  it('refuses text sent under the name or type of another kind, and markup under any name', async () => {
    const { agent } = await signedIn(t);
    const token = await csrfToken(agent, '/posts/new?kind=tip');
    const storedFiles = () => mongoose.connection.db!.collection('uploads.files').countDocuments();
    const filesBefore = await storedFiles();
    const postsBefore = await Post.countDocuments();
    const refused = async (data: Buffer, filename: string, contentType?: string) => {
      const res = await postWith(agent, token, 'Un allegato che dice di essere altro')
        .attach('attachments', data, contentType ? { filename, contentType } : { filename })
        .expect(422);
      return String(res.body.error.fields.attachments);
    };
    const invoice = Buffer.from('Fattura n. 12\nImporto: 30 EUR\n');
    expect(await refused(invoice, 'invoice.png')).to.equal(
      'invoice.png è un testo semplice, ma il nome non lo dice: deve finire con .txt, .text, .csv, .tsv, .log, .md.',
    );
    const page = Buffer.from('<!doctype html><html><body><script>alert(1)</script></body></html>');
    expect(await refused(page, 'invoice.png')).to.include(
      'invoice.png è una pagina web o un documento SVG/XML',
    );
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>');
    expect(await refused(svg, 'disegno.txt', 'text/plain')).to.include('disegno.txt è una pagina web');
    const csv = Buffer.from('a;b\n1;2\n3;4\n');
    expect(await refused(csv, 'dati.csv', 'application/octet-stream')).to.include(
      'dati.csv è un testo semplice, ma è stato inviato come application/octet-stream',
    );
    expect(await refused(await photo(40, 30), 'foto.txt', 'text/plain')).to.include(
      "foto.txt è un'immagine, ma il nome non lo dice",
    );
    expect(await refused(PDF, 'procedura.txt', 'text/plain')).to.include('procedura.txt è un PDF');
    expect(await Post.countDocuments()).to.equal(postsBefore);
    expect(await storedFiles(), 'nothing stored for refused uploads').to.equal(filesBefore);
  });

  it('names every refused file with its reason, on the form again with what was typed, in both languages', async () => {
    for (const [locale, expected] of [
      [
        'it',
        [
          '3 file non sono stati accettati:',
          'fattura.png è un testo semplice, ma il nome non lo dice',
          'vuoto.pdf è vuoto.',
          'pagina.txt è una pagina web o un documento SVG/XML',
        ],
      ],
      [
        'en',
        [
          '3 files were not accepted:',
          'fattura.png is plain text, but its name does not say so',
          'vuoto.pdf is empty.',
          'pagina.txt is a web page or an SVG/XML document',
        ],
      ],
    ] as const) {
      const { agent } = await signedIn(t, ['operator'], { locale });
      const token = await csrfToken(agent, '/posts/new?kind=tip');
      const postsBefore = await Post.countDocuments();
      const back = await agent
        .post('/posts')
        .set('Host', 'passaparola.test')
        .set('Referer', 'http://passaparola.test/posts/new?kind=tip')
        .field('_csrf', token)
        .field('kind', 'tip')
        .field('title', 'Titolo scritto con cura da non perdere')
        .field('body', 'Un testo lungo che la persona ha scritto.')
        .field('topics', topics.billing)
        .attach('attachments', Buffer.from('solo testo\n'), { filename: 'fattura.png' })
        .attach('attachments', PDF, { filename: 'buono.pdf' })
        .attach('attachments', Buffer.alloc(0), { filename: 'vuoto.pdf' })
        .attach('attachments', Buffer.from('<html><body>x</body></html>'), { filename: 'pagina.txt' })
        .redirects(0)
        .expect(303);
      expect(back.headers.location).to.equal('/posts/new?kind=tip');
      const form = await agent.get('/posts/new?kind=tip').expect(200);
      const error = /<p class="field-error" id="field-attachments-error">([\s\S]*?)<\/p>/.exec(
        form.text,
      )?.[1];
      for (const part of expected) expect(error, locale).to.include(part.replace(/'/g, '&#x27;'));
      expect(error).not.to.include('buono.pdf');
      expect(form.text).to.include('value="Titolo scritto con cura da non perdere"');
      expect(form.text).to.include('Un testo lungo che la persona ha scritto.');
      expect(await Post.countDocuments()).to.equal(postsBefore);
    }
  });

  it('an edit with a refused file comes back with the new text and the reason, the files kept', async () => {
    const { agent } = await signedIn(t);
    const token = await csrfToken(agent, '/posts/new?kind=tip');
    const res = await postWith(agent, token, 'Un post da modificare dopo')
      .attach('attachments', PDF, { filename: 'Guida è breve.pdf' })
      .redirects(0)
      .expect(303);
    const id = String(res.headers.location).split('/').pop()!;
    const back = await agent
      .post(`/posts/${id}/edit`)
      .set('Host', 'passaparola.test')
      .set('Referer', `http://passaparola.test/posts/${id}/edit`)
      .field('_csrf', token)
      .field('title', 'Un post da modificare dopo')
      .field('body', 'Il testo nuovo che non deve perdersi.')
      .field('topics', topics.billing)
      .attach('attachments', Buffer.from('<svg onload="alert(1)"/>'), { filename: 'logo.png' })
      .redirects(0)
      .expect(303);
    expect(back.headers.location).to.equal(`/posts/${id}/edit`);
    const form = await agent.get(`/posts/${id}/edit`).expect(200);
    expect(form.text).to.include('logo.png è una pagina web o un documento SVG/XML');
    expect(form.text).to.include('Il testo nuovo che non deve perdersi.');
    expect(form.text).to.include('Guida è breve.pdf');
    expect((await PostContent.findById(id).lean())!.attachments).to.have.length(1);
  });

  it('refuses PDFs that run JavaScript or act when opened, wherever the PDF hides it', async () => {
    const { agent } = await signedIn(t);
    const token = await csrfToken(agent, '/posts/new?kind=tip');
    const postsBefore = await Post.countDocuments();
    const refused = async (data: Buffer, filename: string) => {
      const res = await postWith(agent, token, 'Un PDF che fa qualcosa da solo')
        .attach('attachments', data, { filename })
        .expect(422);
      return String(res.body.error.fields.attachments);
    };
    const active = 'contiene JavaScript o azioni che partono';
    expect(
      await refused(pdfWith('/OpenAction << /S /JavaScript /JS (app.alert(1)) >>'), 'apri.pdf'),
    ).to.equal(
      "apri.pdf contiene JavaScript o azioni che partono all'apertura: questi PDF non sono accettati. Stampalo in un nuovo PDF e allega quello.",
    );
    expect(await refused(pdfWith('/Names << /J#61vaScript 3 0 R >>'), 'nomi.pdf')).to.include(active);
    expect(await refused(pdfWith('/AA << /O 3 0 R >>'), 'pagina.pdf')).to.include(active);
    const hidden = objectStream('<< /S /Launch /F (calc.exe) >>');
    expect(await refused(pdfWith('/OpenAction 3 0 R', [hidden]), 'compresso.pdf')).to.include(active);
    const sealed = pdfWith('/Encrypt 4 0 R', [objectStream('<< /Producer (x) >>')]);
    expect(await refused(sealed, 'cifrato.pdf')).to.include(
      'Non è stato possibile controllare se cifrato.pdf',
    );
    expect(await Post.countDocuments()).to.equal(postsBefore);

    // A compressed object stream without actions is fine.
    const quiet = pdfWith('', [objectStream('<< /Producer (Ufficio) >>')]);
    await postWith(agent, token, 'Un PDF tranquillo con oggetti compressi')
      .attach('attachments', quiet, { filename: 'tranquillo.pdf' })
      .redirects(0)
      .expect(303);
  });

  it('serves a file only under its stored name, PDFs always as downloads, with the UTF-8 name (RFC 6266)', async () => {
    const { agent } = await signedIn(t);
    const token = await csrfToken(agent, '/posts/new?kind=tip');
    const res = await postWith(agent, token, 'Allegati con nomi accentati')
      .attach('attachments', PDF, { filename: 'Fattura n°12 — cliente è.pdf' })
      .attach('attachments', await photo(64, 48), { filename: 'città.png' })
      .redirects(0)
      .expect(303);
    const id = String(res.headers.location).split('/').pop()!;
    const [pdf, image] = (await PostContent.findById(id).lean())!.attachments;
    expect(pdf?.filename).to.equal('Fattura-n-12-cliente-e.pdf');

    const download = await agent.get(`/attachments/${pdf?.fileId}/${pdf?.filename}`).buffer(true).expect(200);
    expect(download.headers['content-type']).to.equal('application/pdf');
    expect(download.headers['content-disposition']).to.equal(
      "attachment; filename=Fattura-n-12-cliente-e.pdf; filename*=UTF-8''Fattura%20n%C2%B012%20%E2%80%94%20cliente%20%C3%A8.pdf",
    );
    const picture = await agent
      .get(`/attachments/${image?.fileId}/${image?.filename}`)
      .buffer(true)
      .expect(200);
    expect(picture.headers['content-disposition']).to.equal(
      // A JPEG named .png is a picture named as one: kept, under the extension of what it is.
      "inline; filename=citta.jpg; filename*=UTF-8''citt%C3%A0.jpg",
    );

    // Another name, or no name, is not the file.
    await agent.get(`/attachments/${pdf?.fileId}/invoice.html`).expect(404);
    await agent.get(`/attachments/${pdf?.fileId}/${pdf?.filename}x`).expect(404);
    await agent.get(`/attachments/${pdf?.fileId}/FATTURA-N-12-CLIENTE-E.PDF`).expect(404);
    await agent.get(`/attachments/${image?.thumbId}/thumb.webp`).expect(404);
    await agent.get(`/attachments/${image?.thumbId}/thumb-${image?.filename}.webp`).expect(200);

    const page = await agent.get(`/posts/${id}`).expect(200);
    expect(page.text).to.include('>Fattura n°12 — cliente è.pdf</a>');
    expect(page.text).to.include(`href="/attachments/${pdf?.fileId}/${pdf?.filename}" download`);
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
    const seen = await colleague.get(`/attachments/${file.fileId}/${file.filename}`).expect(200);
    expect(seen.headers['content-disposition']).to.equal('attachment; filename=riservato.pdf');
    await author.agent.post(`/posts/${id}/delete`).type('form').send({ _csrf: token }).expect(303);
    await colleague.get(`/attachments/${file.fileId}/${file.filename}`).expect(403);
    await author.agent.get(`/attachments/${file.fileId}/${file.filename}`).expect(200);
    await colleague.get('/attachments/0123456789abcdef01234567/x.pdf').expect(404);
  });
});
