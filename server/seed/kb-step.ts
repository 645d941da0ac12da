import { Answer } from '../../models/answer.ts';
import { KbArticle } from '../../models/kb-article.ts';
import { KbFlag } from '../../models/kb-feedback.ts';
import { Post } from '../../models/post.ts';
import { User } from '../../models/user.ts';
import { type SessionUser, toSessionUser } from '../auth/session-user.ts';
import { historyServices } from '../runtime.ts';
import type { SeedContext } from './seed.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

interface Promotion {
  /** Title of the seeded post to promote. */
  title: string;
  /** Promote its accepted answer rather than the post. */
  answer?: boolean;
  daysAfter: number;
  to: 'draft' | 'review' | 'published' | 'archived';
  edit?: { cause?: string; note: string };
  /** Readers' feedback after publishing: [helpful, comment]. */
  feedback?: Array<[boolean, string]>;
  flag?: {
    kind: 'outdated' | 'incorrect' | 'unclear' | 'other';
    comment: string;
    resolve?: 'fixed' | 'declined';
  };
  overdue?: boolean;
}

const PROMOTIONS: Promotion[] = [
  {
    title: 'Doppio addebito dopo il passaggio all’addebito diretto SDD',
    daysAfter: 3,
    to: 'published',
    edit: {
      cause:
        'Il mandato SDD parte dal ciclo successivo all’attivazione: la bolletta già emessa arriva anche con bollettino.',
      note: 'Aggiunta la causa',
    },
    feedback: [
      [true, 'Usato oggi, il cliente ha capito subito.'],
      [true, ''],
      [true, ''],
      [false, 'Manca cosa fare se il cliente ha pagato con carta.'],
    ],
    flag: {
      kind: 'unclear',
      comment: 'Specificare i tempi del rimborso per i clienti business.',
      resolve: 'fixed',
    },
  },
  {
    title: 'Fibra lenta solo la sera: canale Wi‑Fi saturo, non la linea',
    daysAfter: 4,
    to: 'published',
    feedback: [
      [true, ''],
      [true, 'Funziona anche con i ripetitori.'],
    ],
  },
  {
    title: 'Portabilità bloccata: controllare il codice di migrazione prima di tutto',
    daysAfter: 6,
    to: 'published',
    overdue: true,
    feedback: [[true, '']],
    flag: { kind: 'outdated', comment: 'Dal mese scorso il codice ha 18 caratteri, non 16.' },
  },
  {
    title: 'How do we handle a chargeback on a card that was already blocked?',
    daysAfter: 2,
    to: 'published',
    feedback: [[true, 'Clear steps.']],
  },
  {
    title: 'Voltura con subentro: la lettura del contatore va chiesta il giorno stesso',
    daysAfter: 5,
    to: 'review',
  },
  {
    title: 'Gas: lettura stimata molto più alta del reale, posso annullare la bolletta?',
    answer: true,
    daysAfter: 3,
    to: 'draft',
  },
  {
    title: 'Roaming charges after a cruise: the ship network is not EU roaming',
    daysAfter: 8,
    to: 'archived',
  },
];

/**
 * Votes on the seeded posts and answers, then knowledge-base articles in every
 * state: promoted from the seeded content, edited (revisions), published,
 * rated helpful or not, flagged, cited in later answers, one past its review
 * date. Skipped when articles exist.
 */
export async function seedKnowledgeBase(ctx: SeedContext): Promise<void> {
  if (await KbArticle.exists({})) {
    ctx.report.articles = { created: 0, existing: await KbArticle.estimatedDocumentCount() };
    return;
  }
  let time = new Date();
  const services = historyServices(ctx.runtime, () => time);
  const people = (await User.find({ active: true }).lean()).map((u) => toSessionUser(u));
  const byEmail = new Map(people.map((p) => [p.email.split('@')[0]!, p]));
  const km = byEmail.get('giulia.romano')!;
  const now = Date.now();
  const at = (ms: number) => new Date(Math.min(now - HOUR, ms));

  // Votes: colleagues find insights, tips and answers useful (a few do not).
  let votes = 0;
  const posts = await Post.find({ deleted: null }).sort({ createdAt: 1 }).lean();
  for (const post of posts) {
    const voters = ctx.random.sample(
      people.filter((p) => p.id !== String(post.author)),
      ctx.random.int(2, 12),
    );
    if (post.kind !== 'question') {
      for (const [i, voter] of voters.entries()) {
        time = at(post.createdAt.getTime() + (i + 1) * ctx.random.int(2, 20) * HOUR);
        await services.votes.vote(voter, 'post', String(post._id), ctx.random.chance(0.9) ? 1 : -1);
        votes++;
      }
    }
    for (const answer of await Answer.find({ post: post._id, deleted: null }).lean()) {
      for (const [i, voter] of voters
        .filter((v) => v.id !== String(answer.author))
        .slice(0, ctx.random.int(1, 8))
        .entries()) {
        time = at(answer.createdAt.getTime() + (i + 1) * ctx.random.int(1, 12) * HOUR);
        await services.votes.vote(voter, 'answer', String(answer._id), ctx.random.chance(0.85) ? 1 : -1);
        votes++;
      }
    }
  }

  let articles = 0;
  const published: Array<{ number: number; start: number }> = [];
  for (const promotion of PROMOTIONS) {
    const post = await Post.findOne({ title: promotion.title }).lean();
    if (!post) throw new Error(`seed: no post titled ${promotion.title}`);
    const start = post.createdAt.getTime() + promotion.daysAfter * DAY;
    time = at(start);
    const source =
      promotion.answer && post.acceptedAnswer
        ? ({ type: 'answer', id: String(post.acceptedAnswer) } as const)
        : ({ type: 'post', id: String(post._id) } as const);
    const number = await services.kb.promote(km, source.type, source.id);
    articles++;
    if (promotion.edit) {
      time = at(start + 2 * HOUR);
      const current = await services.kb.editable(number, km);
      await services.kb.update(number, km, {
        ...current,
        cause: promotion.edit.cause ?? current.cause,
        reviewBy: undefined,
        note: promotion.edit.note,
      });
    }
    const path: Array<'review' | 'published' | 'archived'> =
      promotion.to === 'draft'
        ? []
        : promotion.to === 'review'
          ? ['review']
          : promotion.to === 'published'
            ? ['review', 'published']
            : ['review', 'published', 'archived'];
    for (const [i, state] of path.entries()) {
      time = at(start + (i + 1) * 6 * HOUR);
      await services.kb.transition(number, km, state);
    }
    if (promotion.to === 'published') published.push({ number, start });
    for (const [i, [helpful, comment]] of (promotion.feedback ?? []).entries()) {
      const reader = people[(number * 7 + i * 5) % people.length]!;
      time = at(start + (2 + i) * DAY);
      await services.kb.feedback(number, reader, helpful, comment);
    }
    if (promotion.flag) {
      const reader = people[(number * 11 + 3) % people.length]!;
      time = at(start + 5 * DAY);
      await services.kb.flag(number, reader, promotion.flag.kind, promotion.flag.comment);
      if (promotion.flag.resolve) {
        const flag = await KbFlag.findOne({ status: 'open' }).sort({ createdAt: -1 }).lean();
        time = at(start + 6 * DAY);
        if (flag)
          await services.kb.resolveFlag(
            String(flag._id),
            km,
            promotion.flag.resolve,
            'Aggiunti i tempi per i clienti business.',
          );
      }
    }
    if (promotion.overdue)
      await KbArticle.updateOne(
        { number },
        { $set: { reviewBy: new Date(now - 10 * DAY) } },
        { timestamps: false },
      );
  }

  // Later answers reuse the articles: citations.
  const citing: Array<[string, string, string]> = [
    [
      'sara.colombo',
      'Il cliente chiede la fattura in inglese per il datore di lavoro estero: si può?',
      'Non esiste un modello in inglese, ma se c’è anche un doppio addebito vedi KB-1 per il rimborso.',
    ],
    [
      'luca.esposito',
      'eSIM: il QR code risulta già usato, il cliente ha cambiato telefono',
      'Se dopo la riemissione la navigazione è lenta la sera, vedi KB-2: spesso è il Wi‑Fi di casa.',
    ],
  ];
  let citations = 0;
  for (const [handle, title, text] of citing) {
    const post = await Post.findOne({ title }).lean();
    const author = byEmail.get(handle) as SessionUser | undefined;
    if (!post || !author || published.length === 0) continue;
    time = at(now - 12 * HOUR);
    await services.answers.create(String(post._id), author, text);
    citations++;
  }

  ctx.report.votes = { created: votes, existing: 0 };
  ctx.report.articles = { created: articles, existing: 0 };
  ctx.report.citingAnswers = { created: citations, existing: 0 };
}
