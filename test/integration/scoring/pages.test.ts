import { expect } from 'chai';
import { ScoreCard } from '../../../models/score.ts';
import { Team } from '../../../models/team.ts';
import { User } from '../../../models/user.ts';
import type { SessionUser } from '../../../server/auth/session-user.ts';
import { csrfToken, useTestApp } from '../../helpers/app.ts';
import { createPost, createTopics, FAST_POSTING, sessionUserOf } from '../../helpers/content.ts';
import { decodeHtml } from '../../helpers/html.ts';
import { createUser, signedIn, type TestUser } from '../../helpers/users.ts';

describe('scores: leaderboards, profiles, dashboards and privacy through HTTP', function () {
  this.timeout(120_000);
  const t = useTestApp({ env: FAST_POSTING });
  let topics: Awaited<ReturnType<typeof createTopics>>;
  let teamA: string;
  let teamB: string;
  let star: TestUser;
  let second: TestUser;
  let outsider: TestUser;
  let admin: SessionUser;

  before(async () => {
    topics = await createTopics();
    const stamp = Date.now();
    teamA = String((await Team.create({ name: `Alfa ${stamp}`, slug: `alfa-${stamp}` }))._id);
    teamB = String((await Team.create({ name: `Beta ${stamp}`, slug: `beta-${stamp}` }))._id);
    star = await createUser({ team: teamA, displayName: 'Stella Brillante' });
    second = await createUser({ team: teamA, displayName: 'Secondo Posto' });
    outsider = await createUser({ team: teamB, displayName: 'Bruno Esterno' });
    admin = await sessionUserOf(await createUser({ roles: ['admin'] }));
    // Stella: 3 upvoted tips (30 competence); Secondo: 1 upvoted tip; Bruno: a question.
    for (let i = 0; i < 3; i++) {
      const tip = await createPost(t, star, 'tip', [topics.billing]);
      await t.services.votes.vote(await sessionUserOf(outsider), 'post', tip, 1);
    }
    const tip = await createPost(t, second, 'tip', [topics.fibre]);
    await t.services.votes.vote(await sessionUserOf(star), 'post', tip, 1);
    await createPost(t, outsider, 'question', [topics.fibre]);
  });

  afterEach(async () => {
    await t.services.scoring.settings.setPrivacy('open', admin);
  });

  it("ranks people by competence and participation, globally, by team and by topic, with the viewer's rank", async () => {
    const { agent } = await signedIn(t, ['operator'], { team: teamA, locale: 'en' });
    const global = await agent.get('/leaderboards?dimension=competence&scope=global&period=all').expect(200);
    const names = [...global.text.matchAll(/<a href="\/people\/([0-9a-f]{24})\/scores">([^<]+)<\/a>/g)].map(
      (m) => m[2],
    );
    expect(names.slice(0, 2)).to.deep.equal(['Stella Brillante', 'Secondo Posto']);
    expect(global.text).to.include('You have no points on this leaderboard yet.');
    const topic = await agent
      .get(`/leaderboards?dimension=competence&scope=topic&topic=${topics.fibre}&period=month`)
      .expect(200);
    expect(topic.text).to.include('Secondo Posto').and.not.include('Stella Brillante');
    const team = await agent.get('/leaderboards?dimension=participation&scope=team&period=week').expect(200);
    expect(team.text, 'own team by default').to.include('Stella Brillante').and.not.include('Bruno Esterno');
    // Operators cannot read another team's board; leads can.
    await agent.get(`/leaderboards?scope=team&team=${teamB}`).expect(403);
    const lead = await signedIn(t, ['team_lead'], { locale: 'en' });
    const other = await lead.agent
      .get(`/leaderboards?scope=team&team=${teamB}&dimension=participation&period=all`)
      .expect(200);
    expect(other.text).to.include('Bruno Esterno');
    // Stella sees her own rank.
    const me = t.agent();
    await (await import('../../helpers/users.ts')).signIn(me, star.email, star.password);
    const mine = await me.get('/leaderboards?dimension=competence&period=all').expect(200);
    expect(mine.text).to.match(/Sei al posto 1 su \d+, con 30 punti\./);
    // Malformed filters fall back to defaults instead of failing.
    await agent.get('/leaderboards?dimension=%24ne&period=decade&scope=x&topic=nope').expect(200);
  });

  it('shows a person\'s scores with totals, levels and the "why" list, filterable and paged', async () => {
    const { agent } = await signedIn(t, ['operator'], { locale: 'en' });
    const page = await agent.get(`/people/${star.id}/scores`).expect(200);
    expect(page.text).to.include('Scores of Stella Brillante');
    expect(page.text).to.match(/data-testid="total-competence-all">30</);
    expect(page.text).to.match(/data-testid="total-participation-all">16</, '3 tips and 1 vote');
    expect(page.text).to.include('Upvote received');
    expect(page.text).to.include('vendor/chart.umd.min');
    const filtered = await agent.get(`/people/${star.id}/scores?rule=upvoteReceived`).expect(200);
    expect(filtered.text.match(/data-testid="why-line"/g)?.length).to.equal(3);
    const participation = await agent.get(`/people/${star.id}/scores?dimension=participation`).expect(200);
    expect(participation.text.match(/data-testid="why-line"/g)?.length).to.equal(4, '3 tips and 1 vote');
    await agent.get('/people/000000000000000000000000/scores').expect(404);
    await agent.get('/people/not-an-id/scores').expect(404);
  });

  it('protected mode: names only people who opted in, logs every look by a lead, and lists it to the person', async () => {
    await t.services.scoring.settings.setPrivacy('protected', admin);
    const { agent } = await signedIn(t, ['operator'], { locale: 'en' });
    const board = await agent.get('/leaderboards?dimension=competence&period=all').expect(200);
    expect(board.text).to.not.include('Stella Brillante');
    // Stella and Secondo are the only ones of their team: too few for a team line.
    expect(board.text).to.not.include('Teams (people not named)');
    expect(board.text).to.match(/data-testid="withheld">2 people are in no line/);
    await agent.get(`/people/${star.id}/scores`).expect(403);

    // Stella opts in: named on boards, visible to colleagues.
    const me = t.agent();
    await (await import('../../helpers/users.ts')).signIn(me, star.email, star.password);
    const token = await csrfToken(me, `/people/${star.id}/scores`);
    await me
      .post('/settings/scores-visibility')
      .type('form')
      .send({ _csrf: token, scoresPublic: '1' })
      .expect(303);
    expect((await User.findById(star.id).lean())?.scoresPublic).to.equal(true);
    expect((await agent.get('/leaderboards?dimension=competence&period=all').expect(200)).text).to.include(
      'Stella Brillante',
    );
    await agent.get(`/people/${star.id}/scores`).expect(200);

    // A lead looks at Secondo (not opted in): allowed, recorded, shown to Secondo.
    const lead = await signedIn(t, ['team_lead'], { displayName: 'Lea Leader', locale: 'en' });
    const look = await lead.agent.get(`/people/${second.id}/scores`).expect(200);
    expect(look.text).to.include('this visit is recorded');
    const secondAgent = t.agent();
    await (await import('../../helpers/users.ts')).signIn(secondAgent, second.email, second.password);
    const own = await secondAgent.get(`/people/${second.id}/scores`).expect(200);
    expect(own.text).to.include('Lea Leader ha aperto i tuoi punteggi');
    // Open mode: everyone visible again, no logging.
    await t.services.scoring.settings.setPrivacy('open', admin);
    expect((await agent.get(`/people/${second.id}/scores`).expect(200)).text).to.not.include(
      'this visit is recorded',
    );
  });

  it('gives team leads their team dashboard with CSV exports; others are refused', async () => {
    const lead = await createUser({ roles: ['team_lead'], team: teamA, locale: 'en' });
    await Team.updateOne({ _id: teamA }, { $set: { leads: [lead.id] } });
    const agent = t.agent();
    await (await import('../../helpers/users.ts')).signIn(agent, lead.email, lead.password);
    const redirect = await agent.get('/dashboard').expect(303);
    expect(redirect.headers.location).to.equal(`/teams/${teamA}/dashboard`);
    const page = await agent.get(`/teams/${teamA}/dashboard`).expect(200);
    expect(page.text).to.include('Competence by member and topic');
    expect(page.text).to.include('Stella Brillante');
    expect(page.text).to.include('Knowledge gaps');
    const csv = await agent.get(`/teams/${teamA}/dashboard/heatmap.csv`).expect(200);
    expect(csv.headers['content-type']).to.match(/^text\/csv/);
    expect(csv.headers['content-disposition']).to.match(/attachment; filename=".*-competence\.csv"/);
    const rows = csv.text
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\n');
    expect(rows[0]).to.match(/^Member,/);
    expect(rows.find((r) => r.startsWith('Stella Brillante'))).to.include(',30,');
    // The members' cards are kept between views; a new vote shows at the next one.
    const another = await createPost(t, star, 'tip', [topics.billing]);
    await t.services.votes.vote(await sessionUserOf(second), 'post', another, 1);
    const again = await agent.get(`/teams/${teamA}/dashboard/heatmap.csv`).expect(200);
    expect(again.text.split('\n').find((r) => r.startsWith('Stella Brillante'))).to.include(',40,');
    const trend = await agent.get(`/teams/${teamA}/dashboard/trend.csv`).expect(200);
    expect(trend.text.split('\n')[0]).to.match(/\d{4}-W\d{2}/);
    const gaps = await agent.get(`/teams/${teamA}/dashboard/gaps.csv`).expect(200);
    expect(gaps.text).to.include('Unanswered questions');
    await agent.get(`/teams/${teamA}/dashboard/other.csv`).expect(404);
    // Not this lead's team.
    await agent.get(`/teams/${teamB}/dashboard`).expect(403);
    const operator = await signedIn(t, ['operator'], { team: teamA });
    await operator.agent.get(`/teams/${teamA}/dashboard`).expect(403);
    const adminAgent = await signedIn(t, ['admin']);
    await adminAgent.agent.get(`/teams/${teamB}/dashboard`).expect(200);
  });

  it('chooses the trend period, and compares per person the teams a lead looks after', async () => {
    const lead = await createUser({ roles: ['team_lead'], team: teamA, locale: 'en' });
    await Team.updateOne({ _id: teamA }, { $push: { leads: lead.id } } as never);
    const agent = t.agent();
    await (await import('../../helpers/users.ts')).signIn(agent, lead.email, lead.password);
    const weekColumns = async (query: string) =>
      (await agent.get(`/teams/${teamA}/dashboard/trend.csv${query}`).expect(200)).text
        .replace(/^\uFEFF/, '')
        .split('\n')[0]!
        .split(',')
        .filter((c) => /^\d{4}-W\d{2}$/.test(c)).length;
    expect(await weekColumns('')).to.equal(12);
    expect(await weekColumns('?weeks=4')).to.equal(4);
    expect(await weekColumns('?weeks=52')).to.equal(52);
    expect(await weekColumns('?weeks=5'), 'only the offered periods').to.equal(12);
    expect(await weekColumns('?weeks=abc')).to.equal(12);
    let page = decodeHtml((await agent.get(`/teams/${teamA}/dashboard?weeks=26`).expect(200)).text);
    expect(page).to.match(/<option value="26" selected>Last 26 weeks<\/option>/);
    expect(page).to.include(`/teams/${teamA}/dashboard/trend.csv?weeks=26`);
    // One team: nothing to compare with.
    expect(page).to.not.include('Your teams side by side');

    // Leading both teams: side by side, per person, over the chosen weeks.
    await Team.updateOne({ _id: teamB }, { $push: { leads: lead.id } } as never);
    page = decodeHtml((await agent.get(`/teams/${teamA}/dashboard?weeks=4`).expect(200)).text);
    const section = page.slice(
      page.indexOf('data-testid="team-comparison"'),
      page.indexOf('id="gaps-title"'),
    );
    expect(section).to.include('Your teams side by side');
    const members = await User.countDocuments({ team: teamA, active: true } as never);
    const rowA = section.slice(section.indexOf(`/teams/${teamA}/dashboard?weeks=4`));
    expect(rowA).to.include(`<td class="num">${members}</td>`);
    const chart = JSON.parse(/data-chart-data>([^<]+)<\/script>/.exec(section)![1]!) as {
      labels: string[];
      series: Array<{ label: string; data: number[] }>;
    };
    expect(chart.labels).to.have.length(4);
    expect(chart.series.map((s) => s.label).sort()).to.deep.equal(
      [(await Team.findById(teamA).lean())!.name, (await Team.findById(teamB).lean())!.name].sort(),
    );
    // Competence per person: Stella's and Secondo's points shared by the team.
    const teamMembers = await User.find({ team: teamA, active: true } as never).lean();
    const cards = await Promise.all(teamMembers.map((u) => ScoreCard.findById(String(u._id)).lean()));
    const competence = cards.reduce(
      (sum, c) =>
        sum + ((c as { t?: { competence?: { g?: { all?: number } } } } | null)?.t?.competence?.g?.all ?? 0),
      0,
    );
    expect(rowA).to.include(`<td class="num">${Math.round((competence / members) * 10) / 10}</td>`);

    // Protected mode: leads see their members' figures (each look recorded), so the teams' averages too.
    await t.services.scoring.settings.setPrivacy('protected', admin);
    page = decodeHtml((await agent.get(`/teams/${teamA}/dashboard`).expect(200)).text);
    expect(page).to.include('Your teams side by side');
    expect(page).to.not.include('figures withheld');
  });

  it('lists a large team 50 members a page, most competent first, with the whole team in the CSV', async () => {
    const stamp = Date.now();
    const gamma = String((await Team.create({ name: `Gamma ${stamp}`, slug: `gamma-${stamp}` }))._id);
    const members = [];
    for (let i = 0; i < 52; i++)
      members.push(await createUser({ team: gamma, displayName: `Persona ${String(i).padStart(2, '0')}` }));
    // The last one created earns competence: first on page 1, whatever the names say.
    const tip = await createPost(t, members[51]!, 'tip', [topics.fibre]);
    await t.services.votes.vote(await sessionUserOf(outsider), 'post', tip, 1);
    const { agent } = await signedIn(t, ['admin'], { locale: 'en' });
    const rowsOf = (html: string) =>
      [...html.matchAll(/<th scope="row"><a href="\/people\/[0-9a-f]{24}\/scores">([^<]+)<\/a>/g)].map(
        (m) => m[1],
      );

    const first = await agent.get(`/teams/${gamma}/dashboard`).expect(200);
    const firstRows = rowsOf(first.text.slice(0, first.text.indexOf('id="trend-title"')));
    expect(firstRows).to.have.length(50);
    expect(firstRows[0]).to.equal('Persona 51');
    expect(firstRows[1]).to.equal('Persona 00');
    expect(first.text).to.include('Members 1–50 of 52, most competent first');
    expect(first.text).to.include('rel="next" href="/teams/');

    const second = await agent.get(`/teams/${gamma}/dashboard?page=2`).expect(200);
    const secondRows = rowsOf(second.text.slice(0, second.text.indexOf('id="trend-title"')));
    expect(secondRows).to.deep.equal(['Persona 49', 'Persona 50']);
    expect(second.text).to.include('Members 51–52 of 52');
    expect(second.text).to.not.include('rel="next"');
    // A page past the end is the last one; a bad page is the first.
    expect(rowsOf((await agent.get(`/teams/${gamma}/dashboard?page=99`).expect(200)).text)).to.include(
      'Persona 50',
    );
    const bad = await agent.get(`/teams/${gamma}/dashboard?page=abc`).expect(200);
    expect(bad.text).to.include('Members 1–50 of 52');

    const csv = await agent.get(`/teams/${gamma}/dashboard/heatmap.csv`).expect(200);
    expect(
      csv.text
        .replace(/^\uFEFF/, '')
        .trim()
        .split('\n'),
    ).to.have.length(53);
  });

  it('escapes spreadsheet formulas in CSV exports', async () => {
    const evil = await createUser({ team: teamB, displayName: '=HYPERLINK("http://x")' });
    await createPost(t, evil, 'tip', [topics.billing]);
    const { agent } = await signedIn(t, ['admin']);
    const csv = await agent.get(`/teams/${teamB}/dashboard/trend.csv`).expect(200);
    expect(csv.text).to.include(`"'=HYPERLINK(""http://x"")"`);
  });
});
