/**
 * The scale seed's history, drawn in memory before anything is written: who
 * joins the demo teams, what they post over the years, and every answer,
 * acceptance, comment, vote and "seen this too" that follows, each at its
 * time. Deterministic for a seed. Proportions (per 100 posts): 35 questions
 * with about 2.5 answers each, 40 case insights, 25 tips; about 3 answers and
 * comments per post overall; votes and confirmations sized so that the score
 * ledger reaches the requested number of lines.
 */
import { DEMO_TEAMS, FIRST_NAMES, LAST_NAMES, TEAM_TOPICS } from '../../server/seed/demo-data.ts';
import { createRandom, type Random } from '../../server/seed/random.ts';
import { createTextMaker, EN, IT, type Lang } from '../bench/search-corpus.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** All of a post's activity happens within this many days of it (most of it in the first few). */
export const ACTIVITY_WINDOW_DAYS = 60;

export interface ScaleTargets {
  posts: number;
  /** People in the organisation after the seed (the demo's included). */
  people: number;
  /** Score ledger lines after the seed (the demo's included). */
  ledger: number;
  years: number;
  seed: number;
}

export interface PlanPerson {
  id: string;
  displayName: string;
  teamId: string | null;
  locale: 'it' | 'en' | null;
  /** True for the people the demo seed wrote. */
  existing: boolean;
}

export interface NewPerson extends PlanPerson {
  email: string;
  teamSlug: string;
  topics: string[];
  followedTopics: string[];
  languages: string[];
  bio: string;
  createdAt: Date;
}

export interface PlanAnswer {
  id: string;
  post: PlanPost;
  author: PlanPerson;
  at: number;
  body: string;
  accepted: boolean;
  acceptedAt: number | null;
  acceptedBy: PlanPerson | null;
  voteScore: number;
  upvotes: number;
  downvotes: number;
  commentCount: number;
  updatedAt: number;
}

export type PlanTexts = { body: string } | { situation: string; action: string; outcome: string };

export interface PlanPost {
  id: string;
  kind: 'insight' | 'tip' | 'question';
  author: PlanPerson;
  /** Topic ids, distinct, in the order the author chose them. */
  topics: string[];
  tags: string[];
  channel: 'phone' | 'chat' | 'email' | 'social' | 'store' | 'app' | null;
  title: string;
  texts: PlanTexts;
  at: number;
  /** The last of its activity: it is final (counters included) after this. */
  closesAt: number;
  answers: PlanAnswer[];
  voteScore: number;
  upvotes: number;
  downvotes: number;
  confirmations: number;
  answerCount: number;
  commentCount: number;
  acceptedAnswer: string | null;
  lastActivityAt: number;
  updatedAt: number;
}

export type Fact =
  | { type: 'post'; at: number; post: PlanPost }
  | { type: 'answer'; at: number; answer: PlanAnswer }
  | { type: 'accept'; at: number; answer: PlanAnswer }
  | {
      type: 'comment';
      at: number;
      id: string;
      post: PlanPost;
      answer: PlanAnswer | null;
      author: PlanPerson;
      body: string;
    }
  | { type: 'vote'; at: number; post: PlanPost; answer: PlanAnswer | null; voter: PlanPerson; value: 1 | -1 }
  | { type: 'confirm'; at: number; post: PlanPost; user: PlanPerson };

export interface Plan {
  newPeople: NewPerson[];
  posts: PlanPost[];
  /** Every fact, oldest first. */
  facts: Fact[];
  expected: {
    posts: number;
    answers: number;
    comments: number;
    accepts: number;
    votes: number;
    confirmations: number;
    /** Ledger lines the facts earn (about: caps and the like change a few). */
    lines: number;
  };
}

/** Ids as the app makes them (4 bytes of time first), but drawn from the seed: the same run gives the same ids. */
export function createIdMaker(random: Random) {
  const machine = Array.from({ length: 5 }, () => random.int(0, 255).toString(16).padStart(2, '0')).join('');
  let counter = random.int(0, 0xffff);
  return (at: number): string => {
    counter = (counter + 1) % 0x1000000;
    return (
      Math.floor(at / 1000)
        .toString(16)
        .padStart(8, '0') +
      machine +
      counter.toString(16).padStart(6, '0')
    );
  };
}

/** Weighted draws in constant time (Vose's alias method). */
export class Sampler<T> {
  readonly #items: T[];
  readonly #prob: Float64Array;
  readonly #alias: Int32Array;
  readonly #random: Random;

  constructor(items: T[], weights: number[], random: Random) {
    this.#items = items;
    this.#random = random;
    const n = items.length;
    this.#prob = new Float64Array(n);
    this.#alias = new Int32Array(n);
    const total = weights.reduce((s, w) => s + w, 0);
    const scaled = weights.map((w) => (w * n) / total);
    const small: number[] = [];
    const large: number[] = [];
    for (const [i, p] of scaled.entries()) (p < 1 ? small : large).push(i);
    while (small.length && large.length) {
      const s = small.pop()!;
      const l = large.pop()!;
      this.#prob[s] = scaled[s]!;
      this.#alias[s] = l;
      scaled[l] = scaled[l]! + scaled[s]! - 1;
      (scaled[l]! < 1 ? small : large).push(l);
    }
    for (const i of [...small, ...large]) this.#prob[i] = 1;
  }

  get size(): number {
    return this.#items.length;
  }

  pick(): T {
    const i = Math.floor(this.#random.next() * this.#items.length);
    return this.#items[this.#random.next() < this.#prob[i]! ? i : this.#alias[i]!]!;
  }
}

function poisson(random: Random, lambda: number): number {
  if (lambda <= 0) return 0;
  if (lambda > 30) {
    const u = Math.max(1e-12, random.next());
    const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.next());
    return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * z));
  }
  const limit = Math.exp(-lambda);
  let k = 0;
  let p = random.next();
  while (p > limit) {
    k++;
    p *= random.next();
  }
  return k;
}

/** How much interest an item draws: log-normal with mean 1 (most little, a few a lot). */
function interest(random: Random): number {
  const sigma = 0.9;
  const u = Math.max(1e-12, random.next());
  const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.next());
  return Math.exp(sigma * z - (sigma * sigma) / 2);
}

const exponential = (random: Random, mean: number) => -Math.log(Math.max(1e-12, random.next())) * mean;

const MORE_FIRST_NAMES = [
  'Alberto',
  'Beatrice',
  'Carlo',
  'Debora',
  'Enrico',
  'Fabiola',
  'Gabriele',
  'Ilaria',
  'Jacopo',
  'Lorena',
  'Michele',
  'Noemi',
  'Ottavio',
  'Patrizia',
  'Raffaele',
  'Serena',
  'Tommaso',
  'Ugo',
  'Vanessa',
  'Walter',
  'Aurora',
  'Bruno',
  'Cristina',
  'Dario',
  'Eleonora',
  'Filippo',
  'Giada',
  'Ivan',
  'Laura',
  'Nicola',
];
const MORE_LAST_NAMES = [
  'Amato',
  'Barbieri',
  'Caruso',
  'D’Angelo',
  'Fabbri',
  'Gentile',
  'Leone',
  'Longo',
  'Mancini',
  'Marchetti',
  'Monti',
  'Neri',
  'Orlando',
  'Palumbo',
  'Pellegrini',
  'Rizzi',
  'Ruggiero',
  'Sala',
  'Testa',
  'Villa',
  'Vitale',
  'Zanetti',
  'Bellini',
  'Cattaneo',
  'Donati',
  'Ferraro',
  'Guerra',
  'Lombardo',
  'Messina',
  'Sorrentino',
];
const TAGS = [
  'doppio-addebito',
  'rimborso',
  'sollecito',
  'wifi',
  'lentezza',
  'codice-migrazione',
  'chargeback',
  'conguaglio-alto',
  'otp',
  'app',
  'modem',
  'voltura',
  'lettura',
  'iban',
  'rateizzazione',
  'reclamo-formale',
  'esim',
  'roaming',
  'frode',
  'cliente-anziano',
];
const CHANNELS = ['phone', 'phone', 'phone', 'chat', 'chat', 'email', 'social', 'store', 'app'] as const;
const SHORT_COMMENTS: Record<'it' | 'en', string[]> = {
  it: [
    'Confermo, capitato anche a me questa settimana.',
    'Grazie, utilissimo.',
    'Lo aggiungo al briefing del turno.',
    'Funziona anche per i clienti business?',
    'Attenzione: dal mese scorso la procedura è cambiata.',
    'Perfetto, non lo sapevo.',
    'Da noi il back office chiede anche la contabile.',
    'Ottimo, lo segnalo al team lead.',
  ],
  en: [
    'Same here, saw it twice this week.',
    'Thanks, very useful.',
    'Adding this to the shift briefing.',
    'Does it work for business customers too?',
    'Careful: the procedure changed last month.',
    'Great, I did not know that.',
  ],
};
const BIOS = [
  'In contact center da {years} anni, soprattutto {topic}.',
  'Seguo {topic} dal {year}; chiedetemi pure.',
  'Operatore senior: {topic} e reclami.',
  'Back office e primo livello, con un debole per {topic}.',
];

export interface ExistingWorld {
  /** People already there (the demo organisation), by id. */
  people: PlanPerson[];
  teams: Map<string, string>;
  topics: Map<string, string>;
  emails: Set<string>;
  /** Ledger lines already stored. */
  lines: number;
  now: number;
}

const emailPart = (s: string) =>
  s
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z]/g, '');

/** The whole history, drawn from the targets (nothing is written here). */
export function planScale(targets: ScaleTargets, world: ExistingWorld): Plan {
  const random = createRandom(targets.seed);
  const text = createTextMaker(random);
  const newId = createIdMaker(random);
  const now = world.now;
  const start = now - targets.years * 365 * DAY;
  const topicIds = [...world.topics.values()];
  const teamTopicIds = new Map(
    DEMO_TEAMS.map((t) => [
      world.teams.get(t.slug) ?? '',
      (TEAM_TOPICS[t.slug] ?? []).map((slug) => world.topics.get(slug)).filter((id) => id !== undefined),
    ]),
  );

  // People: the demo's and the generated ones, who join its teams over the years.
  const firsts = [...FIRST_NAMES, ...MORE_FIRST_NAMES];
  const lasts = [...LAST_NAMES, ...MORE_LAST_NAMES];
  const newPeople: NewPerson[] = [];
  const count = Math.max(0, targets.people - world.people.length);
  for (let i = 0; i < count; i++) {
    const team = DEMO_TEAMS[i % DEMO_TEAMS.length]!;
    const teamId = world.teams.get(team.slug) ?? null;
    const first = random.pick(firsts);
    const last = random.pick(lasts);
    let email = `${emailPart(first)}.${emailPart(last)}@aurora.example`;
    for (let n = 2; world.emails.has(email); n++)
      email = `${emailPart(first)}.${emailPart(last)}${n}@aurora.example`;
    world.emails.add(email);
    const english = random.chance(0.08);
    const own = teamId ? (teamTopicIds.get(teamId) ?? topicIds) : topicIds;
    const declared = random.sample(own, random.int(2, 4));
    const joined = start - 30 * DAY + Math.floor(random.next() * (now - start) * 0.7);
    newPeople.push({
      id: newId(joined),
      email,
      displayName: `${first} ${last}`,
      teamId,
      teamSlug: team.slug,
      locale: english ? 'en' : null,
      existing: false,
      topics: declared,
      followedTopics: random.sample(declared, 2),
      languages: english
        ? ['en', 'it']
        : random.chance(0.3)
          ? ['it', random.pick(['en', 'fr', 'de', 'es'])]
          : ['it'],
      bio: random
        .pick(BIOS)
        .replace('{years}', String(random.int(1, 15)))
        .replace('{year}', String(new Date(joined).getUTCFullYear()))
        .replace('{topic}', 'fatturazione e pagamenti'),
      createdAt: new Date(joined),
    });
  }
  const people: PlanPerson[] = [...world.people, ...newPeople];
  // A few write a lot, most a little: activity weight by rank.
  const ranked = random.shuffle(people);
  const writeWeight = ranked.map((_, i) => 1 / (i + 25) ** 0.85);
  const writers = new Sampler(ranked, writeWeight, random);
  const voteWeight = writeWeight.map((w) => Math.sqrt(w));
  const voters = new Sampler(ranked, voteWeight, random);
  const byTeam = new Map<string, Sampler<PlanPerson>>();
  for (const teamId of world.teams.values()) {
    const members = ranked.map((p, i) => [p, i] as const).filter(([p]) => p.teamId === teamId);
    if (members.length > 0)
      byTeam.set(
        teamId,
        new Sampler(
          members.map(([p]) => p),
          members.map(([, i]) => voteWeight[i]!),
          random,
        ),
      );
  }
  /** A colleague: half the time from the same team. */
  const colleague = (of: PlanPerson, sampler: Sampler<PlanPerson>, taken: Set<string>): PlanPerson | null => {
    for (let attempt = 0; attempt < 20; attempt++) {
      const team = of.teamId ? byTeam.get(of.teamId) : undefined;
      const p = team && random.chance(0.5) ? team.pick() : sampler.pick();
      if (p.id !== of.id && !taken.has(p.id)) return p;
    }
    return null;
  };

  // How much of each kind of fact: answers and comments make 3 per post; votes
  // and confirmations fill the ledger up to its target (2 lines each).
  const questions = targets.posts * 0.35;
  const answersPerQuestion = 2.5;
  const expectedAnswers = questions * answersPerQuestion;
  const expectedComments = Math.max(0, 3 * targets.posts - expectedAnswers);
  const acceptShare = 0.65;
  const expectedAccepts = questions * acceptShare * (1 - Math.exp(-answersPerQuestion));
  const budget = Math.max(
    0,
    (targets.ledger -
      world.lines -
      targets.posts -
      expectedAnswers -
      expectedComments -
      2 * expectedAccepts) /
      2,
  );
  const insights = targets.posts * 0.4;
  const tips = targets.posts * 0.25;
  const lambda = {
    commentsOnPost: (expectedComments * 0.65) / targets.posts,
    commentsOnAnswer: (expectedComments * 0.35) / Math.max(1, expectedAnswers),
    votesOnPost: (budget * 0.8 * 0.55) / Math.max(1, insights + tips),
    votesOnAnswer: (budget * 0.8 * 0.45) / Math.max(1, expectedAnswers * (1 + acceptShare * 0.4)),
    confirmations: (budget * 0.2) / Math.max(1, insights),
  };

  // Post times: activity grows over the years (people join), on working days and hours.
  const growthFloor = 0.35;
  const postTime = (): number => {
    const u = random.next();
    // Inverse of the CDF of the density growthFloor + (1 - growthFloor) x on [0, 1].
    const a = growthFloor;
    const b = 1 - growthFloor;
    const x = (-a + Math.sqrt(a * a + 2 * b * u * (a + b / 2))) / b;
    const day = new Date(start + Math.floor((x * (now - start - DAY)) / DAY) * DAY);
    const weekday = day.getUTCDay();
    if ((weekday === 0 || weekday === 6) && random.chance(0.85))
      day.setUTCDate(day.getUTCDate() + (weekday === 6 ? -1 : 1));
    const hour = 6 + Math.min(11, Math.floor(exponential(random, 4) + random.int(0, 6)));
    return Math.min(now - HOUR, day.getTime() + hour * HOUR + random.int(0, 59) * 60_000);
  };
  const times = Array.from({ length: targets.posts }, postTime).sort((a, b) => a - b);

  const posts: PlanPost[] = [];
  const facts: Fact[] = [];
  const within = (post: PlanPost, at: number) => at <= post.at + ACTIVITY_WINDOW_DAYS * DAY && at < now;
  const lang = (author: PlanPerson): Lang => (author.locale === 'en' || random.chance(0.05) ? EN : IT);
  const clip = (s: string, max: number) => {
    if (s.length <= max) return s;
    const cut = s.slice(0, max - 1);
    return `${cut.slice(0, cut.lastIndexOf(' ')).replace(/[,:;]$/, '')}…`;
  };

  for (const at of times) {
    const roll = random.next();
    const kind = roll < 0.35 ? 'question' : roll < 0.75 ? 'insight' : 'tip';
    const author = writers.pick();
    const l = lang(author);
    const own = author.teamId ? teamTopicIds.get(author.teamId) : undefined;
    const pool = own && own.length > 0 && random.chance(0.85) ? own : topicIds;
    const topics = random.sample(pool, random.int(1, 3));
    const problem = text.fill(random.pick(l.problems), l);
    const title = clip(
      kind === 'question'
        ? random.pick(l.questions).replace('{problem}', problem)
        : `${random.pick(l.subjects)} ${problem}`,
      150,
    );
    const texts: PlanTexts =
      kind === 'insight'
        ? {
            situation: text.paragraph(l, random.int(2, 3)),
            action: Array.from(
              { length: random.int(2, 4) },
              (_, i) => `${i + 1}. ${text.fill(random.pick(l.actions), l)}`,
            ).join('\n'),
            outcome: text.paragraph(l, random.int(1, 2)),
          }
        : { body: text.paragraph(l, random.int(2, 6)) };
    const post: PlanPost = {
      id: newId(at),
      kind,
      author,
      topics,
      tags: random.chance(0.6) ? random.sample(TAGS, random.int(1, 2)) : [],
      channel: kind === 'insight' ? random.pick(CHANNELS) : null,
      title,
      texts,
      at,
      closesAt: at,
      answers: [],
      voteScore: 0,
      upvotes: 0,
      downvotes: 0,
      confirmations: 0,
      answerCount: 0,
      commentCount: 0,
      acceptedAnswer: null,
      lastActivityAt: at,
      updatedAt: at,
    };
    posts.push(post);
    const push = (fact: Fact) => {
      facts.push(fact);
      if (fact.at > post.closesAt) post.closesAt = fact.at;
    };
    push({ type: 'post', at, post });
    const z = interest(random);

    if (kind === 'question') {
      const taken = new Set<string>();
      let t = at;
      const n = Math.min(15, poisson(random, answersPerQuestion * Math.sqrt(z) * 0.92));
      for (let k = 0; k < n; k++) {
        t += exponential(random, 6 * HOUR) + 10 * 60_000;
        const by = colleague(author, writers, taken);
        if (!by || !within(post, t)) break;
        taken.add(by.id);
        const answer: PlanAnswer = {
          id: newId(t),
          post,
          author: by,
          at: Math.round(t),
          body: text.paragraph(lang(by), random.int(1, 4)),
          accepted: false,
          acceptedAt: null,
          acceptedBy: null,
          voteScore: 0,
          upvotes: 0,
          downvotes: 0,
          commentCount: 0,
          updatedAt: Math.round(t),
        };
        post.answers.push(answer);
        push({ type: 'answer', at: answer.at, answer });
      }
      if (post.answers.length > 0 && random.chance(acceptShare)) {
        const chosen = random.chance(0.5) ? post.answers[0]! : random.pick(post.answers);
        const acceptAt = Math.round(chosen.at + exponential(random, 8 * HOUR) + 5 * 60_000);
        if (within(post, acceptAt)) {
          chosen.accepted = true;
          push({ type: 'accept', at: acceptAt, answer: chosen });
        }
      }
    }

    const comments = (target: PlanAnswer | null, count: number, from: number) => {
      for (let k = 0; k < count; k++) {
        const t = Math.round(from + exponential(random, target ? 12 * HOUR : DAY) + 60_000);
        const by = colleague(target?.author ?? author, writers, new Set());
        if (!by || !within(post, t)) continue;
        const l2 = lang(by);
        const body = random.chance(0.4)
          ? random.pick(SHORT_COMMENTS[l2 === EN ? 'en' : 'it'])
          : text.paragraph(l2, random.int(1, 2));
        push({ type: 'comment', at: t, id: newId(t), post, answer: target, author: by, body });
      }
    };
    comments(null, poisson(random, lambda.commentsOnPost * z), at);
    for (const answer of post.answers)
      comments(answer, poisson(random, lambda.commentsOnAnswer * z), answer.at);

    const votes = (target: PlanAnswer | null, count: number, from: number, targetAuthor: PlanPerson) => {
      const taken = new Set<string>();
      for (let k = 0; k < count; k++) {
        const t = Math.round(from + exponential(random, 3 * DAY) + 60_000);
        const voter = colleague(targetAuthor, voters, taken);
        if (!voter || !within(post, t)) continue;
        taken.add(voter.id);
        const down = target ? !target.accepted && random.chance(0.12) : random.chance(0.04);
        push({ type: 'vote', at: t, post, answer: target, voter, value: down ? -1 : 1 });
      }
    };
    if (kind !== 'question') votes(null, poisson(random, lambda.votesOnPost * z), at, author);
    for (const answer of post.answers)
      votes(
        answer,
        poisson(random, lambda.votesOnAnswer * z * (answer.accepted ? 1.8 : 1)),
        answer.at,
        answer.author,
      );
    if (kind === 'insight') {
      const taken = new Set<string>();
      for (let k = poisson(random, lambda.confirmations * z); k > 0; k--) {
        const t = Math.round(at + exponential(random, 5 * DAY) + 60_000);
        const user = colleague(author, voters, taken);
        if (!user || !within(post, t)) continue;
        taken.add(user.id);
        push({ type: 'confirm', at: t, post, user });
      }
    }
  }

  facts.sort((a, b) => a.at - b.at);
  const tally = { posts: posts.length, answers: 0, comments: 0, accepts: 0, votes: 0, confirmations: 0 };
  let lines = 0;
  for (const fact of facts) {
    if (fact.type === 'post') lines += 1;
    else if (fact.type === 'answer') {
      tally.answers++;
      lines += 1;
    } else if (fact.type === 'comment') {
      tally.comments++;
      lines += 1;
    } else if (fact.type === 'accept') {
      tally.accepts++;
      lines += 2;
    } else if (fact.type === 'vote') {
      tally.votes++;
      lines += fact.answer && fact.value === -1 ? 3 : 2;
    } else {
      tally.confirmations++;
      lines += 2;
    }
  }
  return { newPeople, posts, facts, expected: { ...tally, lines } };
}
