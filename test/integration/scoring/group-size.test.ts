import { expect } from 'chai';
import { AuditEntry } from '../../../models/audit-entry.ts';
import { Team } from '../../../models/team.ts';
import type { SessionUser } from '../../../server/auth/session-user.ts';
import { csrfToken, useTestApp } from '../../helpers/app.ts';
import { createPost, createTopics, FAST_POSTING, sessionUserOf } from '../../helpers/content.ts';
import { createUser, signedIn, signIn, type TestUser } from '../../helpers/users.ts';

const BOARD = 'dimension=competence&scope=global&period=all';

/** The team lines of a leaderboard page: [name, people, points]. */
function teamLines(html: string): string[][] {
  const table = html.split('<caption class="visually-hidden">').find((part) => /^(Teams|Team) \(/.test(part));
  if (!table) return [];
  return [
    ...table.matchAll(
      /<tr[^>]*><td>([^<]+)<\/td><td class="num">(\d+)<\/td><td class="num">([\d.,]+)<\/td><\/tr>/g,
    ),
  ].map((m) => [m[1]!, m[2]!, m[3]!]);
}

function csvRows(text: string): string[] {
  return text
    .replace(/^\uFEFF/, '')
    .trim()
    .split('\n');
}

describe('scores: the minimum group size of aggregates in protected mode', function () {
  this.timeout(180_000);
  const t = useTestApp({ env: FAST_POSTING });
  let admin: SessionUser;
  let sara: TestUser;
  const names = { solo: '', four: '', five: '' };
  const ids = { solo: '', four: '', five: '' };
  let billing = '';

  before(async () => {
    const topics = await createTopics();
    billing = topics.billing;
    const stamp = Date.now();
    for (const [key, label] of [
      ['solo', 'Solitari'],
      ['four', 'Quartetto'],
      ['five', 'Quintetto'],
    ] as const) {
      names[key] = `${label} ${stamp}`;
      ids[key] = String(
        (await Team.create({ name: names[key], slug: `${label.toLowerCase()}-${stamp}` }))._id,
      );
    }
    admin = await sessionUserOf(await createUser({ roles: ['admin'] }));
    const voter = await sessionUserOf(await createUser({ displayName: 'Vera Votante' }));
    // Sara is the only person of her team: 4 upvoted tips, 40 competence.
    sara = await createUser({ team: ids.solo, displayName: 'Sara Sola', locale: 'en' });
    for (let i = 0; i < 4; i++) {
      const tip = await createPost(t, sara, 'tip', [topics.billing]);
      await t.services.votes.vote(voter, 'post', tip, 1);
    }
    // Four and five colleagues, 10 competence each.
    for (const [key, size] of [
      ['four', 4],
      ['five', 5],
    ] as const) {
      for (let i = 0; i < size; i++) {
        const member = await createUser({ team: ids[key], displayName: `Membro ${key} ${i}` });
        const tip = await createPost(t, member, 'tip', [topics.fibre]);
        await t.services.votes.vote(voter, 'post', tip, 1);
      }
    }
    await t.services.scoring.settings.setPrivacy('protected', admin);
  });

  afterEach(async () => {
    await t.services.scoring.settings.updatePrivacy({ mode: 'protected', minimumGroupSize: '5' }, admin);
  });

  it('merges teams below the minimum into "other teams" on the leaderboard and in its CSV', async () => {
    const { agent } = await signedIn(t, ['operator'], { locale: 'en' });
    const page = await agent.get(`/leaderboards?${BOARD}`).expect(200);
    expect(page.text).to.not.include('Sara Sola');
    expect(page.text).to.not.include(names.solo, 'a team of one is not named with its figures');
    expect(teamLines(page.text)).to.deep.equal([
      [names.five, '5', '50'],
      ['Other teams', '5', '80'],
    ]);
    expect(page.text).to.include('Teams of fewer than 5 such people are counted together');

    const csv = await agent.get(`/leaderboards.csv?${BOARD}`).expect(200);
    expect(csv.headers['content-type']).to.match(/^text\/csv/);
    expect(csv.headers['content-disposition']).to.match(
      /attachment; filename="leaderboard-competence-global-all\.csv"/,
    );
    const rows = csvRows(csv.text);
    expect(rows[0]).to.equal('Rank,Person or team,People,Points');
    expect(csv.text).to.not.include(names.solo);
    expect(csv.text).to.not.include('Sara Sola');
    expect(rows.slice(1)).to.deep.equal([`,${names.five},5,50`, ',Other teams,5,80']);

    // A topic only Sara has points in: her team's line would be hers alone.
    const topic = await agent
      .get(`/leaderboards?dimension=competence&scope=topic&topic=${billing}&period=all`)
      .expect(200);
    expect(teamLines(topic.text)).to.deep.equal([]);
    expect(topic.text).to.not.include(names.solo);
    expect(topic.text).to.match(/data-testid="withheld">1 person is in no line/);

    // In Italian too.
    const it = await signedIn(t, ['operator'], { locale: 'it' });
    const itPage = await it.agent.get(`/leaderboards?${BOARD}`).expect(200);
    expect(teamLines(itPage.text)).to.deep.equal([
      [names.five, '5', '50'],
      ['Altri team', '5', '80'],
    ]);
    expect(csvRows((await it.agent.get(`/leaderboards.csv?${BOARD}`).expect(200)).text)).to.include(
      ',Altri team,5,80',
    );
  });

  it("hides even the merged line when it is below the minimum: Sara's own team board names no figure of hers", async () => {
    const me = t.agent();
    await signIn(me, sara.email, sara.password);
    const board = await me.get('/leaderboards?dimension=competence&scope=team&period=all').expect(200);
    expect(board.text).to.include('You are number 1 of 1, with 40 points.', 'her own rank is hers to see');
    expect(teamLines(board.text)).to.deep.equal([]);
    expect(board.text).to.match(/data-testid="withheld">1 person is in no line/);
    const csv = await me.get('/leaderboards.csv?dimension=competence&scope=team&period=all').expect(200);
    expect(csvRows(csv.text).slice(1)).to.deep.equal(['1,Sara Sola,,40'], 'only her own row');
    // A lead reading that team's board: no line of one person either.
    const lead = await signedIn(t, ['team_lead'], { locale: 'en' });
    const leadCsv = await lead.agent
      .get(`/leaderboards.csv?dimension=competence&scope=team&team=${ids.solo}&period=all`)
      .expect(200);
    expect(csvRows(leadCsv.text)).to.deep.equal(['Rank,Person or team,People,Points']);
  });

  it('an admin changes the minimum in the privacy form (audited); the leaderboard follows', async () => {
    const { agent } = await signedIn(t, ['admin'], { locale: 'en' });
    const form = await agent.get('/admin/scoring').expect(200);
    expect(form.text).to.include('Minimum group size');
    expect(form.text).to.match(/name="minimumGroupSize"[^>]*value="5"/);
    const token = await csrfToken(agent, '/admin/scoring');
    await agent
      .post('/admin/scoring/privacy')
      .type('form')
      .send({ _csrf: token, _return: '/admin/scoring', mode: 'protected', minimumGroupSize: '4' })
      .expect(303);
    expect((await agent.get('/admin/scoring').expect(200)).text).to.include('Minimum group size saved: 4.');
    const audit = await AuditEntry.findOne({ action: 'scoring.minimumGroupSizeChanged' })
      .sort({ at: -1 })
      .lean();
    expect(audit?.details).to.deep.include({ before: 5, after: 4 });

    const operator = await signedIn(t, ['operator'], { locale: 'en' });
    const page = await operator.agent.get(`/leaderboards?${BOARD}`).expect(200);
    expect(teamLines(page.text)).to.deep.equal([
      [names.five, '5', '50'],
      [names.four, '4', '40'],
    ]);
    expect(page.text).to.not.include(names.solo);
    expect(page.text).to.match(/data-testid="withheld">1 person is in no line/);
    const csv = csvRows((await operator.agent.get(`/leaderboards.csv?${BOARD}`).expect(200)).text);
    expect(csv.slice(1)).to.deep.equal([`,${names.five},5,50`, `,${names.four},4,40`]);
  });

  it('refuses a bad minimum with the form and its error, never a 500; nothing is saved', async () => {
    const { agent } = await signedIn(t, ['admin'], { locale: 'en' });
    const token = await csrfToken(agent, '/admin/scoring');
    const cases: Array<[unknown, string]> = [
      ['1', 'Enter 2 or more.'],
      ['51', 'Enter 50 or less.'],
      ['tanti', 'Enter a number.'],
      ['', 'Enter a number.'],
      ['2.5', 'Enter a whole number.'],
    ];
    for (const [value, message] of cases) {
      const bad = await agent
        .post('/admin/scoring/privacy')
        .type('form')
        .send({ _csrf: token, _return: '/admin/scoring', mode: 'protected', minimumGroupSize: value })
        .expect(303);
      expect(bad.headers.location).to.equal('/admin/scoring');
      const shown = await agent.get('/admin/scoring').expect(200);
      expect(shown.text, String(value)).to.include(message);
      expect(shown.text).to.match(/id="field-minimumGroupSize"[^>]*aria-invalid="true"/);
    }
    // An array, an operator object, a bad mode, and the same as JSON: 4xx.
    for (const body of [
      { mode: 'protected', 'minimumGroupSize[]': ['5', '6'] },
      { mode: 'protected', 'minimumGroupSize[$gt]': '1' },
      { mode: 'chiuso', minimumGroupSize: '5' },
    ])
      await agent
        .post('/admin/scoring/privacy')
        .type('form')
        .send({ _csrf: token, _return: '/admin/scoring', ...body })
        .expect(303);
    const json = await agent
      .post('/admin/scoring/privacy')
      .set('Accept', 'application/json')
      .set('X-CSRF-Token', token)
      .send({ _csrf: token, mode: 'protected', minimumGroupSize: 0 });
    expect(json.status).to.be.within(400, 499);
    expect(json.body.error.fields).to.have.property('minimumGroupSize');
    expect((await t.services.scoring.settings.privacySettings()).minimumGroupSize).to.equal(5);
  });
});
