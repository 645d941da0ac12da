import { expect } from 'chai';
import { AuditEntry } from '../../../models/audit-entry.ts';
import { Session } from '../../../models/session.ts';
import { Team } from '../../../models/team.ts';
import { User } from '../../../models/user.ts';
import { op } from '../../../server/db/query.ts';
import { csrfToken, useTestApp } from '../../helpers/app.ts';
import { createUser, signedIn, signIn } from '../../helpers/users.ts';

function linkIn(html: string): string {
  const match = /value="(http:\/\/[^"]+\/password\/reset\/[A-Za-z0-9_-]+)"/.exec(html);
  if (!match?.[1]) throw new Error('no one-time link on the page');
  return new URL(match[1]).pathname;
}

describe('account administration', () => {
  const t = useTestApp();

  it('creates an account with roles and team, shows a one-time link that sets the password', async () => {
    const { agent } = await signedIn(t, ['admin']);
    const team = await Team.create({ name: 'Squadra Test', slug: 'squadra-test' });
    let token = await csrfToken(agent, '/admin/users/new');
    const res = await agent
      .post('/admin/users')
      .type('form')
      .send({
        _csrf: token,
        email: ' Nuova.Persona@Aurora.example ',
        displayName: 'Nuova Persona',
        roles: ['operator', 'team_lead'],
        team: String(team._id),
        locale: 'en',
      })
      .expect(200);
    expect(res.text).to.include('Account creato');
    const account = await User.findOne({ email: 'nuova.persona@aurora.example' }).lean();
    expect(account?.roles).to.deep.equal(['operator', 'team_lead']);
    expect(String(account?.team)).to.equal(String(team._id));
    expect(account?.locale).to.equal('en');

    const path = linkIn(res.text);
    const person = t.agent();
    const form = await person.get(path).expect(200);
    expect(form.text).to.include('Nuova Persona');
    token = /name="_csrf" value="([^"]+)"/.exec(form.text)![1]!;
    await person
      .post(path)
      .type('form')
      .send({ _csrf: token, password: 'una frase segreta lunga', confirm: 'una frase segreta lunga' })
      .expect(303);
    await signIn(t.agent(), 'nuova.persona@aurora.example', 'una frase segreta lunga');
    // The link is spent.
    const again = await t.agent().get(path);
    expect(again.status).to.equal(410);
    expect(again.text).to.include('Questo link non è più valido');
    expect(
      await AuditEntry.exists({ action: 'users.create', 'target.label': 'nuova.persona@aurora.example' }),
    ).to.not.equal(null);
  });

  it('explains field by field what is wrong and keeps what was typed', async () => {
    const { agent } = await signedIn(t, ['admin']);
    const existing = await createUser();
    const token = await csrfToken(agent, '/admin/users/new');
    const res = await agent
      .post('/admin/users')
      .type('form')
      .send({
        _return: `/admin/users/new`,
        _csrf: token,
        email: existing.email,
        displayName: 'Doppione',
        roles: 'operator',
      })
      .redirects(1);
    expect(res.text).to.include('Esiste già un account con questa email.');
    expect(res.text).to.include('value="Doppione"');
    const bad = await agent
      .post('/admin/users')
      .set('Accept', 'application/json')
      .send({ _csrf: token, email: 'not-an-email', displayName: '', roles: ['overlord'] })
      .expect(422);
    expect(bad.body.error.fields).to.have.keys(['email', 'displayName', 'roles.0']);
  });

  it('edits roles and team, audits before → after, and never lets the last administrator go', async () => {
    const { agent, user: admin } = await signedIn(t, ['admin']);
    await User.updateMany({ _id: op({ $ne: admin.id }) }, { $pull: { roles: 'admin' } });
    const target = await createUser({ roles: ['operator'] });
    let token = await csrfToken(agent, `/admin/users/${target.id}`);
    await agent
      .post(`/admin/users/${target.id}`)
      .type('form')
      .send({
        _csrf: token,
        email: target.email,
        displayName: 'Renamed Person',
        roles: ['knowledge_manager'],
      })
      .expect(303);
    const updated = await User.findById(target.id).lean();
    expect(updated?.roles).to.deep.equal(['knowledge_manager']);
    const entry = await AuditEntry.findOne({ action: 'users.update', 'target.id': target.id }).lean();
    expect((entry?.details as Record<string, string> | undefined)?.roles).to.equal(
      'operator → knowledge_manager',
    );

    token = await csrfToken(agent, `/admin/users/${admin.id}`);
    const res = await agent
      .post(`/admin/users/${admin.id}`)
      .set('Accept', 'application/json')
      .send({ _csrf: token, email: admin.email, displayName: admin.displayName, roles: ['operator'] })
      .expect(422);
    expect(res.body.error.fields.roles).to.include('amministratore attivo');
  });

  it('deactivates an account: sign-in refused and open sessions ended; reactivates it', async () => {
    const { agent } = await signedIn(t, ['admin']);
    const person = await signedIn(t, ['operator']);
    await person.agent.get('/api/me').expect(200);
    const token = await csrfToken(agent, `/admin/users/${person.user.id}`);
    await agent
      .post(`/admin/users/${person.user.id}/deactivate`)
      .type('form')
      .send({ _csrf: token })
      .expect(303);
    expect(await Session.countDocuments({ user: person.user.id })).to.equal(0);
    await person.agent.get('/api/me').expect(401);
    const retry = t.agent();
    const loginToken = await csrfToken(retry, '/login');
    await retry
      .post('/login')
      .type('form')
      .send({ _csrf: loginToken, email: person.user.email, password: person.user.password })
      .expect(401);
    await agent
      .post(`/admin/users/${person.user.id}/reactivate`)
      .type('form')
      .send({ _csrf: token })
      .expect(303);
    await signIn(t.agent(), person.user.email, person.user.password);
    const actions = (await AuditEntry.find({ 'target.id': person.user.id }).lean()).map((e) => e.action);
    expect(actions).to.include.members(['users.deactivate', 'users.reactivate']);
  });

  it('does not let an administrator deactivate themselves', async () => {
    const { agent, user } = await signedIn(t, ['admin']);
    const token = await csrfToken(agent, `/admin/users/${user.id}`);
    const res = await agent
      .post(`/admin/users/${user.id}/deactivate`)
      .type('form')
      .send({ _return: `/admin/users/${user.id}`, _csrf: token })
      .redirects(1);
    expect(res.text).to.include('Non puoi disattivare il tuo stesso account.');
    expect((await User.findById(user.id).lean())?.active).to.equal(true);
  });

  it('resets a password with a one-time link that expires and replaces earlier links', async () => {
    const { agent } = await signedIn(t, ['admin']);
    const person = await createUser();
    const token = await csrfToken(agent, `/admin/users/${person.id}`);
    const first = linkIn(
      (
        await agent
          .post(`/admin/users/${person.id}/reset-password`)
          .type('form')
          .send({ _csrf: token })
          .expect(200)
      ).text,
    );
    const second = linkIn(
      (
        await agent
          .post(`/admin/users/${person.id}/reset-password`)
          .type('form')
          .send({ _csrf: token })
          .expect(200)
      ).text,
    );
    await t.agent().get(first).expect(410);
    await t.agent().get(second).expect(200);
    // Weak passwords are refused on the reset form as well.
    const browser = t.agent();
    const page = await browser.get(second);
    const formToken = /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!;
    const weak = await browser
      .post(second)
      .set('Accept', 'application/json')
      .send({ _csrf: formToken, password: 'password1234', confirm: 'password1234' })
      .expect(422);
    expect(weak.body.error.fields.password).to.include('troppo comune');
    expect(
      await AuditEntry.countDocuments({ action: 'users.resetPassword', 'target.id': person.id }),
    ).to.equal(2);
    // Expired links stop working.
    const { PasswordReset } = await import('../../../models/password-reset.ts');
    await PasswordReset.updateMany({ user: person.id }, { $set: { expiresAt: new Date(Date.now() - 1000) } });
    await t.agent().get(second).expect(410);
  });

  it('lists and filters accounts', async () => {
    const { agent } = await signedIn(t, ['admin']);
    await createUser({ displayName: 'Zoë Filtrabile', roles: ['knowledge_manager'] });
    const byName = await agent.get('/admin/users?q=zoe').expect(200);
    expect(byName.text).to.include('Zoë Filtrabile');
    const byRole = await agent.get('/admin/users?role=knowledge_manager').expect(200);
    expect(byRole.text).to.include('Zoë Filtrabile');
    const other = await agent.get('/admin/users?role=team_lead').expect(200);
    expect(other.text).to.not.include('Zoë Filtrabile');
  });

  it('shows the audit log with filters', async () => {
    const { agent } = await signedIn(t, ['admin']);
    const page = await agent.get('/admin/audit?action=auth.login.success').expect(200);
    expect(page.text).to.include('auth.login.success');
    expect(page.text).to.not.include('>users.create</code>');
    const byActor = await agent.get('/admin/audit?actor=nobody-at-all').expect(200);
    expect(byActor.text).to.include('Nessuna voce corrisponde');
  });

  it("reads the audit log as sentences in the reader's language, sign-ins left out unless asked for", async () => {
    const { agent, user: admin } = await signedIn(t, ['admin'], { displayName: 'Giulia Registro' });
    const token = await csrfToken(agent, '/admin/teams/new');
    await agent
      .post('/admin/teams')
      .type('form')
      .send({ _csrf: token, name: 'Squadra del registro' })
      .expect(303);
    const sentences = (html: string) =>
      [...html.matchAll(/data-testid="audit-sentence">([^<]*)</g)].map((m) => m[1]!.trim());

    const it = await agent.get('/admin/audit').set('Accept-Language', 'it').expect(200);
    expect(sentences(it.text)).to.include('Giulia Registro ha creato il team «Squadra del registro»');
    expect(
      sentences(it.text).some((s) => s.includes('ha effettuato l’accesso')),
      'no sign-ins by default',
    ).to.equal(false);
    expect(it.text).to.include('Accessi e uscite non sono mostrati.');
    const withSignIns = await agent.get('/admin/audit?signins=on').expect(200);
    expect(sentences(withSignIns.text)).to.include('Giulia Registro ha effettuato l’accesso');

    await User.updateOne({ _id: admin.id }, { $set: { locale: 'en' } });
    const en = await agent.get('/admin/audit').expect(200);
    expect(sentences(en.text)).to.include('Giulia Registro created the team «Squadra del registro»');
  });
});
