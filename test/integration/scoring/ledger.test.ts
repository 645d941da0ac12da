import { expect } from 'chai';
import { Types } from 'mongoose';
import { AuditEntry } from '../../../models/audit-entry.ts';
import { RecentVote, ScoreBoard, ScoreCard, ScoreEvent } from '../../../models/score.ts';
import { Team } from '../../../models/team.ts';
import { User } from '../../../models/user.ts';
import type { SessionUser } from '../../../server/auth/session-user.ts';
import type { Grant } from '../../../server/scoring/scoring.ledger.ts';
import { DEFAULT_RULES, RULE_IDS } from '../../../server/scoring/scoring.rules.ts';
import { createRandom } from '../../../server/seed/random.ts';
import { csrfToken, type TestApp, useTestApp } from '../../helpers/app.ts';
import { createPost, createTopics, FAST_POSTING, sessionUserOf } from '../../helpers/content.ts';
import { rulesWith } from '../../helpers/scoring.ts';
import { createUser, signedIn } from '../../helpers/users.ts';

type Doc = Record<string, unknown>;

/** Every card's totals and every board, as stored (decayed values rounded: float sums differ in order). */
async function snapshot(t: TestApp) {
  await t.services.scoring.ledger.boards.flush();
  // Canonical form: keys sorted, decayed values rounded (float sums differ in order).
  const round = (v: unknown): unknown =>
    typeof v === 'number'
      ? Number(v.toPrecision(12))
      : v && typeof v === 'object'
        ? Object.fromEntries(
            Object.entries(v)
              .sort(([a], [b]) => a.localeCompare(b))
              .map(([k, x]) => [k, round(x)]),
          )
        : v;
  const cards = (await ScoreCard.find({}).lean()).map((c) => {
    const d = c as Doc;
    const fields = { t: d.t, n: d.n, accepted: d.accepted, promoted: d.promoted, d: d.d };
    // A field never incremented is absent from an incremental card and empty in a rebuilt one.
    for (const [k, v] of Object.entries(fields)) if (v === undefined) (fields as Doc)[k] = {};
    return round({ id: String(d._id), seq: d.seq, ...fields }) as {
      id: string;
    };
  });
  cards.sort((a, b) => a.id.localeCompare(b.id));
  const boards = (await ScoreBoard.find({}).lean()).map((b) => {
    const p = Object.fromEntries(Object.entries(b.p as Record<string, number>).filter(([, v]) => v !== 0));
    return { id: String(b._id), p: round(p) as Record<string, number> };
  });
  boards.sort((a, b) => a.id.localeCompare(b.id));
  return { cards, boards: boards.filter((b) => Object.keys(b.p).length > 0) };
}

describe('scores: ledger integrity, decay, levels, serial voting, recompute', function () {
  this.timeout(300_000);
  const t = useTestApp({ env: FAST_POSTING });
  let topics: Awaited<ReturnType<typeof createTopics>>;
  let admin: SessionUser;

  before(async () => {
    topics = await createTopics();
    admin = await sessionUserOf(await createUser({ roles: ['admin'], displayName: 'Ada Admin' }));
  });

  afterEach(async () => {
    await t.services.scoring.settings.updateRules(DEFAULT_RULES, admin);
  });

  it('rebuilding from the ledger gives exactly the incremental totals, on a randomized event stream', async () => {
    const random = createRandom(4242);
    const team = await Team.create({ name: `Rnd ${Date.now()}`, slug: `rnd-${Date.now()}` });
    const people = await Promise.all(
      Array.from({ length: 6 }, (_, i) => createUser({ team: i % 2 ? team._id : null })),
    );
    const topicIds = [topics.billing, topics.sdd, topics.fibre];
    const ledger = t.services.scoring.ledger;
    const sources: string[] = [];
    const start = Date.parse('2025-12-20T10:00:00Z');
    for (let i = 0; i < 300; i++) {
      const at = new Date(start + random.int(0, 40 * 24) * 3_600_000);
      if (sources.length > 5 && random.chance(0.15)) {
        await ledger.reverseSource(random.pick(sources), 'moderator', at, null);
        continue;
      }
      const id = new Types.ObjectId().toHexString();
      const grants: Grant[] = Array.from({ length: random.int(1, 3) }, () => ({
        user: random.pick(people).id,
        rule: random.pick(RULE_IDS),
        topics: random.sample(topicIds, random.int(0, 2)),
        actor: random.chance(0.5) ? random.pick(people).id : null,
      }));
      await ledger.record({ type: 'test', id }, grants, at);
      sources.push(`test:${id}`);
    }
    const incremental = await snapshot(t);
    expect(incremental.cards.length).to.be.greaterThan(5);
    expect(
      incremental.boards.some((b) => b.id.includes('|2026-W01|')),
      'the stream crosses the year end',
    ).to.equal(true);
    const report = await t.services.scoring.rebuild();
    expect(report.changed).to.equal(0);
    const rebuilt = await snapshot(t);
    expect(rebuilt).to.deep.equal(incremental);
  });

  it('rebuilding after real activity (posts, votes, answers, acceptance, KB) changes nothing either', async () => {
    const author = await createUser();
    const voter = await sessionUserOf(await createUser());
    const km = await sessionUserOf(await createUser({ roles: ['knowledge_manager'] }));
    const question = await createPost(t, author, 'question', [topics.billing]);
    const answer = await t.services.answers.create(question, voter, 'Ecco la soluzione completa');
    await t.services.answers.accept(answer, await sessionUserOf(author));
    const tip = await createPost(t, author, 'tip', [topics.fibre]);
    await t.services.votes.vote(voter, 'post', tip, 1);
    await t.services.kb.promote(km, 'post', tip);
    const before = await snapshot(t);
    expect((await t.services.scoring.rebuild()).changed).to.equal(0);
    const after = await snapshot(t);
    expect(after).to.deep.equal(before);
  });

  it('credits the KB: +25 per credited author on promotion, +2 when cited, +2 when marked helpful, +2 for feedback with a comment', async () => {
    const author = await createUser();
    const reader = await sessionUserOf(await createUser());
    const km = await sessionUserOf(await createUser({ roles: ['knowledge_manager'] }));
    const tip = await createPost(t, author, 'tip', [topics.sdd]);
    const number = await t.services.kb.promote(km, 'post', tip);
    const competence = async (id: string) =>
      ((await ScoreCard.findById(id).lean()) as { t?: { competence?: { g?: { all?: number } } } } | null)?.t
        ?.competence?.g?.all ?? 0;
    expect(await competence(author.id)).to.equal(25);
    await t.services.kb.transition(number, km, 'review');
    await t.services.kb.transition(number, km, 'published');
    await t.services.kb.feedback(number, reader, true, 'Mi ha salvato una chiamata');
    expect(await competence(author.id)).to.equal(27);
    const readerLines = await ScoreEvent.find({ user: reader.id }).lean();
    expect(readerLines.map((l) => [l.rule, l.points])).to.deep.equal([['feedbackComment', 2]]);
    // Changing one's mind reverses the helpful credit; the comment stays credited.
    await t.services.kb.feedback(number, reader, false, 'Mi ha salvato una chiamata');
    expect(await competence(author.id)).to.equal(25);
    const asker = await createUser();
    const question = await createPost(t, asker, 'question', [topics.sdd]);
    await t.services.answers.create(question, reader, `Guarda KB-${number}, spiega tutto.`);
    expect(await competence(author.id)).to.equal(27, 'cited in an answer');
  });

  it('reaches levels by the thresholds, announces them once, and Publishers may edit published articles of the topic', async () => {
    await t.services.scoring.settings.updateRules(
      rulesWith((r) => {
        r.levels.contributor = { points: 20, acceptedOrPromoted: 1 };
        r.levels.publisher = { points: 50, promoted: 1 };
        r.levels.coach = { points: 60 };
      }),
      admin,
    );
    const author = await createUser();
    const asAuthor = await sessionUserOf(author);
    const km = await sessionUserOf(await createUser({ roles: ['knowledge_manager'] }));
    const tip = await createPost(t, author, 'tip', [topics.fibre]);
    const number = await t.services.kb.promote(km, 'post', tip);
    await t.services.kb.transition(number, km, 'review');
    await t.services.kb.transition(number, km, 'published');
    expect(await t.services.scoring.levelIn(author.id, topics.fibre)).to.equal('contributor');
    expect(await t.services.scoring.isPublisher(author.id, [topics.fibre])).to.equal(false);
    let failed = false;
    await t.services.kb.editable(number, asAuthor).catch(() => {
      failed = true;
    });
    expect(failed, 'a Contributor may not edit a published article').to.equal(true);
    for (let i = 0; i < 3; i++) {
      const voter = await sessionUserOf(await createUser());
      await t.services.votes.vote(voter, 'post', tip, 1);
    }
    expect(await t.services.scoring.levelIn(author.id, topics.fibre)).to.equal('publisher');
    expect((await t.services.kb.editable(number, asAuthor)).number).to.equal(number);
    expect(await t.services.scoring.isPublisher(author.id, [topics.billing]), 'only in that topic').to.equal(
      false,
    );
    // Coach needs the points and a nomination (by a lead of the person's team or a knowledge manager).
    const voter = await sessionUserOf(await createUser());
    await t.services.votes.vote(voter, 'post', tip, 1);
    expect(await t.services.scoring.levelIn(author.id, topics.fibre)).to.equal('publisher');
    const operator = await sessionUserOf(await createUser());
    let refused = false;
    await t.services.scoring.nominateCoach(author.id, topics.fibre, true, operator).catch(() => {
      refused = true;
    });
    expect(refused).to.equal(true);
    await t.services.scoring.nominateCoach(author.id, topics.fibre, true, km);
    expect(await t.services.scoring.levelIn(author.id, topics.fibre)).to.equal('coach');
    const awards = await t.services.notifications.list(author.id, { type: 'award' });
    expect(awards.map((a) => a.variant).sort()).to.deep.equal(['badge', 'badge', 'level', 'level', 'level']);
    expect(
      await AuditEntry.exists({ action: 'scoring.coachNominated', 'target.id': author.id }),
    ).to.not.equal(null);
  });

  it('decays current competence with the half-life', async () => {
    const user = await createUser();
    const now = new Date();
    const ledger = t.services.scoring.ledger;
    await ledger.record(
      { type: 'test', id: new Types.ObjectId().toHexString() },
      [{ user: user.id, rule: 'promoted', topics: [topics.billing], actor: null }],
      new Date(now.getTime() - 180 * 86_400_000),
    );
    await ledger.record(
      { type: 'test', id: new Types.ObjectId().toHexString() },
      [{ user: user.id, rule: 'promoted', topics: [topics.billing], actor: null }],
      now,
    );
    const profile = await t.services.scoring.profile(user.id, await sessionUserOf(user), 'it');
    const billing = profile.topics.find((x) => x.id === topics.billing);
    expect(billing?.competence).to.equal(50);
    expect(billing?.current, '25 + 25/2').to.be.within(37, 38);
    expect(profile.currentCompetence).to.be.within(37, 38);
  });

  it('the serial-voting check reverses a run of votes from one voter to one author, with an audit entry', async () => {
    await t.services.scoring.settings.updateRules(
      rulesWith((r) => {
        r.serialVoting = { votes: 3, windowMinutes: 60 };
      }),
      admin,
    );
    await RecentVote.deleteMany({});
    const author = await createUser();
    const voter = await sessionUserOf(await createUser());
    const fair = await sessionUserOf(await createUser());
    for (let i = 0; i < 3; i++)
      await t.services.votes.vote(voter, 'post', await createPost(t, author, 'tip', [topics.billing]), 1);
    await t.services.votes.vote(fair, 'post', await createPost(t, author, 'tip', [topics.billing]), 1);
    const found = await t.services.scoring.checkSerialVoting();
    expect(found).to.deep.equal([{ voter: voter.id, author: author.id, votes: 3 }]);
    const card = (await ScoreCard.findById(author.id).lean()) as {
      t: { competence: { g: { all: number } } };
    };
    expect(card.t.competence.g.all).to.equal(10, 'only the fair vote counts');
    const reversed = await ScoreEvent.find({ user: author.id, reason: 'serialVoting' }).lean();
    expect(reversed).to.have.length(3);
    expect(await AuditEntry.exists({ action: 'scoring.serialVoting', 'target.id': voter.id })).to.not.equal(
      null,
    );
    expect(await t.services.scoring.checkSerialVoting(), 'nothing twice').to.deep.equal([]);
  });

  it('admins edit the rules in a validated, versioned, audited form; recompute applies them to the past', async () => {
    const author = await createUser();
    const commenter = await sessionUserOf(await createUser());
    const tip = await createPost(t, author, 'tip', [topics.billing]);
    await t.services.answers.comment('post', tip, commenter, 'Primo commento');
    await t.services.answers.comment('post', tip, commenter, 'Secondo commento');
    const { agent } = await signedIn(t, ['admin'], { locale: 'en' });
    const page = await agent.get('/admin/scoring').expect(200);
    expect(page.text).to.include('Points per event');
    const token = await csrfToken(agent, '/admin/scoring');
    const form: Record<string, string> = { _csrf: token, _return: '/admin/scoring' };
    const current = (await t.services.scoring.settings.rules()).rules;
    for (const id of RULE_IDS) form[`points.${id}`] = String(current.points[id]);
    for (const [k, v] of Object.entries(current.caps)) form[`caps.${k}`] = String(v);
    form.halfLifeDays = String(current.halfLifeDays);
    form['levels.contributor.points'] = '100';
    form['levels.contributor.acceptedOrPromoted'] = '1';
    form['levels.publisher.points'] = '500';
    form['levels.publisher.promoted'] = '3';
    form['levels.coach.points'] = '1500';
    form['serialVoting.votes'] = '10';
    form['serialVoting.windowMinutes'] = '60';
    // Bad input: back to the form with the field errors, nothing saved.
    const bad = await agent
      .post('/admin/scoring/rules')
      .type('form')
      .send({ ...form, 'points.commentPosted': 'tanti' })
      .expect(303);
    expect(bad.headers.location).to.equal('/admin/scoring');
    const shown = await agent.get('/admin/scoring').expect(200);
    expect(shown.text).to.include('Enter a number.');
    const version = (await t.services.scoring.settings.rules()).version;
    await agent
      .post('/admin/scoring/rules')
      .type('form')
      .send({ ...form, 'points.commentPosted': '4' })
      .expect(303);
    const saved = await t.services.scoring.settings.rules();
    expect(saved.version).to.equal(version + 1);
    expect(saved.rules.points.commentPosted).to.equal(4);
    const audit = await AuditEntry.findOne({ action: 'scoring.rulesChanged' }).sort({ at: -1 }).lean();
    expect((audit?.details as { changed?: string[] } | undefined)?.changed).to.deep.equal([
      'points.commentPosted: 1 → 4',
    ]);
    // New events use the new value; the past keeps its value until recomputed.
    await t.services.answers.comment('post', tip, commenter, 'Terzo commento');
    const participation = async () =>
      ((await ScoreCard.findById(commenter.id).lean()) as { t: { participation: { g: { all: number } } } }).t
        .participation.g.all;
    expect(await participation()).to.equal(6);
    const recompute = await agent
      .post('/admin/scoring/recompute')
      .type('form')
      .send({ _csrf: token })
      .expect(200);
    expect(recompute.text).to.include('Recompute done');
    expect(await participation()).to.equal(12);
    const adjustments = await ScoreEvent.find({ user: commenter.id, reason: 'recompute' }).lean();
    expect(adjustments.map((a) => a.points)).to.deep.equal([3, 3]);
    // A second recompute with the same rules adjusts nothing.
    expect((await t.services.scoring.recompute(admin)).adjusted).to.equal(0);
    expect(await participation()).to.equal(12);
  });

  it("an admin reverses a deactivated person's votes in bulk, and a single ledger line", async () => {
    const author = await createUser();
    const voterUser = await createUser();
    const voter = await sessionUserOf(voterUser);
    const tipA = await createPost(t, author, 'tip', [topics.billing]);
    const tipB = await createPost(t, author, 'tip', [topics.billing]);
    await t.services.votes.vote(voter, 'post', tipA, 1);
    await t.services.votes.vote(voter, 'post', tipB, 1);
    const { agent } = await signedIn(t, ['admin'], { locale: 'en' });
    const token = await csrfToken(agent, '/admin/scoring');
    await agent
      .post('/admin/scoring/reverse-votes')
      .type('form')
      .send({ _csrf: token, user: voterUser.id })
      .expect(403);
    await User.updateOne({ _id: voterUser.id }, { $set: { active: false } });
    await agent
      .post('/admin/scoring/reverse-votes')
      .type('form')
      .send({ _csrf: token, user: voterUser.id })
      .expect(303);
    const card = (await ScoreCard.findById(author.id).lean()) as {
      t: { competence: { g: { all: number } } };
    };
    expect(card.t.competence.g.all).to.equal(0);
    expect(await ScoreEvent.countDocuments({ user: author.id, reason: 'deactivated' })).to.equal(2);
    // One line, by hand, from the "why" list.
    const line = await ScoreEvent.findOne({ user: author.id, rule: 'contentPosted' }).lean();
    await agent.post(`/scores/lines/${line!._id}/reverse`).type('form').send({ _csrf: token }).expect(303);
    const reversal = await ScoreEvent.findOne({ reverses: line!._id }).lean();
    expect([reversal?.points, reversal?.reason]).to.deep.equal([-5, 'moderator']);
    await agent.post(`/scores/lines/${line!._id}/reverse`).type('form').send({ _csrf: token }).expect(303);
    expect(await ScoreEvent.countDocuments({ reverses: line!._id }), 'never twice').to.equal(1);
    expect(await AuditEntry.exists({ action: 'scoring.lineReversed' })).to.not.equal(null);
  });
});
