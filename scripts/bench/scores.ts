/**
 * Scores at scale: `npm run bench -- --scores-only [--score-users 10000 --score-events 1000000]`.
 *
 * Writes a ledger of N lines for M people (teams and topics of the demo
 * organisation, rules drawn by how often they happen, dates over two years),
 * rebuilds every total and leaderboard from it (the full recompute, timed),
 * then serves leaderboard pages from the precomputed boards under load.
 * Figures are printed, never asserted.
 */
import autocannon from 'autocannon';
import { Types } from 'mongoose';
import { ScoreEvent } from '../../models/score.ts';
import { Team } from '../../models/team.ts';
import { Topic } from '../../models/topic.ts';
import { foldName, hashPassword, User } from '../../models/user.ts';
import { op } from '../../server/db/query.ts';
import type { RunningServer } from '../../server/index.ts';
import { DEFAULT_RULES, RULES, type RuleId } from '../../server/scoring/scoring.rules.ts';
import { createRandom } from '../../server/seed/random.ts';
import { createSessions } from './fanout.ts';

/** How often each rule happens, roughly (votes and comments are the most common facts). */
const WEIGHTS: Array<[RuleId, number]> = [
  ['voteCast', 30],
  ['upvoteReceived', 25],
  ['commentPosted', 10],
  ['contentPosted', 6],
  ['answerPosted', 6],
  ['questionAsked', 3],
  ['confirmationGiven', 4],
  ['confirmationReceived', 4],
  ['answerAccepted', 2],
  ['answerAccepter', 2],
  ['downvoteReceived', 2],
  ['promoted', 1],
  ['articleCited', 2],
  ['articleHelpful', 2],
  ['feedbackComment', 1],
];

export interface ScoreBenchOptions {
  users: number;
  events: number;
  duration: number;
  connections: number;
  secret: string;
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

export async function runScoreBench(server: RunningServer, options: ScoreBenchOptions): Promise<void> {
  const random = createRandom(77);
  const out = (line: string) => process.stdout.write(`${line}\n`);
  const teams = (await Team.find({}, { _id: 1 }).lean()).map((t) => t._id);
  const topics = (await Topic.find({}, { _id: 1 }).lean()).map((t) => t._id);
  // People: the bench's own, each in a team.
  let started = Date.now();
  const hash = await hashPassword('bench-password-0000');
  const existing = await User.countDocuments({ email: op({ $regex: '^score\\.' }) });
  for (let offset = existing; offset < options.users; offset += 1000) {
    const batch = Array.from({ length: Math.min(1000, options.users - offset) }, (_, i) => {
      const n = offset + i;
      const displayName = `Score Operator ${n}`;
      return {
        email: `score.${n}@bench.example`,
        displayName,
        nameKey: foldName(displayName),
        passwordHash: hash,
        roles: ['operator'],
        team: teams[n % teams.length],
        active: true,
        lastSeenAt: new Date(),
      };
    });
    await User.insertMany(batch, { ordered: false });
  }
  const people = await User.find({ email: op({ $regex: '^score\\.' }) }, { _id: 1, team: 1 }).lean();
  out(`${people.length} people ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);

  // The ledger: written in bulk (the app writes it line by line as facts happen).
  started = Date.now();
  const seq = new Map<string, number>();
  const totalWeight = WEIGHTS.reduce((sum, [, w]) => sum + w, 0);
  const pickRule = (): RuleId => {
    let r = random.int(1, totalWeight);
    for (const [rule, w] of WEIGHTS) {
      r -= w;
      if (r <= 0) return rule;
    }
    return 'voteCast';
  };
  const now = Date.now();
  const span = 2 * 365 * 86_400_000;
  const chunk = 5000;
  for (let written = 0; written < options.events; written += chunk) {
    const docs = Array.from({ length: Math.min(chunk, options.events - written) }, () => {
      const person = people[random.int(0, people.length - 1)]!;
      const user = String(person._id);
      const n = (seq.get(user) ?? 0) + 1;
      seq.set(user, n);
      const rule = pickRule();
      const points = DEFAULT_RULES.points[rule];
      return {
        _id: `${user}:${n}`,
        user: person._id,
        dimension: RULES[rule],
        topics: random.sample(topics, random.int(1, 2)),
        team: person.team ?? null,
        points,
        base: points,
        rule,
        capped: null,
        source: { type: 'bench', id: new Types.ObjectId().toHexString(), post: null },
        actor: null,
        at: new Date(now - random.int(0, span)),
        reverses: null,
        reason: null,
        rulesVersion: 0,
      };
    });
    await ScoreEvent.collection.insertMany(docs as never[], { ordered: false });
    if ((written / chunk) % 40 === 39) out(`  … ${written + docs.length} ledger lines`);
  }
  // Counted here: a count over a million documents is itself a full read on the embedded engine.
  const lines = [...seq.values()].reduce((sum, n) => sum + n, 0);
  out(`ledger: ${lines} lines written in ${((Date.now() - started) / 1000).toFixed(1)} s`);

  // The full recompute: every line read, every card and board rebuilt.
  const scoring = server.runtime.services.scoring;
  const heapBefore = process.memoryUsage().rss;
  const rebuild = await scoring.rebuild();
  out(
    `full rebuild from the ledger: ${rebuild.events} lines, ${rebuild.people} people in ${(rebuild.ms / 1000).toFixed(1)} s` +
      ` (${Math.round(rebuild.events / (rebuild.ms / 1000))} lines/s: reading and adding ${(rebuild.scanMs / 1000).toFixed(1)} s,` +
      ` cards ${(rebuild.cardsMs / 1000).toFixed(1)} s, ${rebuild.boards} boards ${(rebuild.boardsMs / 1000).toFixed(1)} s;` +
      ` process RSS ${mb(heapBefore)} → ${mb(process.memoryUsage().rss)})`,
  );
  // Leaderboards under load, from the precomputed boards.
  const [cookie] = await createSessions([String(people[0]!._id)], options.secret);
  const topic = String(topics[0]);
  const team = String(teams[0]);
  const boards = [
    {
      name: 'global competence, all time',
      path: '/leaderboards?dimension=competence&scope=global&period=all',
    },
    {
      name: 'global participation, this week',
      path: '/leaderboards?dimension=participation&scope=global&period=week',
    },
    {
      name: 'topic competence, this quarter',
      path: `/leaderboards?dimension=competence&scope=topic&topic=${topic}&period=quarter`,
    },
    {
      name: 'own team participation, this year',
      path: `/leaderboards?dimension=participation&scope=team&team=${team}&period=year`,
    },
    { name: 'profile scores and why', path: `/people/${String(people[0]!._id)}/scores` },
  ];
  out(
    `\n${'scores page'.padEnd(36)} ${'req/s'.padStart(9)} ${'p50 ms'.padStart(8)} ${'p90 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'errors'.padStart(7)}`,
  );
  for (const board of boards) {
    // One request first: it must succeed (a page that fails is not measured).
    const first = Date.now();
    const res = await fetch(`${server.url}${board.path}`, {
      headers: { Cookie: cookie! },
      redirect: 'manual',
    });
    if (res.status !== 200) throw new Error(`${board.path} answered ${res.status}`);
    await res.text();
    const firstMs = Date.now() - first;
    const result = await autocannon({
      url: `${server.url}${board.path}`,
      connections: options.connections,
      duration: options.duration,
      headers: { Cookie: cookie! },
    });
    out(
      `${`${board.name} (first ${firstMs} ms)`.padEnd(36)} ${result.requests.average.toFixed(0).padStart(9)} ${String(result.latency.p50).padStart(8)} ${String(result.latency.p90).padStart(8)} ${String(result.latency.p99).padStart(8)} ${String(result.errors + result.non2xx).padStart(7)}`,
    );
  }
  // Last: the recompute reads the whole ledger again, then rebuilds.
  const recompute = await scoring.recompute(null);
  out(
    `recompute with the current rules: ${recompute.scanned} lines read, ${recompute.adjusted} adjusted, ${(recompute.ms / 1000).toFixed(1)} s`,
  );
}
