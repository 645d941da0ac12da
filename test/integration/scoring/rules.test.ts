import { expect } from 'chai';
import { ScoreBoard, ScoreCard, ScoreEvent } from '../../../models/score.ts';
import { Team } from '../../../models/team.ts';
import type { SessionUser } from '../../../server/auth/session-user.ts';
import { StorageMigrations, trimScoreCards } from '../../../server/db/migrations.ts';
import { periodKey } from '../../../server/scoring/periods.ts';
import { boardShard } from '../../../server/scoring/scoring.ledger.ts';
import { DEFAULT_RULES } from '../../../server/scoring/scoring.rules.ts';
import { useTestApp } from '../../helpers/app.ts';
import { createPost, createTopics, FAST_POSTING, sessionUserOf } from '../../helpers/content.ts';
import { rulesWith } from '../../helpers/scoring.ts';
import { createUser } from '../../helpers/users.ts';

type Card = { t?: Record<string, Record<string, Record<string, number>>>; n?: Record<string, number> };

async function card(userId: string): Promise<Card> {
  return ((await ScoreCard.findById(userId).lean()) as Card | null) ?? {};
}

async function total(userId: string, dimension: 'participation' | 'competence', scope = 'g', period = 'all') {
  return (await card(userId)).t?.[dimension]?.[scope]?.[period] ?? 0;
}

async function lines(userId: string) {
  return ScoreEvent.find({ user: userId }).sort({ _id: 1 }).lean();
}

describe('scores: the rules table, caps and reversals', function () {
  this.timeout(120_000);
  const t = useTestApp({ env: FAST_POSTING });
  let topics: Awaited<ReturnType<typeof createTopics>>;
  let admin: SessionUser;

  before(async () => {
    topics = await createTopics();
    admin = await sessionUserOf(await createUser({ roles: ['admin'] }));
  });

  afterEach(async () => {
    await t.services.scoring.settings.updateRules(DEFAULT_RULES, admin);
  });

  it('credits posting: +5 for an insight or tip, +2 for a question, +5 an answer, +1 a comment', async () => {
    const team = await Team.create({ name: `Squadra ${Date.now()}`, slug: `squadra-${Date.now()}` });
    const author = await createUser({ team: team._id });
    const insight = await createPost(t, author, 'insight', [topics.billing, topics.fibre]);
    await createPost(t, author, 'tip', [topics.billing]);
    const question = await createPost(t, author, 'question', [topics.billing]);
    const other = await createUser();
    await t.services.answers.create(question, await sessionUserOf(other), 'Una risposta utile');
    await t.services.answers.comment('post', insight, await sessionUserOf(other), 'Un commento');

    expect(await total(author.id, 'participation')).to.equal(12);
    expect(await total(author.id, 'participation', `tp${topics.billing}`)).to.equal(12);
    expect(await total(author.id, 'participation', `tp${topics.fibre}`)).to.equal(5);
    expect(await total(author.id, 'participation', `tm${team._id}`)).to.equal(12);
    expect(await total(other.id, 'participation')).to.equal(6);
    const now = new Date();
    for (const kind of ['week', 'month', 'quarter', 'year'] as const)
      expect(
        await total(author.id, 'participation', 'g', periodKey(kind, now, t.config.scoresTimeZone)),
      ).to.equal(12);
    // A topic's or team's total for a period is on that board; the card keeps the all-time one.
    const week = periodKey('week', now, t.config.scoresTimeZone);
    expect((await card(author.id)).t?.participation?.[`tp${topics.billing}`]).to.deep.equal({ all: 12 });
    expect((await card(author.id)).t?.participation?.[`tm${team._id}`]).to.deep.equal({ all: 12 });
    await t.services.scoring.ledger.boards.flush();
    const weekBoard = `participation|tp${topics.billing}|${week}`;
    const board = await ScoreBoard.findById(`${weekBoard}|${boardShard(weekBoard, author.id)}`).lean();
    expect((board?.p as Record<string, number> | undefined)?.[author.id]).to.equal(12);
    const ledger = await lines(author.id);
    expect(ledger.map((l) => [l.rule, l.points, l.dimension])).to.deep.equal([
      ['contentPosted', 5, 'participation'],
      ['contentPosted', 5, 'participation'],
      ['questionAsked', 2, 'participation'],
    ]);
    expect(ledger[0]!.source).to.include({ type: 'post', id: insight });
  });

  it('credits votes: +1 to the voter, +10 competence per topic to the author; a retraction writes reversals', async () => {
    const author = await createUser();
    const voter = await sessionUserOf(await createUser());
    const insight = await createPost(t, author, 'insight', [topics.billing, topics.fibre]);
    await t.services.votes.vote(voter, 'post', insight, 1);
    expect(await total(author.id, 'competence')).to.equal(10, 'global counts the vote once');
    expect(await total(author.id, 'competence', `tp${topics.billing}`)).to.equal(10);
    expect(await total(author.id, 'competence', `tp${topics.fibre}`)).to.equal(10);
    expect(await total(voter.id, 'participation')).to.equal(1);

    await t.services.votes.vote(voter, 'post', insight, 0);
    expect(await total(author.id, 'competence')).to.equal(0);
    expect(await total(voter.id, 'participation')).to.equal(0);
    const authorLines = (await lines(author.id)).filter((l) => l.dimension === 'competence');
    expect(authorLines.map((l) => [l.rule, l.points, l.reason])).to.deep.equal([
      ['upvoteReceived', 10, null],
      ['upvoteReceived', -10, 'retracted'],
    ]);
    expect(authorLines[1]!.reverses).to.equal(String(authorLines[0]!._id));

    // Changing an upvote into a downvote reverses the upvote and records the downvote.
    await t.services.votes.vote(voter, 'post', insight, 1);
    await t.services.votes.vote(voter, 'post', insight, -1);
    expect(await total(author.id, 'competence')).to.equal(-2);
    expect(await total(voter.id, 'participation')).to.equal(1, 'one vote in force');
  });

  it('downvoting an answer costs the voter 1 participation; the author loses 2 competence', async () => {
    const asker = await createUser();
    const answerer = await createUser();
    const voter = await sessionUserOf(await createUser());
    const question = await createPost(t, asker, 'question', [topics.sdd]);
    const answer = await t.services.answers.create(question, await sessionUserOf(answerer), 'Prova così');
    await t.services.votes.vote(voter, 'answer', answer, -1);
    expect(await total(answerer.id, 'competence', `tp${topics.sdd}`)).to.equal(-2);
    expect((await lines(voter.id)).map((l) => [l.rule, l.points])).to.deep.equal([
      ['voteCast', 1],
      ['downvoteAnswerCast', -1],
    ]);
  });

  it('credits an accepted answer (+15 to its author, +2 to the asker) and reverses it when un-accepted', async () => {
    const asker = await createUser();
    const answerer = await createUser();
    const question = await createPost(t, asker, 'question', [topics.billing]);
    const answer = await t.services.answers.create(question, await sessionUserOf(answerer), 'Ecco come');
    await t.services.answers.accept(answer, await sessionUserOf(asker));
    expect(await total(answerer.id, 'competence', `tp${topics.billing}`)).to.equal(15);
    expect(await total(asker.id, 'participation')).to.equal(4);
    expect((await card(answerer.id)).n?.answerAccepted).to.equal(1);
    await t.services.answers.unaccept(answer, await sessionUserOf(asker));
    expect(await total(answerer.id, 'competence')).to.equal(0);
    expect(await total(asker.id, 'participation')).to.equal(2);
    expect((await card(answerer.id)).n?.answerAccepted).to.equal(0);
    const reversal = (await lines(answerer.id)).find((l) => l.reason === 'unaccepted');
    expect(reversal?.points).to.equal(-15);
  });

  it('credits "seen this too": +1 to who gives it, +3 competence to the author; removing it reverses both', async () => {
    const author = await createUser();
    const colleague = await sessionUserOf(await createUser());
    const insight = await createPost(t, author, 'insight', [topics.fibre]);
    await t.services.posts.confirm(insight, colleague);
    expect(await total(author.id, 'competence', `tp${topics.fibre}`)).to.equal(3);
    expect(await total(colleague.id, 'participation')).to.equal(1);
    await t.services.posts.unconfirm(insight, colleague);
    expect(await total(author.id, 'competence')).to.equal(0);
    expect(await total(colleague.id, 'participation')).to.equal(0);
  });

  it("a deleted post takes back its author's points (posting and votes received), not the voters'", async () => {
    const author = await createUser();
    const voter = await sessionUserOf(await createUser());
    const tip = await createPost(t, author, 'tip', [topics.billing]);
    await t.services.votes.vote(voter, 'post', tip, 1);
    expect(await total(author.id, 'competence')).to.equal(10);
    await t.services.posts.remove(tip, await sessionUserOf(author), '');
    expect(await total(author.id, 'competence')).to.equal(0);
    expect(await total(author.id, 'participation')).to.equal(0);
    expect(await total(voter.id, 'participation')).to.equal(1);
    const reasons = (await lines(author.id)).filter((l) => l.reverses).map((l) => l.reason);
    expect(reasons).to.deep.equal(['deleted', 'deleted']);
  });

  it('caps votes cast per day: the vote beyond the cap is stored with 0 points and the reason', async () => {
    await t.services.scoring.settings.updateRules(
      rulesWith((r) => {
        r.caps.votesCastPerDay = 2;
      }),
      admin,
    );
    const author = await createUser();
    const voter = await sessionUserOf(await createUser());
    for (let i = 0; i < 3; i++) {
      const tip = await createPost(t, author, 'tip', [topics.billing]);
      await t.services.votes.vote(voter, 'post', tip, 1);
    }
    const cast = (await lines(voter.id)).filter((l) => l.rule === 'voteCast');
    expect(cast.map((l) => [l.points, l.capped])).to.deep.equal([
      [1, null],
      [1, null],
      [0, 'votesCastPerDay'],
    ]);
    expect(await total(voter.id, 'participation')).to.equal(2);
  });

  it('caps counted votes per voter → author pair per day, and competence from votes per day', async () => {
    await t.services.scoring.settings.updateRules(
      rulesWith((r) => {
        r.caps.votesPerPairPerDay = 2;
        r.caps.voteCompetencePerDay = 25;
      }),
      admin,
    );
    const author = await createUser();
    const voter = await sessionUserOf(await createUser());
    for (let i = 0; i < 3; i++)
      await t.services.votes.vote(voter, 'post', await createPost(t, author, 'tip', [topics.billing]), 1);
    const received = (await lines(author.id)).filter((l) => l.rule === 'upvoteReceived');
    expect(received.map((l) => [l.points, l.capped])).to.deep.equal([
      [10, null],
      [10, null],
      [0, 'votesPerPairPerDay'],
    ]);
    // Another voter: only 5 of the daily 25 are left for this author.
    const second = await sessionUserOf(await createUser());
    const tip = await createPost(t, author, 'tip', [topics.billing]);
    await t.services.votes.vote(second, 'post', tip, 1);
    const last = (await lines(author.id)).filter((l) => l.rule === 'upvoteReceived').at(-1);
    expect([last?.points, last?.base, last?.capped]).to.deep.equal([5, 10, 'voteCompetencePerDay']);
    expect(await total(author.id, 'competence')).to.equal(25);
    // Retracting the capped vote reverses exactly what it earned.
    await t.services.votes.vote(second, 'post', tip, 0);
    expect(await total(author.id, 'competence')).to.equal(20);
  });

  it('never credits oneself: accepting one\'s own answer earns nothing, recorded as "self"', async () => {
    const asker = await createUser();
    const question = await createPost(t, asker, 'question', [topics.billing]);
    const answer = await t.services.answers.create(
      question,
      await sessionUserOf(asker),
      'Mi rispondo da solo',
    );
    await t.services.answers.accept(answer, await sessionUserOf(asker));
    const accepted = (await lines(asker.id)).filter(
      (l) => l.rule === 'answerAccepted' || l.rule === 'answerAccepter',
    );
    expect(accepted.map((l) => [l.rule, l.points, l.capped])).to.deep.equal([
      ['answerAccepted', 0, 'self'],
      ['answerAccepter', 0, 'self'],
    ]);
  });
  it('trims cards of the older shape once: topic and team periods go, global periods and all-time totals stay', async () => {
    const person = await createUser();
    await ScoreCard.collection.insertOne({
      _id: person.id as never,
      seq: 3,
      t: {
        participation: {
          g: { all: 7, '2026': 7, '2026-W49': 7 },
          tpabc: { all: 5, '2026': 5, '2026-Q4': 5, '2026-W49': 5 },
          tmxyz: { all: 7, '2026-12': 7 },
        },
        competence: { g: { all: 2, '2026-W49': 2 }, tpabc: { all: 2, '2026-W49': 2 } },
      },
      n: { contentPosted: 1 },
    });
    await ScoreCard.db.collection('storage_migrations').deleteMany({});
    // Stopped (the app shutting down): nothing trimmed, nothing marked done.
    expect(await trimScoreCards(() => true)).to.equal(0);
    expect((await card(person.id)).t?.participation?.tpabc).to.have.property('2026-W49');
    // In the background after start, as the app runs it.
    const migrations = new StorageMigrations();
    await migrations.ready();
    await migrations.settled();
    await migrations.close();
    expect((await card(person.id)).t?.participation?.tpabc).to.deep.equal({ all: 5 });
    await ScoreCard.db.collection('storage_migrations').deleteMany({});
    expect(await trimScoreCards()).to.equal(0, 'nothing of the older shape is left');
    await ScoreCard.collection.updateOne(
      { _id: person.id as never },
      {
        $set: {
          't.participation.tpabc.2026-Q4': 5,
          't.participation.tpabc.2026': 5,
          't.participation.tmxyz.2026-12': 7,
          't.participation.tpabc.2026-W49': 5,
          't.competence.tpabc.2026-W49': 2,
        },
      },
    );
    await ScoreCard.db.collection('storage_migrations').deleteMany({});
    expect(await trimScoreCards()).to.be.at.least(1);
    const trimmed = await card(person.id);
    expect(trimmed.t).to.deep.equal({
      participation: { g: { all: 7, '2026': 7, '2026-W49': 7 }, tpabc: { all: 5 }, tmxyz: { all: 7 } },
      competence: { g: { all: 2, '2026-W49': 2 }, tpabc: { all: 2 } },
    });
    expect(trimmed.n).to.deep.equal({ contentPosted: 1 });
    // Done once: a card of the older shape written later is left to the ledger.
    await ScoreCard.collection.updateOne(
      { _id: person.id as never },
      { $set: { 't.participation.tpabc.2026': 5 } },
    );
    expect(await trimScoreCards()).to.equal(0);
  });
});
