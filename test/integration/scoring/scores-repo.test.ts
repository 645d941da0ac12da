import { expect } from 'chai';
import { Types } from 'mongoose';
import { ScoreBoard, ScoreEvent } from '../../../models/score.ts';
import { Team } from '../../../models/team.ts';
import { User } from '../../../models/user.ts';
import { createRepositories } from '../../../server/db/repositories.ts';
import { periodKey } from '../../../server/scoring/periods.ts';
import {
  type BoardKey,
  boardIdOf,
  compareWhy,
  type ScoresRepo,
  type WhySpec,
} from '../../../server/scoring/scores.repo.ts';
import { boardShard, useBoardWrites } from '../../../server/scoring/scoring.ledger.ts';
import type { RuleId } from '../../../server/scoring/scoring.rules.ts';
import { useTestApp } from '../../helpers/app.ts';
import { createTopics } from '../../helpers/content.ts';
import { createUser } from '../../helpers/users.ts';

const id = () => new Types.ObjectId().toHexString();

/** Ids in ascending order (ties on a board are listed in user id order). */
const ids = (n: number) => Array.from({ length: n }, id).sort();

/**
 * The scores repository's contract, on the engine and adapter of the run (the
 * embedded adapter on FerretDB, the MongoDB adapter on mongo-java-server): the
 * same answers from in-memory indexes and from indexed queries.
 */
describe('scores repository: boards, ranks, the "why" list, team members', function () {
  this.timeout(120_000);
  const t = useTestApp();
  let repo: ScoresRepo;

  /** A second repository on the same database, that has held nothing yet (reads afresh). */
  const freshRepo = (): ScoresRepo => {
    const repos = createRepositories(t.runtime.repos.adapter);
    // The app's own repository stays the one the process's board writers go through.
    useBoardWrites(t.runtime.repos.scores.boardWrites);
    return repos.scores;
  };

  /** Board increments through the ledger's own buffer (what a flush stores). */
  async function add(key: BoardKey, changes: Array<[user: string, points: number, team?: string | null]>) {
    const boards = t.services.scoring.ledger.boards;
    for (const [user, points, team] of changes) boards.add(boardIdOf(key), user, team ?? null, points);
    await boards.flush();
  }

  before(() => {
    repo = t.runtime.repos.scores;
  });

  describe('leaderboards', () => {
    it('ranks with ties (ties share a rank, listed by user id), counts only people with points', async () => {
      const key: BoardKey = { dimension: 'competence', scope: `tp${id()}`, period: 'all' };
      const [a, b, c, d, e, f, zero] = ids(7);
      await add(key, [
        [d!, 30],
        [a!, 50],
        [c!, 40],
        [b!, 40],
        [e!, 10],
        [f!, -5],
        [zero!, 20],
      ]);
      await add(key, [[zero!, -20]]);
      const page = await repo.board(key, { limit: 10, viewer: b!, named: 'everyone' });
      expect(page.people).to.equal(6);
      expect(page.rows.map((r) => [r.user, r.points, r.rank])).to.deep.equal([
        [a, 50, 1],
        [b, 40, 2],
        [c, 40, 2],
        [d, 30, 4],
        [e, 10, 5],
        [f, -5, 6],
      ]);
      expect(page.mine).to.deep.equal({ user: b, points: 40, team: null, rank: 2 });
      expect(page.teams).to.deep.equal([]);
      // Nobody without points is ranked.
      expect((await repo.board(key, { limit: 10, viewer: zero!, named: 'everyone' })).mine).to.equal(null);
      // A repository that reads the board afresh agrees.
      expect(await freshRepo().board(key, { limit: 10, viewer: b!, named: 'everyone' })).to.deep.equal(page);
    });

    it("gives the viewer's rank when they are outside the top N, on a global (sharded) board", async () => {
      const key: BoardKey = { dimension: 'participation', scope: 'g', period: '2031-W07' };
      const people = ids(40);
      // 40 people: 400, 390, … 10 points; two share 200.
      await add(
        key,
        people.map((user, i) => [user, i === 21 ? 200 : 400 - i * 10, i % 2 ? 'team-x' : null]),
      );
      const viewer = people[33]!; // 70 points: 33 people ahead
      const page = await repo.board(key, { limit: 5, viewer, named: 'everyone' });
      expect(page.people).to.equal(40);
      expect(page.rows.map((r) => r.rank)).to.deep.equal([1, 2, 3, 4, 5]);
      expect(page.rows.map((r) => r.user)).to.deep.equal(people.slice(0, 5));
      expect(page.mine).to.deep.equal({ user: viewer, points: 70, team: 'team-x', rank: 34 });
      const tied = await repo.board(key, { limit: 30, viewer: people[21]!, named: 'everyone' });
      expect(tied.mine?.rank).to.equal(21);
      expect(tied.rows.filter((r) => r.points === 200).map((r) => r.rank)).to.deep.equal([21, 21]);
      expect(await freshRepo().board(key, { limit: 5, viewer, named: 'everyone' })).to.deep.equal(page);
    });

    it('reads a board stored with the former shard layout (a topic board in one document) and the increments after it as one', async function () {
      if (t.runtime.repos.adapter !== 'embedded') this.skip(); // board shards are the embedded adapter's storage
      const key: BoardKey = { dimension: 'competence', scope: `tp${id()}`, period: 'all' };
      const shardOf = (user: string) => boardShard(boardIdOf(key), user);
      // People whose shard today is not 0 (where the whole board used to be).
      const [a, b, c] = Array.from({ length: 3 }, () => {
        for (;;) {
          const user = id();
          if (shardOf(user) !== 0) return user;
        }
      });
      // Before: the whole topic board in shard 0, as an older version wrote it.
      await ScoreBoard.collection.insertOne({
        _id: `${boardIdOf(key)}|0`,
        p: { [a!]: 50, [b!]: 40, [c!]: 30 },
        tm: { [a!]: 'old-team', [b!]: null, [c!]: null },
      } as never);
      // After: increments go to each person's shard of today's layout.
      await add(key, [
        [c!, 25, 'team-c'],
        [a!, 1, 'new-team'],
      ]);
      const page = await freshRepo().board(key, { limit: 5, viewer: c!, named: 'everyone' });
      expect(page.rows.map((r) => [r.user, r.points])).to.deep.equal([
        [c!, 55],
        [a!, 51],
        [b!, 40],
      ]);
      expect(page.people).to.equal(3);
      expect(page.mine).to.deep.equal({ user: c!, points: 55, team: 'team-c', rank: 1 });
    });

    it('moves a person on the board when their score changes, and drops them at 0', async () => {
      const key: BoardKey = { dimension: 'competence', scope: `tm${id()}`, period: '2031' };
      const [a, b, c] = ids(3);
      await add(key, [
        [a!, 30],
        [b!, 20],
        [c!, 10],
      ]);
      expect((await repo.board(key, { limit: 3, viewer: c!, named: 'everyone' })).mine?.rank).to.equal(3);
      await add(key, [[c!, 25]]); // c: 35, first
      let page = await repo.board(key, { limit: 3, viewer: c!, named: 'everyone' });
      expect(page.rows.map((r) => [r.user, r.points, r.rank])).to.deep.equal([
        [c, 35, 1],
        [a, 30, 2],
        [b, 20, 3],
      ]);
      await add(key, [
        [a!, -30],
        [b!, 15],
      ]); // a leaves the board; b ties c
      page = await repo.board(key, { limit: 3, viewer: a!, named: 'everyone' });
      expect(page.people).to.equal(2);
      expect(page.mine).to.equal(null);
      expect(page.rows.map((r) => [r.user, r.points, r.rank])).to.deep.equal([
        [b, 35, 1],
        [c, 35, 1],
      ]);
      expect(await freshRepo().board(key, { limit: 3, viewer: a!, named: 'everyone' })).to.deep.equal(page);
    });

    it('protected mode: names only people who opted in (ranked among everyone), counts the others per team', async () => {
      const team = await Team.create({ name: `Board ${Date.now()}`, slug: `board-${Date.now()}` });
      const shown = await createUser({ team: team._id });
      const hidden = await createUser({ team: team._id });
      const alone = await createUser();
      await User.updateOne({ _id: shown.id }, { $set: { scoresPublic: true } });
      const key: BoardKey = { dimension: 'competence', scope: `tp${id()}`, period: '2031-Q2' };
      const teamId = String(team._id);
      await add(key, [
        [hidden.id, 90, teamId],
        [alone.id, 80, null],
        [shown.id, 70, teamId],
      ]);
      const page = await repo.board(key, { limit: 10, viewer: hidden.id, named: 'optedIn' });
      expect(page.people).to.equal(3);
      expect(page.rows).to.deep.equal([{ user: shown.id, points: 70, team: teamId, rank: 3 }]);
      expect(page.mine).to.deep.equal({ user: hidden.id, points: 90, team: teamId, rank: 1 });
      expect(page.teams).to.deep.equal([
        { team: teamId, people: 1, points: 90 },
        { team: null, people: 1, points: 80 },
      ]);
    });

    it('a rebuild from the ledger gives the same boards as the increments', async () => {
      const topics = await createTopics();
      const team = await Team.create({ name: `Rebuild ${Date.now()}`, slug: `rebuild-${Date.now()}` });
      const people = await Promise.all([1, 2, 3].map(() => createUser({ team: team._id })));
      const ledger = t.services.scoring.ledger;
      const at = new Date('2031-03-04T10:00:00Z');
      for (const [i, person] of people.entries())
        for (let n = 0; n <= i; n++)
          await ledger.record(
            { type: 'test', id: `rebuild-${person.id}-${n}` },
            [{ user: person.id, rule: 'upvoteReceived', topics: [topics.billing], actor: null }],
            at,
          );
      const keys: BoardKey[] = [
        { dimension: 'competence', scope: 'g', period: 'all' },
        { dimension: 'competence', scope: `tp${topics.billing}`, period: '2031-03' },
        {
          dimension: 'competence',
          scope: `tm${team._id}`,
          period: periodKey('week', at, t.config.scoresTimeZone),
        },
      ];
      await ledger.boards.flush();
      const before = await Promise.all(
        keys.map((key) => repo.board(key, { limit: 10, viewer: people[0]!.id, named: 'everyone' })),
      );
      expect(before[1]!.rows.map((r) => r.user)).to.deep.equal([people[2]!.id, people[1]!.id, people[0]!.id]);
      expect((await t.services.scoring.rebuild()).changed).to.equal(0);
      const after = await Promise.all(
        keys.map((key) => repo.board(key, { limit: 10, viewer: people[0]!.id, named: 'everyone' })),
      );
      expect(after).to.deep.equal(before);
    });
  });

  describe('the "why" list', () => {
    const rules: RuleId[] = ['commentPosted', 'answerPosted', 'upvoteReceived'];
    let person: string;
    let topicA: string;
    let topicB: string;

    before(async () => {
      person = (await createUser()).id;
      topicA = id();
      topicB = id();
      const ledger = t.services.scoring.ledger;
      // Lines written out of time order, many sharing a time (a reversal keeps its line's time too).
      const times = [
        '2031-05-02T08:00:00Z',
        '2031-05-01T08:00:00Z',
        '2031-05-03T08:00:00Z',
        '2031-05-02T08:00:00Z',
      ].map((s) => new Date(s));
      for (let i = 0; i < 26; i++) {
        const rule = rules[i % 3]!;
        await ledger.record(
          { type: 'test', id: `why-${i}` },
          [{ user: person, rule, topics: i % 2 ? [topicA] : [topicA, topicB], actor: null }],
          times[i % times.length]!,
        );
      }
      await ledger.reverseSource('test:why-4', 'moderator', new Date('2031-06-01T00:00:00Z'), null);
    });

    /** What the list must show: every line of the person, by time then id, newest first. */
    async function expected(match: (line: Record<string, unknown>) => boolean = () => true) {
      const docs = (await ScoreEvent.find({ user: person }).lean()) as unknown as Array<
        Record<string, unknown>
      >;
      return docs
        .filter(match)
        .map((d) => ({ at: (d.at as Date).getTime(), id: String(d._id) }))
        .sort(compareWhy)
        .map((d) => d.id);
    }

    async function allPages(r: ScoresRepo, spec: Omit<WhySpec, 'limit' | 'after'>, limit: number) {
      const seen: string[] = [];
      const sizes: number[] = [];
      let after: WhySpec['after'];
      for (let guard = 0; guard < 50; guard++) {
        const page = await r.why(person, { ...spec, after, limit });
        sizes.push(page.length);
        seen.push(...page.map((l) => l.id));
        const last = page[page.length - 1];
        if (page.length < limit || !last) break;
        after = { at: last.at, id: last.id };
      }
      return { seen, sizes };
    }

    it('lists lines newest first in time order (not write order), paging across equal times without gaps or repeats', async () => {
      const all = await expected();
      expect(all.length).to.equal(27);
      const first = await repo.why(person, { limit: 27 });
      expect(first.map((l) => l.id)).to.deep.equal(all);
      expect(first[0]!.rule).to.be.oneOf(rules);
      expect(first[0]!.at.getTime()).to.equal(Date.parse('2031-05-03T08:00:00Z'));
      // The reversal keeps the time of the line it reverses (written last, listed beside it).
      const reversal = first.find((l) => l.reverses === `${person}:5`);
      expect(reversal?.at.getTime()).to.equal(first.find((l) => l.id === `${person}:5`)?.at.getTime());
      expect(reversal?.id).to.equal(`${person}:27`);
      expect(first.indexOf(reversal!)).to.be.greaterThan(0);
      for (const limit of [1, 4, 7]) {
        const { seen } = await allPages(repo, {}, limit);
        expect(seen, `pages of ${limit}`).to.deep.equal(all);
      }
      // A repository that has held nothing reads the person's lines back and agrees.
      expect((await allPages(freshRepo(), {}, 4)).seen).to.deep.equal(all);
    });

    it('filters by dimension, rule and topic, paged the same way', async () => {
      const byRule = await expected((l) => l.rule === 'answerPosted');
      expect(byRule.length).to.be.greaterThan(4);
      expect((await allPages(repo, { rule: 'answerPosted' }, 3)).seen).to.deep.equal(byRule);
      const competence = await expected((l) => l.dimension === 'competence');
      expect((await allPages(repo, { dimension: 'competence' }, 2)).seen).to.deep.equal(competence);
      const inB = await expected((l) => (l.topics as unknown[]).map(String).includes(topicB));
      expect(inB.length).to.be.within(10, 20);
      expect((await allPages(repo, { topic: topicB }, 5)).seen).to.deep.equal(inB);
      expect((await allPages(freshRepo(), { topic: topicB, rule: 'commentPosted' }, 2)).seen).to.deep.equal(
        await expected(
          (l) => l.rule === 'commentPosted' && (l.topics as unknown[]).map(String).includes(topicB),
        ),
      );
      expect(await repo.why(person, { topic: id(), limit: 5 })).to.deep.equal([]);
    });

    it('follows new lines as they are written', async () => {
      const fresh = freshRepo();
      await fresh.why(person, { limit: 1 }); // held from here on
      await t.services.scoring.ledger.record(
        { type: 'test', id: 'why-late' },
        [{ user: person, rule: 'commentPosted', topics: [topicB], actor: null }],
        new Date('2031-05-02T08:00:00Z'),
      );
      const all = await expected();
      expect(all.length).to.equal(28);
      expect((await allPages(fresh, {}, 5)).seen).to.deep.equal(all);
      expect((await allPages(repo, {}, 5)).seen).to.deep.equal(all);
      expect(await repo.why(id(), { limit: 5 }), 'nobody').to.deep.equal([]);
    });
  });

  describe('team members and their cards', () => {
    it('lists active members in name order, and reads their cards by id', async () => {
      const team = await Team.create({ name: `Members ${Date.now()}`, slug: `members-${Date.now()}` });
      const zed = await createUser({ team: team._id, displayName: 'Zeno Zanetti' });
      const amy = await createUser({ team: team._id, displayName: 'Anna Alberti' });
      await createUser({ team: team._id, displayName: 'Ex Collega', active: false });
      await createUser({ displayName: 'Altro Team' });
      const topic = id();
      await User.updateOne({ _id: amy.id }, { $set: { topics: [topic] } });
      await t.services.scoring.ledger.record(
        { type: 'test', id: `member-${zed.id}` },
        [{ user: zed.id, rule: 'commentPosted', topics: [], actor: null }],
        new Date(),
      );
      const members = await repo.teamMembers(String(team._id));
      expect(members).to.deep.equal([
        { id: amy.id, displayName: 'Anna Alberti', topics: [topic] },
        { id: zed.id, displayName: 'Zeno Zanetti', topics: [] },
      ]);
      const cards = await repo.cards(members.map((m) => m.id));
      expect([...cards.keys()]).to.deep.equal([zed.id]);
      expect(cards.get(zed.id)?.seq).to.equal(1);
      expect(await repo.card(amy.id)).to.deep.equal({});
      // Moving to another team moves the person.
      await User.updateOne({ _id: zed.id }, { $set: { team: null } });
      expect((await repo.teamMembers(String(team._id))).map((m) => m.id)).to.deep.equal([amy.id]);
    });
  });
});
