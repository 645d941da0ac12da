/**
 * The scale seed: `npm run seed -- --posts 100000 --people 10000 --ledger 1000000`.
 *
 * On top of the demo organisation (written first if missing), people join its
 * teams and years of knowledge are replayed: posts, answers, acceptances,
 * comments, votes and "seen this too", each at its time (scripts/seed/scale-plan.ts).
 *
 * What the services would do one call at a time costs 30–100 ms per call on
 * the embedded engine (a dozen round trips each), weeks for a million facts;
 * so the history goes through a batch path that leaves the same data:
 *
 * - documents: built by scripts/seed/scale-documents.ts exactly as the
 *   services store them (a test compares them field by field), text rendered
 *   by the app's ContentRenderer, inputs checked by the forms' schemas, and
 *   inserted in bulk, each post and answer once its activity is over (with
 *   the counters its answers, comments, votes and confirmations leave);
 * - scores: every fact's domain event, with the payload its service
 *   publishes, goes through the app's scoring subscribers and ScoreLedger
 *   (caps, sources, awards) on a ledger store kept in memory (BatchStore), and
 *   the leaderboards through its BoardBuffer;
 * - search: the index is rebuilt (SearchService.rebuild) from documents built
 *   by the same functions as the live indexing;
 * - notifications: the facts of the last `notifyDays` days reach the app's
 *   notification subscribers (older history is left out to keep the seed
 *   within its time);
 * - the serial-voting memory: only votes the next check still reads.
 *
 * It refuses to share the database with a running app (see scripts/seed.ts),
 * and records what it wrote (`settings` "seed.scale"): run again at the same
 * scale it does nothing; at another scale, or after an interrupted run, it
 * refuses and says why.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { Answer } from '../../models/answer.ts';
import { Comment } from '../../models/comment.ts';
import { Confirmation } from '../../models/confirmation.ts';
import { Post } from '../../models/post.ts';
import { PostContent } from '../../models/post-content.ts';
import { Revision } from '../../models/revision.ts';
import { RecentVote, ScoreEvent } from '../../models/score.ts';
import { Setting } from '../../models/setting.ts';
import { Team } from '../../models/team.ts';
import { Topic } from '../../models/topic.ts';
import { foldName, hashPassword, User } from '../../models/user.ts';
import { Vote } from '../../models/vote.ts';
import type { RenderedTexts } from '../../server/content/renderer.ts';
import { type DomainEventName, type DomainEvents, EventBus } from '../../server/core/events.ts';
import { subscribePostNotifications } from '../../server/posts/posts.notifications.ts';
import { type PostInput, SCHEMA_BY_KIND } from '../../server/posts/posts.schemas.ts';
import type { Runtime } from '../../server/runtime.ts';
import { periodKeys } from '../../server/scoring/periods.ts';
import { BoardBuffer, ScoreLedger } from '../../server/scoring/scoring.ledger.ts';
import { subscribeScoreNotifications } from '../../server/scoring/scoring.notifications.ts';
import { ScoringSettings } from '../../server/scoring/scoring.settings.ts';
import { BatchStore } from '../../server/scoring/scoring.store.ts';
import { subscribeScoring } from '../../server/scoring/scoring.subscribers.ts';
import { SearchService } from '../../server/search/search.service.ts';
import type { SearchDocument } from '../../server/search/search.types.ts';
import {
  answerDocument,
  answerSearchDocument,
  articleDocument,
  everyArticle,
  postDocument,
  postSearchDocument,
} from '../../server/search/search.wiring.ts';
import { DEMO_PASSWORD } from '../../server/seed/demo-data.ts';
import { type SeedStep, seedDemo } from '../../server/seed/seed.ts';
import {
  answerDocuments,
  commentDocuments,
  confirmationDocument,
  postDocuments,
  type RawDoc,
  textFields,
  voteDocument,
} from './scale-documents.ts';
import { type Fact, type PlanAnswer, type PlanPost, planScale, type ScaleTargets } from './scale-plan.ts';
import { type Out, Progress } from './scale-progress.ts';
import { BulkWriter } from './scale-writer.ts';

export const SCALE_MARKER = 'seed.scale';

export interface ScaleOptions extends ScaleTargets {
  /** Facts of the last this many days notify people (default 7). */
  notifyDays?: number;
  /** The embedded engine's process (its CPU use is printed with the progress). */
  enginePid?: number;
  /** The demo seed's steps to run first (all by default; tests leave out its content). */
  demoSteps?: SeedStep[];
}

export interface ScaleReport {
  status: 'written' | 'alreadySeeded';
  people: number;
  posts: number;
  answers: number;
  comments: number;
  accepts: number;
  votes: number;
  confirmations: number;
  ledgerLines: number;
  searchDocuments: number;
  notifications: number;
  ms: number;
  steps: Record<string, number>;
  /** Typical items of the history, for benchmarks (scripts/bench/scale.ts). */
  samples: ScaleSamples;
}

export interface ScaleSamples {
  /** A generated operator (password: the demo password) with recent activity and notifications. */
  operator: { id: string; email: string };
  /** A question with answers and comments. */
  question: string;
  /** The insight most colleagues have seen too. */
  insight: string;
  /** The topic with the most posts. */
  topic: { id: string; slug: string };
  /** The most active author (a profile). */
  person: string;
  /** Recent insights and tips by others that the operator has not voted on. */
  voteTargets: string[];
  /** A recent question by someone else (to answer). */
  openQuestion: string;
}

/** Where the scale seed leaves its report in the data folder (benchmarks read it). */
export const SCALE_REPORT_FILE = 'scale-seed.json';

/** Why the seed will not run (printed as is). */
export class ScaleSeedRefused extends Error {
  override name = 'ScaleSeedRefused';
}

interface Marker {
  state: 'running' | 'done';
  posts: number;
  people: number;
  ledger: number;
  years: number;
  seed: number;
  startedAt: string;
  finishedAt?: string;
  pid: number;
  report?: Omit<ScaleReport, 'status'>;
}

async function readMarker(): Promise<Marker | null> {
  const doc = await Setting.findById(SCALE_MARKER).lean();
  return doc ? (doc.value as Marker) : null;
}

async function writeMarker(marker: Marker): Promise<void> {
  await Setting.collection.replaceOne(
    { _id: SCALE_MARKER as never },
    { version: 1, value: marker, updatedBy: null, updatedAt: new Date() },
    { upsert: true },
  );
}

const scaleOf = (m: Pick<Marker, 'posts' | 'people' | 'ledger' | 'years' | 'seed'>) =>
  `${m.posts} posts, ${m.people} people, ${m.ledger} ledger lines over ${m.years} years (seed ${m.seed})`;

const sameScale = (m: Marker, t: ScaleTargets) =>
  m.posts === t.posts &&
  m.people === t.people &&
  m.ledger === t.ledger &&
  m.years === t.years &&
  m.seed === t.seed;

/** The demo seed's size: a database holding more was used or seeded otherwise. */
async function checkDemoOnly(): Promise<void> {
  const posts = await Post.estimatedDocumentCount();
  if (posts > 100)
    throw new ScaleSeedRefused(
      `This database already holds ${posts} posts that no scale seed recorded writing. The scale seed ` +
        'writes years of history into a database holding only the demo organisation: point DATA_DIR (or ' +
        'MONGODB_URI) at a new, empty one.',
    );
}

const HOUR = 3_600_000;

export async function seedScale(runtime: Runtime, options: ScaleOptions, out: Out): Promise<ScaleReport> {
  const progress = new Progress(out, { enginePid: options.enginePid });
  const { logger, config } = runtime;
  const steps: Record<string, number> = {};
  const marker = await readMarker();
  if (marker?.state === 'done' && sameScale(marker, options)) {
    progress.line(
      `already seeded at this scale (${scaleOf(marker)}, finished ${marker.finishedAt}): nothing to do`,
    );
    return { status: 'alreadySeeded', ...(marker.report as Omit<ScaleReport, 'status'>) };
  }
  if (marker?.state === 'done')
    throw new ScaleSeedRefused(
      `This database holds a scale seed of ${scaleOf(marker)} (finished ${marker.finishedAt}). A seed at ` +
        `another scale (${scaleOf(options)}) needs a new, empty database: set DATA_DIR (or MONGODB_URI) to one.`,
    );
  if (marker?.state === 'running')
    throw new ScaleSeedRefused(
      `A scale seed of ${scaleOf(marker)} started on ${marker.startedAt} (process ${marker.pid}) and did not ` +
        'finish: this database holds part of it. Remove the data folder (or drop the database) and run again.',
    );
  await checkDemoOnly();

  // 1. The demo organisation (idempotent), then what the history starts from.
  let started = Date.now();
  await seedDemo(runtime, options.demoSteps);
  steps.demo = Date.now() - started;
  progress.line(`demo organisation ready (${steps.demo} ms)`);
  await writeMarker({
    state: 'running',
    posts: options.posts,
    people: options.people,
    ledger: options.ledger,
    years: options.years,
    seed: options.seed,
    startedAt: new Date().toISOString(),
    pid: process.pid,
  });

  const teams = new Map((await Team.find({}, { slug: 1 }).lean()).map((t) => [t.slug, String(t._id)]));
  const topics = new Map(
    (await Topic.find({ mergedInto: null }, { slug: 1 }).lean()).map((t) => [t.slug, String(t._id)]),
  );
  const users = await User.find({}, { email: 1, displayName: 1, team: 1, locale: 1, active: 1 }).lean();
  const demoPostIds = (await Post.find({}, { _id: 1 }).lean()).map((p) => String(p._id));
  const demoAnswerIds = (await Answer.find({}, { _id: 1 }).lean()).map((a) => String(a._id));
  const linesBefore = await ScoreEvent.estimatedDocumentCount();
  const now = Date.now();
  started = Date.now();
  const plan = planScale(options, {
    people: users
      .filter((u) => u.active)
      .map((u) => ({
        id: String(u._id),
        displayName: u.displayName,
        teamId: u.team ? String(u.team) : null,
        locale: u.locale === 'en' ? 'en' : u.locale === 'it' ? 'it' : null,
        existing: true,
      })),
    teams,
    topics,
    emails: new Set(users.map((u) => u.email)),
    lines: linesBefore,
    now,
  });
  steps.plan = Date.now() - started;
  const e = plan.expected;
  progress.line(
    `history drawn in ${steps.plan} ms: ${plan.newPeople.length} new people, ${e.posts} posts, ${e.answers} answers, ` +
      `${e.accepts} accepted, ${e.comments} comments, ${e.votes} votes, ${e.confirmations} confirmations ` +
      `→ about ${e.lines} ledger lines (target ${options.ledger})`,
  );

  // 2. People join the demo teams (what the demo seed writes for its own people).
  started = Date.now();
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  const peopleStep = progress.step('people', plan.newPeople.length, 'people');
  for (let i = 0; i < plan.newPeople.length; i += 1000) {
    const docs = plan.newPeople.slice(i, i + 1000).map((p) => ({
      _id: p.id,
      email: p.email,
      displayName: p.displayName,
      nameKey: foldName(p.displayName),
      passwordHash,
      passwordChangedAt: p.createdAt,
      roles: ['operator'],
      team: p.teamId,
      locale: p.locale,
      bio: p.bio,
      languages: p.languages,
      topics: p.topics,
      followedTopics: p.followedTopics,
      active: true,
      createdAt: p.createdAt,
      updatedAt: p.createdAt,
    }));
    await User.insertMany(docs, { ordered: false });
    peopleStep.tick(i + docs.length);
  }
  steps.people = peopleStep.done(plan.newPeople.length);

  // 3. The history, oldest first: documents in bulk, domain events to the app's scoring.
  const writer = new BulkWriter();
  const snapshot = await BatchStore.snapshot();
  const store = new BatchStore({ snapshot });
  const bus = new EventBus(logger);
  const boards = new BoardBuffer(logger);
  const ledger = new ScoreLedger({
    settings: new ScoringSettings(runtime.services.audit),
    events: bus,
    logger,
    timeZone: config.scoresTimeZone,
    boards,
  });
  const { rules } = await new ScoringSettings(runtime.services.audit).rules();
  const recentVoteSince = now - 2 * rules.serialVoting.windowMinutes * 60_000;
  const recentVotes = new Map<string, { voter: string; author: string; at: Date }>();
  subscribeScoring(bus, ledger, {
    rememberVote: async (id, vote) => {
      if (vote.at.getTime() >= recentVoteSince) recentVotes.set(id, vote);
    },
  });
  // What notifies people: the facts of the last days, replayed at the end (their documents are stored by then).
  const notifySince = now - (options.notifyDays ?? 7) * 24 * HOUR;
  const toNotify: Array<{ name: DomainEventName; payload: unknown }> = [];
  const publish = async <K extends DomainEventName>(name: K, payload: DomainEvents[K], at: number) => {
    if (at >= notifySince) toNotify.push({ name, payload });
    await bus.publish(name, payload);
  };
  for (const name of ['score.levelReached', 'score.badgeEarned'] as const)
    bus.on(name, (payload) => {
      if (payload.at.getTime() >= notifySince) toNotify.push({ name, payload });
    });

  const renderer = runtime.services.renderer;
  // Short texts come back often ("Grazie, utilissimo."): rendered once (rendering has no side
  // effect, and these name no colleague nor article).
  const rendered = new Map<string, RenderedTexts<'body'>>();
  const render = async (body: string): Promise<RenderedTexts<'body'>> => {
    if (body.length > 80) return renderer.render({ body });
    let html = rendered.get(body);
    if (!html) {
      html = await renderer.render({ body });
      rendered.set(body, html);
    }
    return html;
  };
  const inputs = new Map<string, PostInput>();
  const inputOf = (post: PlanPost): PostInput => {
    const fields = { title: post.title, topics: post.topics, tags: post.tags.join(', '), ...post.texts };
    if (post.kind === 'insight')
      return { kind: 'insight', ...SCHEMA_BY_KIND.insight.parse({ ...fields, channel: post.channel }) };
    return { kind: post.kind, ...SCHEMA_BY_KIND[post.kind].parse(fields) };
  };
  const date = (ms: number) => new Date(ms);
  const open = new Set<PlanPost>();
  /** Posts and answers whose activity is over (their score sources take nothing more). */
  const closed = new Set<string>();
  const sourceComplete = (key: string) => {
    const type = key.slice(0, key.indexOf(':'));
    if (type === 'post' || type === 'answer') return closed.has(key.slice(type.length + 1));
    // Votes, comments, confirmations and acceptances are sources nothing is added to.
    return type === 'vote' || type === 'comment' || type === 'confirm' || type === 'accept';
  };
  const finalize = async (post: PlanPost) => {
    open.delete(post);
    closed.add(post.id);
    for (const answer of post.answers) closed.add(answer.id);
    const input = inputs.get(post.id)!;
    inputs.delete(post.id);
    const { post: doc } = postDocuments(
      post.id,
      { id: post.author.id, teamId: post.author.teamId },
      input,
      { html: {}, mentions: [], citations: [] },
      date(post.at),
      {
        voteScore: post.voteScore,
        upvotes: post.upvotes,
        downvotes: post.downvotes,
        confirmations: post.confirmations,
        answerCount: post.answerCount,
        commentCount: post.commentCount,
        acceptedAnswer: post.acceptedAnswer,
        lastActivityAt: date(post.lastActivityAt),
        updatedAt: date(post.updatedAt),
      },
    );
    await writer.add(Post as never, doc);
    for (const answer of post.answers) {
      const { answer: a } = answerDocuments(
        answer.id,
        post.id,
        answer.author.id,
        answer.body,
        await render(answer.body),
        date(answer.at),
        {
          accepted: answer.accepted,
          acceptedAt: answer.acceptedAt ? date(answer.acceptedAt) : null,
          acceptedBy: answer.acceptedBy?.id ?? null,
          voteScore: answer.voteScore,
          upvotes: answer.upvotes,
          downvotes: answer.downvotes,
          commentCount: answer.commentCount,
          updatedAt: date(answer.updatedAt),
        },
      );
      await writer.add(Answer as never, a);
    }
  };
  const add = (model: unknown, doc: RawDoc) => writer.add(model as never, doc);
  const touch = (post: PlanPost, at: number) => {
    post.lastActivityAt = at;
    post.updatedAt = at;
  };

  const replay = async (fact: Fact) => {
    const at = date(fact.at);
    switch (fact.type) {
      case 'post': {
        const post = fact.post;
        const input = inputOf(post);
        inputs.set(post.id, input);
        open.add(post);
        const rendered = await renderer.render(textFields(input));
        const docs = postDocuments(post.id, post.author, input, rendered, at, {
          voteScore: 0,
          upvotes: 0,
          downvotes: 0,
          confirmations: 0,
          answerCount: 0,
          commentCount: 0,
          acceptedAnswer: null,
          lastActivityAt: at,
          updatedAt: at,
        });
        await add(PostContent, docs.content);
        await add(Revision, docs.revision);
        await publish(
          'post.created',
          {
            postId: post.id,
            kind: post.kind,
            authorId: post.author.id,
            teamId: post.author.teamId,
            topicIds: [...new Set(input.topics)],
            title: input.title,
            at,
          },
          fact.at,
        );
        return;
      }
      case 'answer': {
        const { answer } = fact;
        const post = answer.post;
        const { revision } = answerDocuments(
          answer.id,
          post.id,
          answer.author.id,
          answer.body,
          { html: { body: '' }, mentions: [], citations: [] },
          at,
          { ...answer, acceptedAt: null, acceptedBy: null, updatedAt: at },
        );
        await add(Revision, revision);
        post.answerCount++;
        touch(post, fact.at);
        await publish(
          'answer.created',
          {
            answerId: answer.id,
            postId: post.id,
            authorId: answer.author.id,
            postAuthorId: post.author.id,
            topicIds: post.topics,
            at,
          },
          fact.at,
        );
        return;
      }
      case 'accept': {
        const { answer } = fact;
        const post = answer.post;
        answer.accepted = true;
        answer.acceptedAt = fact.at;
        answer.acceptedBy = post.author;
        answer.updatedAt = fact.at;
        post.acceptedAnswer = answer.id;
        touch(post, fact.at);
        await publish(
          'answer.accepted',
          {
            answerId: answer.id,
            postId: post.id,
            answerAuthorId: answer.author.id,
            acceptedById: post.author.id,
            postAuthorId: post.author.id,
            topicIds: post.topics,
            at,
          },
          fact.at,
        );
        return;
      }
      case 'comment': {
        const { post, answer } = fact;
        const docs = commentDocuments(
          fact.id,
          { type: answer ? 'answer' : 'post', id: answer?.id ?? post.id, postId: post.id },
          fact.author.id,
          fact.body,
          await render(fact.body),
          at,
        );
        await add(Comment, docs.comment);
        await add(Revision, docs.revision);
        if (answer) {
          answer.commentCount++;
          answer.updatedAt = fact.at;
          post.lastActivityAt = fact.at;
          post.updatedAt = fact.at;
        } else {
          post.commentCount++;
          touch(post, fact.at);
        }
        await publish(
          'comment.created',
          {
            commentId: fact.id,
            postId: post.id,
            targetType: answer ? 'answer' : 'post',
            targetId: answer?.id ?? post.id,
            authorId: fact.author.id,
            targetAuthorId: (answer ?? post).author.id,
            topicIds: post.topics,
            at,
          },
          fact.at,
        );
        return;
      }
      case 'vote': {
        const { post, answer, voter, value } = fact;
        const target: PlanPost | PlanAnswer = answer ?? post;
        const ref = {
          type: answer ? ('answer' as const) : ('post' as const),
          id: target.id,
          postId: post.id,
          authorId: target.author.id,
        };
        const doc = voteDocument(voter.id, ref, value, at);
        await add(Vote, doc);
        target.voteScore += value;
        if (value === 1) target.upvotes++;
        else target.downvotes++;
        target.updatedAt = fact.at;
        await publish(
          'vote.cast',
          {
            voteId: String(doc._id),
            voterId: voter.id,
            targetType: ref.type,
            targetId: ref.id,
            postId: post.id,
            postKind: post.kind,
            authorId: ref.authorId,
            voteScore: target.voteScore,
            topicIds: post.topics,
            at,
            value,
            previous: 0,
          },
          fact.at,
        );
        return;
      }
      case 'confirm': {
        const { post, user } = fact;
        await add(Confirmation, confirmationDocument(post.id, user.id, at));
        post.confirmations++;
        touch(post, fact.at);
        await publish(
          'confirmation.added',
          {
            postId: post.id,
            postKind: post.kind === 'question' ? 'question' : 'insight',
            userId: user.id,
            authorId: post.author.id,
            topicIds: post.topics,
            count: post.confirmations,
            at,
          },
          fact.at,
        );
        return;
      }
    }
  };

  // 4. Search: the index rebuilt from what was written (the same documents live indexing makes).
  const rebuildSearch = async () => {
    const names = new Map(
      (await User.find({}, { displayName: 1, team: 1 }).lean()).map((u) => [String(u._id), u]),
    );
    const searchTotal = demoPostIds.length + demoAnswerIds.length + plan.posts.length + e.answers;
    const searchStep = progress.step('search', searchTotal, 'documents');
    let searched = 0;
    const counted = async function* (docs: AsyncIterable<SearchDocument>) {
      for await (const doc of docs) {
        searched++;
        searchStep.tick(searched);
        yield doc;
      }
    };
    const search = new SearchService({ logger });
    search.register({
      type: 'post',
      load: postDocument,
      iterate: () =>
        counted(
          (async function* () {
            for (const id of demoPostIds) {
              const doc = await postDocument(id);
              if (doc) yield doc;
            }
            for (const post of plan.posts)
              yield postSearchDocument({
                post: {
                  _id: post.id,
                  kind: post.kind,
                  title: post.title,
                  tags: post.tags,
                  topics: post.topics,
                  author: post.author.id,
                  team: post.author.teamId,
                  createdAt: date(post.at),
                  voteScore: post.voteScore,
                  confirmations: post.confirmations,
                },
                content: post.texts,
                authorName: post.author.displayName,
              });
          })(),
        ),
    });
    search.register({
      type: 'answer',
      load: answerDocument,
      iterate: () =>
        counted(
          (async function* () {
            for (const id of demoAnswerIds) {
              const doc = await answerDocument(id);
              if (doc) yield doc;
            }
            for (const post of plan.posts)
              for (const answer of post.answers)
                yield answerSearchDocument({
                  answer: {
                    _id: answer.id,
                    post: post.id,
                    author: answer.author.id,
                    body: answer.body,
                    createdAt: date(answer.at),
                    voteScore: answer.voteScore,
                    accepted: answer.accepted,
                  },
                  post: { title: post.title, topics: post.topics },
                  author: { displayName: answer.author.displayName, team: names.get(answer.author.id)?.team },
                });
          })(),
        ),
    });
    search.register({ type: 'article', load: articleDocument, iterate: everyArticle });
    const result = await search.rebuild();
    steps.search = searchStep.done(result.documents, `generation ${result.gen}`);
    return result;
  };

  started = Date.now();
  const replayStep = progress.step('history', plan.facts.length, 'facts');
  let linesFlushed: Promise<void> = Promise.resolve();
  let sourcesFlushed: Promise<void> = Promise.resolve();
  let boardsFlushed: Promise<void> = Promise.resolve();
  let lastWeek = '';
  let rebuilt!: Awaited<ReturnType<typeof rebuildSearch>>;
  await ledger.batch(async () => {
    let i = 0;
    for (const fact of plan.facts) {
      await replay(fact);
      i++;
      if (i % 2000 === 0) {
        for (const post of open) if (post.closesAt < fact.at) await finalize(post);
        if (store.pendingLines >= 20_000) {
          await linesFlushed;
          linesFlushed = store.flushLines();
        }
        if (store.pendingSources >= 50_000) {
          await sourcesFlushed;
          sourcesFlushed = store.flushSources(sourceComplete);
        }
        // Leaderboards of the weeks, months, quarters and years that are over take nothing more.
        const [week, month, quarter, year] = periodKeys(new Date(fact.at), config.scoresTimeZone);
        if (week !== lastWeek) {
          lastWeek = week!;
          const current: Record<string, string> = {
            week: week!,
            month: month!,
            quarter: quarter!,
            year: year!,
          };
          await boardsFlushed;
          boardsFlushed = boards.flush({
            fresh: true,
            alone: true,
            only: (shard) => {
              const period = shard.split('|')[2] ?? 'all';
              const kind = periodKind(period);
              return kind !== 'all' && period < current[kind]!;
            },
          });
        }
        replayStep.tick(
          i,
          () => `${writer.total.toLocaleString('en-US')} documents stored, ${open.size} posts open`,
        );
      }
    }
    for (const post of [...open]) await finalize(post);
    await linesFlushed;
    steps.history = replayStep.done(plan.facts.length);
    // What is left to store (documents, the ledger's cards and sources, the
    // leaderboards) is written while the search index is built.
    const storing = (async () => {
      const t = Date.now();
      await writer.drain();
      steps.documents = Date.now() - t;
      progress.line(`documents stored: ${[...writer.written].map(([c, n]) => `${c} ${n}`).join(', ')}`);
      const t0 = Date.now();
      await sourcesFlushed;
      const stored = await store.flush();
      steps.ledger = Date.now() - t0;
      progress.line(
        `ledger stored in ${steps.ledger} ms: the last ${stored.lines} lines, ${stored.cards} score cards, ${stored.sources} sources`,
      );
      const t1 = Date.now();
      await boardsFlushed;
      const pending = boards.pending;
      await boards.flush({ fresh: true, alone: true });
      steps.boards = Date.now() - t1;
      progress.line(`leaderboards stored in ${steps.boards} ms (the last ${pending} board shards)`);
    })();
    [, rebuilt] = await Promise.all([storing, rebuildSearch()]);
  }, store);
  progress.line('history stored');
  for (const [id, vote] of recentVotes)
    await RecentVote.collection.replaceOne({ _id: id as never }, vote, { upsert: true });
  // Counted, not asked: a count of a million lines reads them all on the embedded engine.
  const ledgerLines = linesBefore + store.linesStored;
  progress.line(`${recentVotes.size} votes of the last hours kept for the serial-voting check`);

  // 5. Notifications of the last days, through the app's subscribers.
  started = Date.now();
  const notifyBus = new EventBus(logger);
  subscribePostNotifications(notifyBus, runtime.services.notifications);
  subscribeScoreNotifications(notifyBus, runtime.services.notifications);
  const notifyStep = progress.step('notify', toNotify.length, 'events');
  let n = 0;
  for (const { name, payload } of toNotify) {
    await notifyBus.publish(name, payload as never);
    notifyStep.tick(++n);
  }
  steps.notifications = notifyStep.done(toNotify.length);

  const samples = samplesOf(plan.posts, plan.facts, topics);
  const report: Omit<ScaleReport, 'status'> = {
    people: users.length + plan.newPeople.length,
    posts: demoPostIds.length + plan.posts.length,
    answers: demoAnswerIds.length + e.answers,
    comments: e.comments,
    accepts: e.accepts,
    votes: e.votes,
    confirmations: e.confirmations,
    ledgerLines,
    searchDocuments: rebuilt.documents,
    notifications: toNotify.length,
    ms: progress.elapsedMs,
    steps,
    samples,
  };
  await writeMarker({
    state: 'done',
    posts: options.posts,
    people: options.people,
    ledger: options.ledger,
    years: options.years,
    seed: options.seed,
    startedAt: (await readMarker())?.startedAt ?? '',
    finishedAt: new Date().toISOString(),
    pid: process.pid,
    report,
  });
  await fs.writeFile(
    path.join(config.dataDir, SCALE_REPORT_FILE),
    `${JSON.stringify({ ...options, demoSteps: undefined, enginePid: undefined, report }, null, 2)}\n`,
  );
  progress.line(
    `done: ${report.people} people, ${report.posts} posts, ${report.answers} answers, ${report.comments} comments, ` +
      `${report.votes} votes, ${report.confirmations} confirmations, ${report.ledgerLines} ledger lines, ` +
      `${report.searchDocuments} search documents, ${report.notifications} notifying events`,
  );
  return { status: 'written', ...report };
}

/** Typical items of the history for benchmarks: busy threads, a person with recent activity. */
function samplesOf(posts: PlanPost[], facts: Fact[], topics: Map<string, string>): ScaleSamples {
  const newest = [...posts].reverse();
  const operatorPost =
    newest.find((p) => !p.author.existing && p.kind === 'question' && p.answers.length > 0) ??
    newest.find((p) => !p.author.existing) ??
    newest[0]!;
  const operator = operatorPost.author;
  const busiest = (list: PlanPost[], score: (p: PlanPost) => number) =>
    list.reduce((best, p) => (score(p) > score(best) ? p : best), list[0]!);
  const questions = posts.filter((p) => p.kind === 'question');
  const question = busiest(
    questions.length ? questions : posts,
    (p) => Math.min(8, p.answers.length) * 10 + p.commentCount,
  );
  const insights = posts.filter((p) => p.kind === 'insight');
  const insight = busiest(insights.length ? insights : posts, (p) => p.confirmations);
  const perTopic = new Map<string, number>();
  const perAuthor = new Map<string, number>();
  for (const p of posts) {
    for (const t of p.topics) perTopic.set(t, (perTopic.get(t) ?? 0) + 1);
    perAuthor.set(p.author.id, (perAuthor.get(p.author.id) ?? 0) + 1);
  }
  const topicId = [...perTopic].sort((a, b) => b[1] - a[1])[0]?.[0] ?? [...topics.values()][0]!;
  const slug = [...topics].find(([, id]) => id === topicId)?.[0] ?? '';
  const voted = new Set<string>();
  for (const f of facts)
    if (f.type === 'vote' && f.voter.id === operator.id && !f.answer) voted.add(f.post.id);
  const voteTargets = newest
    .filter((p) => p.kind !== 'question' && p.author.id !== operator.id && !voted.has(p.id))
    .slice(0, 40)
    .map((p) => p.id);
  const openQuestion =
    newest.find((p) => p.kind === 'question' && p.author.id !== operator.id)?.id ?? question.id;
  return {
    operator: { id: operator.id, email: (operator as { email?: string }).email ?? '' },
    question: question.id,
    insight: insight.id,
    topic: { id: topicId, slug },
    person: [...perAuthor].sort((a, b) => b[1] - a[1])[0]?.[0] ?? operator.id,
    voteTargets,
    openQuestion,
  };
}

/** The kind of a period key: `2026-W48`, `2026-11`, `2026-Q4`, `2026`, `all`. */
function periodKind(period: string): 'week' | 'month' | 'quarter' | 'year' | 'all' {
  if (period.includes('-W')) return 'week';
  if (period.includes('-Q')) return 'quarter';
  if (period.includes('-')) return 'month';
  return period === 'all' ? 'all' : 'year';
}
