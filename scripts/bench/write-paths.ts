/**
 * What each write of the app costs at the size of a data folder, and which of
 * its database calls read a whole collection:
 * `npm run bench -- --write-paths --data DIR` (a folder the scale seed wrote;
 * no app may run on it: this process is its only writer meanwhile).
 *
 * Each service call runs a few times through the real services; every database
 * call it makes is timed by collection and operation. On the embedded engine
 * (FerretDB 1.24) a call that is not an `_id` equality reads the whole
 * collection, so its time grows with the collection: those are the lines to
 * read. The calls leave their writes in the folder (a few posts, answers, votes).
 */
import mongoose from 'mongoose';
import '../../models/index.ts';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Post } from '../../models/post.ts';
import { User } from '../../models/user.ts';
import { type SessionUser, toSessionUser } from '../../server/auth/session-user.ts';
import { loadConfig } from '../../server/config.ts';
import { createLogger } from '../../server/core/logger.ts';
import { disconnectDatabase } from '../../server/db/connection.ts';
import { openDatabase } from '../../server/index.ts';
import { buildRuntime } from '../../server/runtime.ts';
import { SCALE_REPORT_FILE, type ScaleReport } from '../seed/scale.ts';

const METHODS = [
  'find',
  'findOne',
  'insertOne',
  'insertMany',
  'updateOne',
  'updateMany',
  'replaceOne',
  'deleteOne',
  'deleteMany',
  'findOneAndUpdate',
  'countDocuments',
  'estimatedDocumentCount',
  'aggregate',
] as const;

interface OpStat {
  n: number;
  ms: number;
  max: number;
}

/**
 * Times every database call (the driver's collections: the models' and the
 * search index's), by collection, operation and the fields of its filter; a
 * find is timed until its cursor is read out.
 */
function profileCalls(): { take(): Map<string, OpStat> } {
  let stats = new Map<string, OpStat>();
  const record = (key: string, ms: number) => {
    const s = stats.get(key) ?? { n: 0, ms: 0, max: 0 };
    s.n++;
    s.ms += ms;
    s.max = Math.max(s.max, ms);
    stats.set(key, s);
  };
  const proto = (
    mongoose.mongo.Collection as unknown as { prototype: Record<string, (...a: unknown[]) => unknown> }
  ).prototype;
  for (const name of METHODS) {
    const original = proto[name];
    if (typeof original !== 'function') continue;
    proto[name] = function (this: { collectionName: string }, ...args: unknown[]) {
      const filter = args[0];
      const shape =
        filter && typeof filter === 'object' && !Array.isArray(filter)
          ? Object.keys(filter as object).join(',') || '{}'
          : '';
      const key = `${this.collectionName}.${name}(${shape})`;
      const started = performance.now();
      const result = original.apply(this, args) as unknown;
      if (result && typeof (result as Promise<unknown>).then === 'function') {
        const done = () => record(key, performance.now() - started);
        (result as Promise<unknown>).then(done, done);
      } else if (result && typeof (result as { toArray?: unknown }).toArray === 'function') {
        const cursor = result as { toArray: () => Promise<unknown>; next: () => Promise<unknown> };
        const toArray = cursor.toArray.bind(cursor);
        cursor.toArray = async () => {
          try {
            return await toArray();
          } finally {
            record(key, performance.now() - started);
          }
        };
      }
      return result;
    };
  }
  return {
    take() {
      const taken = stats;
      stats = new Map();
      return taken;
    },
  };
}

export async function runWritePaths(dataDir: string, repeat = 3): Promise<void> {
  const out = (line = '') => process.stdout.write(`${line}\n`);
  const seeded = JSON.parse(readFileSync(path.join(dataDir, SCALE_REPORT_FILE), 'utf8')) as {
    report: Omit<ScaleReport, 'status'>;
  };
  const { samples } = seeded.report;
  const config = loadConfig({
    ...process.env,
    DATA_DIR: dataDir,
    MONGODB_URI: '',
    LOG_LEVEL: 'warn',
    POST_INTERVAL_SECONDS: '0',
    DUPLICATE_POST_MINUTES: '0',
  });
  const logger = createLogger('warn');
  const engine = await openDatabase(config, logger);
  try {
    // The adapter the app would use on this engine (the embedded one on FerretDB), as server/index.ts picks it.
    const runtime = buildRuntime(config, logger, { cleanupMinutes: 0, engine: engine?.kind });
    const loading = performance.now();
    await runtime.repos.ready();
    const readyMs = performance.now() - loading;
    const { services } = runtime;
    const calls = profileCalls();
    const person = async (id: string): Promise<SessionUser> =>
      toSessionUser((await User.findById(id).lean())!);
    const operator = await person(samples.operator.id);
    const author = await person(samples.person);
    const lead = toSessionUser((await User.findOne({ email: 'marco.bianchi@aurora.example' }).lean())!);
    const question = await Post.findById(samples.openQuestion, { author: 1 }).lean();
    const asker = await person(String(question!.author));
    calls.take();
    out(
      `write paths on ${dataDir}: ${seeded.report.people} people, ${seeded.report.posts} posts, ${seeded.report.answers} answers, ` +
        `${seeded.report.comments} comments, ${seeded.report.votes} votes, ${seeded.report.ledgerLines} ledger lines; ${repeat} calls each; ` +
        `${runtime.repos.adapter} adapter (repositories ready in ${(readyMs / 1000).toFixed(1)} s)`,
    );
    const created: { posts: string[]; answers: string[]; comments: string[] } = {
      posts: [],
      answers: [],
      comments: [],
    };
    const steps: Array<[string, (i: number) => Promise<unknown>]> = [
      [
        'posts.create (tip)',
        async (i) =>
          created.posts.push(
            await services.posts.create(
              operator,
              {
                kind: 'tip',
                title: `Prova dei percorsi di scrittura ${i} ${Date.now()}`,
                topics: [samples.topic.id],
                tags: ['prova'],
                body: 'Verificare in CRM lo stato della pratica prima di rispondere.',
              },
              [],
            ),
          ),
      ],
      [
        'posts.create (tip naming a colleague)',
        async (i) =>
          created.posts.push(
            await services.posts.create(
              operator,
              {
                kind: 'tip',
                title: `Prova con menzione ${i} ${Date.now()}`,
                topics: [samples.topic.id],
                tags: [],
                body: 'Come spiegava @giulia.romano, prima si verifica il mandato.',
              },
              [],
            ),
          ),
      ],
      [
        'answers.create',
        async () =>
          created.answers.push(
            await services.answers.create(
              samples.openQuestion,
              operator,
              'Dal back office, entro dieci giorni.',
            ),
          ),
      ],
      ['answers.accept (moves the mark)', (i) => services.answers.accept(created.answers[i]!, asker)],
      [
        'answers.comment (on a post)',
        async () =>
          created.comments.push(
            (
              await services.answers.comment(
                'post',
                samples.question,
                operator,
                'Confermo, capitato anche a me.',
              )
            ).commentId,
          ),
      ],
      [
        'answers.comment (on an answer)',
        (i) => services.answers.comment('answer', created.answers[i]!, author, 'Grazie.'),
      ],
      ['votes.vote (cast)', (i) => services.votes.vote(operator, 'post', samples.voteTargets[i]!, 1)],
      [
        'votes.vote (changed to down)',
        (i) => services.votes.vote(operator, 'post', samples.voteTargets[i]!, -1),
      ],
      ['votes.vote (retracted)', (i) => services.votes.vote(operator, 'post', samples.voteTargets[i]!, 0)],
      ['posts.confirm', () => services.posts.confirm(samples.insight, lead).catch(() => 0)],
      ['posts.unconfirm', () => services.posts.unconfirm(samples.insight, lead)],
      ['posts.setBookmark', (i) => services.posts.setBookmark(samples.voteTargets[i]!, operator, true)],
      [
        'posts.update (edit)',
        (i) =>
          services.posts.update(
            created.posts[i]!,
            operator,
            {
              kind: 'tip',
              title: `Prova modificata ${i} ${Date.now()}`,
              topics: [samples.topic.id],
              tags: ['prova'],
              body: 'Verificare in CRM lo stato della pratica, poi richiamare.',
            },
            [],
            [],
          ),
      ],
      ['answers.removeComment', (i) => services.answers.removeComment(created.comments[i]!, operator, '')],
      ['answers.remove', (i) => services.answers.remove(created.answers[i]!, operator, '')],
      ['posts.remove', (i) => services.posts.remove(created.posts[i]!, operator, '')],
      ['topics.follow', () => services.topics.follow(operator, 'topic', samples.topic.id, true)],
      [
        'users.create (admin)',
        (i) =>
          services.users.create(
            {
              email: `write.paths.${Date.now()}.${i}@example.com`,
              displayName: `Write Paths ${i}`,
              roles: ['operator'],
              team: undefined,
              locale: null,
            },
            { actor: lead, ip: '127.0.0.1' },
          ),
      ],
    ];
    out(
      `\n${'service call'.padEnd(38)} ${'ms/call'.padStart(8)}   database calls that took 5 ms or more (ms/call, max)`,
    );
    for (const [name, step] of steps) {
      const started = performance.now();
      for (let i = 0; i < repeat; i++) await step(i);
      const ms = (performance.now() - started) / repeat;
      const slow = [...calls.take()]
        .filter(([, s]) => s.ms / repeat >= 5)
        .sort((a, b) => b[1].ms - a[1].ms)
        .map(([key, s]) => `${key} ${(s.ms / repeat).toFixed(0)} (${s.max.toFixed(0)})`);
      out(`${name.padEnd(38)} ${ms.toFixed(1).padStart(8)}   ${slow.join('; ') || '—'}`);
    }
    await services.scoring.ledger.boards.flush();
    runtime.sessions.close();
  } finally {
    await disconnectDatabase();
    await engine?.stop();
  }
}
