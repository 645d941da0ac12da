import sharp from 'sharp';
import { Answer } from '../../models/answer.ts';
import { Post } from '../../models/post.ts';
import { User } from '../../models/user.ts';
import { type SessionUser, toSessionUser } from '../auth/session-user.ts';
import type { UploadedFile } from '../posts/attachments.ts';
import type { PostInput } from '../posts/posts.schemas.ts';
import { historyServices } from '../runtime.ts';
import { DEMO_POSTS, type DemoPost } from './demo-content.ts';
import { DEMO_DOMAIN } from './demo-data.ts';
import type { SeedContext } from './seed.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

function escapeXml(text: string): string {
  return text.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c] ?? c);
}

/** A picture that looks like what operators attach: a bill detail or a router screen. */
async function pictureOf(kind: 'bill-image' | 'router-image'): Promise<UploadedFile> {
  const lines =
    kind === 'bill-image'
      ? [
          'Aurora Servizi — Bolletta luce n. 2026/0412',
          'Addebito SDD 12/03   € 87,40',
          'Bollettino pagato 10/03   € 87,40',
          'Totale addebitato   € 174,80',
        ]
      : [
          'Router Aurora FTTH — Wi-Fi',
          'Banda 2,4 GHz   canale: automatico (6)',
          'Banda 5 GHz   canale: 36',
          'Reti rilevate sul canale 6: 31',
        ];
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="900" height="420">
    <rect width="900" height="420" fill="#f6f8f9"/>
    <rect x="20" y="20" width="860" height="70" fill="#0b5d6b"/>
    ${lines.map((l, i) => `<text x="40" y="${i === 0 ? 65 : 160 + i * 60}" font-family="DejaVu Sans, sans-serif" font-size="${i === 0 ? 30 : 28}" fill="${i === 0 ? '#ffffff' : '#1c2429'}">${escapeXml(l)}</text>`).join('')}
  </svg>`;
  const buffer = await sharp(Buffer.from(svg)).png().toBuffer();
  return {
    originalname: kind === 'bill-image' ? 'dettaglio-bolletta.png' : 'pagina-wifi-router.png',
    mimetype: 'image/png',
    buffer,
    size: buffer.length,
  };
}

/** A small, valid one-page PDF with a few lines of text. */
function procedurePdf(): UploadedFile {
  const text = [
    'Procedura: cambio fornitore o cessazione',
    '1. Chiedere se il cliente lascia l immobile.',
    '2. Cambio fornitore: nessuna disdetta.',
    '3. Cessazione: lettura finale e data.',
  ];
  const content = `BT /F1 14 Tf 50 780 Td 18 TL ${text.map((t) => `(${t}) Tj T*`).join(' ')} ET`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${content.length} >>\nstream\n${content}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let pdf = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(pdf.length);
    pdf += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = pdf.length;
  pdf += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  pdf += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  const buffer = Buffer.from(pdf, 'latin1');
  return { originalname: 'procedura-disdetta.pdf', mimetype: 'application/pdf', buffer, size: buffer.length };
}

function ratesCsv(): UploadedFile {
  const buffer = Buffer.from(
    'data_ricezione;data_protocollo;giorni_di_ritardo\n2026-01-04;2026-01-25;21\n2026-01-11;2026-01-29;18\n2026-02-02;2026-02-20;18\n',
    'utf8',
  );
  return { originalname: 'ritardi-protocollo.csv', mimetype: 'text/csv', buffer, size: buffer.length };
}

async function filesFor(post: DemoPost): Promise<UploadedFile[]> {
  const files: UploadedFile[] = [];
  for (const kind of post.attach ?? []) {
    if (kind === 'bill-image' || kind === 'router-image') files.push(await pictureOf(kind));
    else if (kind === 'procedure-pdf') files.push(procedurePdf());
    else files.push(ratesCsv());
  }
  return files;
}

function inputOf(post: DemoPost, topicIds: string[]): PostInput {
  const common = { title: post.title, topics: topicIds, tags: post.tags ?? [] };
  if (post.kind === 'insight') {
    return {
      kind: 'insight',
      ...common,
      situation: post.situation,
      action: post.action,
      outcome: post.outcome,
      channel: post.channel,
    };
  }
  return { kind: post.kind, ...common, body: post.body };
}

/**
 * Writes the demo knowledge through the real services, replaying months of
 * history with a clock: posts, attachments, answers (some accepted),
 * comments, "seen this too", follows and bookmarks. Skipped when posts exist.
 */
export async function seedContent(ctx: SeedContext): Promise<void> {
  if (await Post.exists({})) {
    ctx.report.posts = { created: 0, existing: await Post.estimatedDocumentCount() };
    return;
  }
  let time = new Date();
  const services = historyServices(ctx.runtime, () => time);
  const people = new Map<string, SessionUser>();
  for (const user of await User.find({ active: true }).lean())
    people.set(user.email.split('@')[0]!, toSessionUser(user));
  const person = (handle: string): SessionUser => {
    const found = people.get(handle);
    if (!found) throw new Error(`demo content names an unknown person: ${handle}@${DEMO_DOMAIN}`);
    return found;
  };
  const everyone = [...people.values()];
  const now = Date.now();
  const counts = { posts: 0, answers: 0, comments: 0, confirmations: 0, votes: 0 };

  for (const demo of [...DEMO_POSTS].sort((a, b) => b.daysAgo - a.daysAgo)) {
    const start = now - demo.daysAgo * DAY + ctx.random.int(9, 17) * HOUR - 12 * HOUR;
    time = new Date(start);
    const author = person(demo.by);
    const topicIds = demo.topics.map((slug) => {
      const id = ctx.topics.get(slug);
      if (!id) throw new Error(`demo content names an unknown topic: ${slug}`);
      return String(id);
    });
    const postId = await services.posts.create(author, inputOf(demo, topicIds), await filesFor(demo));
    counts.posts++;

    for (const c of demo.comments ?? []) {
      time = new Date(start + (c.hoursLater ?? ctx.random.int(1, 8)) * HOUR);
      await services.answers.comment('post', postId, person(c.by), c.text);
      counts.comments++;
    }
    if (demo.kind === 'question') {
      for (const a of demo.answers ?? []) {
        time = new Date(start + a.hoursLater * HOUR);
        const answerId = await services.answers.create(postId, person(a.by), a.text);
        counts.answers++;
        if (a.accepted) {
          time = new Date(start + (a.hoursLater + 1) * HOUR);
          await services.answers.accept(answerId, author);
        }
        for (const c of a.comments ?? []) {
          time = new Date(start + (a.hoursLater + (c.hoursLater ?? 2)) * HOUR);
          await services.answers.comment('answer', answerId, person(c.by), c.text);
          counts.comments++;
        }
      }
    }
    // Colleagues vote on insights, tips and answers in the days after they appear.
    const voters = (authorId: string, count: number) =>
      ctx.random.sample(
        everyone.filter((p) => p.id !== authorId),
        count,
      );
    if (demo.kind !== 'question') {
      for (const [i, voter] of voters(author.id, ctx.random.int(1, 6)).entries()) {
        time = new Date(Math.min(now - HOUR, start + (i + 1) * ctx.random.int(2, 40) * HOUR));
        await services.votes.vote(voter, 'post', postId, 1);
        counts.votes++;
      }
    } else {
      for (const answer of await Answer.find({ post: postId }, { _id: 1, author: 1, accepted: 1 }).lean()) {
        const n = ctx.random.int(answer.accepted ? 2 : 0, answer.accepted ? 6 : 3);
        for (const [i, voter] of voters(String(answer.author), n).entries()) {
          time = new Date(Math.min(now - HOUR, start + (i + 3) * ctx.random.int(2, 30) * HOUR));
          await services.votes.vote(
            voter,
            'answer',
            String(answer._id),
            !answer.accepted && ctx.random.chance(0.15) ? -1 : 1,
          );
          counts.votes++;
        }
      }
    }
    if (demo.kind === 'insight' && demo.seen) {
      const colleagues = ctx.random.sample(
        everyone.filter((p) => p.id !== author.id),
        demo.seen,
      );
      for (const [i, colleague] of colleagues.entries()) {
        time = new Date(Math.min(now - HOUR, start + (i + 1) * ctx.random.int(3, 30) * HOUR));
        await services.posts.confirm(postId, colleague);
        counts.confirmations++;
      }
    }
  }

  // Everyone follows a couple of the topics they declared; a few posts are saved for later.
  time = new Date();
  for (const user of await User.find({ active: true }, { topics: 1 }).lean()) {
    const sessionUser = everyone.find((p) => p.id === String(user._id));
    if (!sessionUser) continue;
    for (const topic of ctx.random.sample(user.topics, 2))
      await services.topics.follow(sessionUser, 'topic', String(topic), true);
  }
  const posts = await Post.find({}, { _id: 1, author: 1 }).lean();
  for (const user of ctx.random.sample(everyone, 12)) {
    for (const post of ctx.random.sample(
      posts.filter((p) => String(p.author) !== user.id),
      2,
    )) {
      await services.posts.setBookmark(String(post._id), user, true);
    }
  }
  ctx.report.posts = { created: counts.posts, existing: 0 };
  ctx.report.answers = { created: counts.answers, existing: 0 };
  ctx.report.comments = { created: counts.comments, existing: 0 };
  ctx.report.confirmations = { created: counts.confirmations, existing: 0 };
  ctx.report.votes = { created: counts.votes, existing: 0 };
}
