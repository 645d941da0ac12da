import { expect } from 'chai';
import { ScoreEvent } from '../../../models/score.ts';
import { Team } from '../../../models/team.ts';
import { TOPIC_KINDS, Topic } from '../../../models/topic.ts';
import { ROLES, User } from '../../../models/user.ts';
import { buildRuntime } from '../../../server/runtime.ts';
import { DEMO_PASSWORD } from '../../../server/seed/demo-data.ts';
import { isDatabaseEmpty, seedDemo } from '../../../server/seed/seed.ts';
import { useTestApp } from '../../helpers/app.ts';
import { testLogger } from '../../helpers/engine.ts';
import { signIn } from '../../helpers/users.ts';

describe('demo seed', function () {
  this.timeout(60_000);
  const t = useTestApp();

  it('writes a demo organisation into an empty database', async () => {
    expect(await isDatabaseEmpty()).to.equal(true);
    const report = await seedDemo(buildRuntime(t.config, testLogger, { cleanupMinutes: 0 }));
    expect(report.teams).to.deep.equal({ created: 4, existing: 0 });
    expect(report.users?.created).to.be.at.least(40);
    expect(report.users?.existing).to.equal(0);
    expect(await isDatabaseEmpty()).to.equal(false);

    for (const role of ROLES) {
      expect(await User.countDocuments({ roles: role }), role).to.be.at.least(1);
    }
    const teams = await Team.find().lean();
    expect(teams.length).to.be.at.least(3);
    for (const team of teams) {
      expect(team.leads.length, `${team.name} has a lead`).to.be.at.least(1);
      expect(await User.countDocuments({ team: team._id }), `${team.name} members`).to.be.at.least(8);
    }
    for (const kind of TOPIC_KINDS) {
      expect(await Topic.countDocuments({ kind }), kind).to.be.at.least(3);
    }
    const child = await Topic.findOne({ slug: 'portabilita' }).lean();
    const parent = await Topic.findOne({ slug: 'attivazione' }).lean();
    expect(String(child?.parent)).to.equal(String(parent?._id));
    expect(child?.ancestors.map(String)).to.deep.equal([String(parent?._id)]);
  });

  it('writes a score ledger consistent with the seeded content, with months of history', async () => {
    const runtime = buildRuntime(t.config, testLogger, { cleanupMinutes: 0 });
    const lines = await ScoreEvent.find({}, { rule: 1, at: 1, points: 1 }).lean();
    expect(lines.length).to.be.greaterThan(200);
    const rules = new Set(lines.map((l) => l.rule));
    for (const rule of [
      'contentPosted',
      'questionAsked',
      'answerPosted',
      'commentPosted',
      'voteCast',
      'upvoteReceived',
      'answerAccepted',
      'confirmationReceived',
      'promoted',
    ])
      expect(rules.has(rule), rule).to.equal(true);
    const months = new Set(lines.map((l) => l.at.toISOString().slice(0, 7)));
    expect(months.size, 'months with points').to.be.at.least(3);
    // Every line is one the content explains: a rebuild from the ledger changes nothing.
    expect((await runtime.services.scoring.rebuild()).changed).to.equal(0);
    // Leaderboards and a team dashboard read real numbers.
    const agent = t.agent();
    await signIn(agent, 'marco.bianchi@aurora.example', DEMO_PASSWORD);
    const board = await agent
      .get('/leaderboards?dimension=competence&period=all')
      .set('Accept-Language', 'en')
      .expect(200);
    expect(board.text.match(/<a href="\/people\/[0-9a-f]{24}\/scores">/g)?.length).to.be.at.least(10);
    const lead = await User.findOne({ roles: 'team_lead' }).lean();
    const leadAgent = t.agent();
    await signIn(leadAgent, lead!.email, DEMO_PASSWORD);
    const dashboard = await leadAgent.get('/dashboard').redirects(1).expect(200);
    expect(dashboard.text).to.match(/heat-[1-4]/);
  });

  it('gives the documented demo logins the demo password', async () => {
    const admin = await User.findOne({ email: 'alessandra.ferri@aurora.example' }).select('+passwordHash');
    expect(admin?.roles).to.deep.equal(['admin']);
    expect(await admin?.verifyPassword(DEMO_PASSWORD)).to.equal(true);
    expect(await admin?.verifyPassword('wrong-password-123')).to.equal(false);
  });

  it('is idempotent: a second run adds nothing and keeps what people changed', async () => {
    const before = {
      users: await User.countDocuments(),
      teams: await Team.countDocuments(),
      topics: await Topic.countDocuments(),
    };
    await User.updateOne({ email: 'sara.colombo@aurora.example' }, { $set: { bio: 'Edited by Sara' } });
    const report = await seedDemo(buildRuntime(t.config, testLogger, { cleanupMinutes: 0 }));
    expect(report.users?.created).to.equal(0);
    expect(report.teams?.created).to.equal(0);
    expect(report.topics?.created).to.equal(0);
    expect({
      users: await User.countDocuments(),
      teams: await Team.countDocuments(),
      topics: await Topic.countDocuments(),
    }).to.deep.equal(before);
    const sara = await User.findOne({ email: 'sara.colombo@aurora.example' }).lean();
    expect(sara?.bio).to.equal('Edited by Sara');
  });

  it('shows the seeded organisation and its knowledge', async () => {
    const people = await User.countDocuments({ active: true });
    const agent = t.agent();
    await signIn(agent, 'marco.bianchi@aurora.example', DEMO_PASSWORD);
    const home = await agent.get('/').set('Accept-Language', 'en').expect(200);
    expect(home.text).to.include('Doppio addebito dopo il passaggio all’addebito diretto SDD');
    const directory = await agent.get('/people').set('Accept-Language', 'en').expect(200);
    expect(directory.text).to.include(`${people} people`);
    expect(directory.text).to.include('Fatturazione e Pagamenti');
    const topics = await agent.get('/topics').set('Accept-Language', 'en').expect(200);
    expect(topics.text).to.include('Number porting');
  });
});
