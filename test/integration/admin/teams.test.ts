import { expect } from 'chai';
import { AuditEntry } from '../../../models/audit-entry.ts';
import { Team } from '../../../models/team.ts';
import { User } from '../../../models/user.ts';
import { csrfToken, useTestApp } from '../../helpers/app.ts';
import { createUser, signedIn } from '../../helpers/users.ts';

describe('team administration', () => {
  const t = useTestApp();

  it('creates, renames and deletes teams with leads who hold the team lead role', async () => {
    const { agent } = await signedIn(t, ['admin']);
    const lead = await createUser({ roles: ['team_lead'] });
    const operator = await createUser({ roles: ['operator'] });
    let token = await csrfToken(agent, '/admin/teams/new');
    const created = await agent
      .post('/admin/teams')
      .type('form')
      .send({
        _csrf: token,
        name: 'Recupero Crediti',
        description: 'Solleciti e piani di rientro',
        leads: lead.id,
      })
      .expect(303);
    const team = await Team.findOne({ slug: 'recupero-crediti' }).lean();
    expect(created.headers.location).to.equal(`/admin/teams/${team?._id}`);
    expect(team?.leads.map(String)).to.deep.equal([lead.id]);

    token = await csrfToken(agent, `/admin/teams/${team?._id}`);
    const refused = await agent
      .post(`/admin/teams/${team?._id}`)
      .set('Accept', 'application/json')
      .send({ _csrf: token, name: 'Recupero Crediti', leads: [operator.id] })
      .expect(422);
    expect(refused.body.error.fields.leads).to.include('team leader');

    await agent
      .post(`/admin/teams/${team?._id}`)
      .type('form')
      .send({ _csrf: token, name: 'Crediti e Solleciti', leads: [lead.id] })
      .expect(303);
    expect((await Team.findById(team?._id).lean())?.slug).to.equal('crediti-e-solleciti');

    await User.updateOne({ _id: operator.id }, { $set: { team: team?._id } });
    const notEmpty = await agent
      .post(`/admin/teams/${team?._id}/delete`)
      .type('form')
      .send({ _return: `/admin/teams/${team?._id}`, _csrf: token })
      .redirects(1);
    expect(notEmpty.text).to.include('ha ancora 1 persona');
    expect(await Team.exists({ _id: team?._id })).to.not.equal(null);

    await User.updateOne({ _id: operator.id }, { $set: { team: null } });
    await agent.post(`/admin/teams/${team?._id}/delete`).type('form').send({ _csrf: token }).expect(303);
    expect(await Team.exists({ _id: team?._id })).to.equal(null);
    const actions = (await AuditEntry.find({ 'target.type': 'team' }).lean()).map((e) => e.action);
    expect(actions).to.include.members(['teams.create', 'teams.update', 'teams.delete']);
  });

  it('refuses a duplicate team name', async () => {
    const { agent } = await signedIn(t, ['admin']);
    await Team.create({ name: 'Unici', slug: 'unici' });
    const token = await csrfToken(agent, '/admin/teams/new');
    const res = await agent
      .post('/admin/teams')
      .set('Accept', 'application/json')
      .send({ _csrf: token, name: 'unici' })
      .expect(422);
    expect(res.body.error.fields.name).to.include('già questo nome');
  });

  it('stops a former lead from leading when the role is removed', async () => {
    const { agent } = await signedIn(t, ['admin']);
    const lead = await createUser({ roles: ['team_lead'] });
    const team = await Team.create({ name: 'Con Lead', slug: 'con-lead', leads: [lead.id] });
    const token = await csrfToken(agent, `/admin/users/${lead.id}`);
    await agent
      .post(`/admin/users/${lead.id}`)
      .type('form')
      .send({ _csrf: token, email: lead.email, displayName: lead.displayName, roles: 'operator' })
      .expect(303);
    expect((await Team.findById(team._id).lean())?.leads).to.deep.equal([]);
  });
});
