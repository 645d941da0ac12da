import { expect } from 'chai';
import { AuditEntry } from '../../../models/audit-entry.ts';
import { Team } from '../../../models/team.ts';
import { User } from '../../../models/user.ts';
import { csrfToken, useTestApp } from '../../helpers/app.ts';
import { decodeHtml } from '../../helpers/html.ts';
import { createUser, signedIn } from '../../helpers/users.ts';

describe('bulk import of accounts', () => {
  const t = useTestApp();
  let agent: Awaited<ReturnType<typeof signedIn>>['agent'];
  let adminEmail: string;
  let token: string;

  before(async () => {
    await Team.create({ name: 'Fatturazione e Pagamenti', slug: 'fatturazione' });
    const admin = await signedIn(t, ['admin'], { displayName: 'Amministra Import' });
    agent = admin.agent;
    adminEmail = admin.user.email;
    token = await csrfToken(agent, '/admin/import');
  });

  const preview = (csv: string) =>
    agent.post('/admin/import/preview').field('_csrf', token).field('csv', csv).expect(200);

  it('previews every row with its problems and writes nothing', async () => {
    const existing = await createUser({ email: 'gia.presente@aurora.example' });
    const csv = [
      'email,name,roles,team,locale',
      'anna.verdi@aurora.example,Anna Verdi,operator,fatturazione,it',
      'anna.verdi@aurora.example,Anna Doppia,operator,,',
      `${existing.email},Già Presente,operator,,`,
      'rotto-at-example,Email Rotta,operator,,',
      'senza.nome@aurora.example,,operator,,',
      'ruolo.strano@aurora.example,Ruolo Strano,operator;overlord,,',
      'team.ignoto@aurora.example,Team Ignoto,operator,marketing,',
      'lingua@aurora.example,Lingua Strana,operator,,fr',
      'bob.lead@aurora.example,Bob Lead,operator|team_lead,Fatturazione e Pagamenti,en',
    ].join('\n');
    const before = await User.countDocuments();
    const res = await preview(csv);
    expect(res.text).to.include('3 righe importabili, 6 con problemi.');
    // A row with an existing account's email updates it; the preview says what changes.
    expect(decodeHtml(res.text)).to.include('Aggiorna: nome');
    for (const message of [
      'Stessa email della riga 2',
      'Email non valida',
      'Nome mancante',
      'Ruolo sconosciuto: overlord',
      'Team sconosciuto: marketing',
      'La lingua deve essere it o en',
    ]) {
      expect(res.text, message).to.include(message);
    }
    expect(await User.countDocuments()).to.equal(before);
  });

  it('imports the valid rows and gives each new person a one-time link', async () => {
    const csv =
      'email,name,roles,team\nmario.rossi@aurora.example,Mario Rossi,operator,fatturazione\nbad-email,Bad,operator,\n';
    const res = await agent.post('/admin/import').type('form').send({ _csrf: token, csv }).expect(200);
    expect(res.text).to.include('1 account creato.');
    expect(res.text).to.match(/\/password\/reset\/[A-Za-z0-9_-]{20,}/);
    const mario = await User.findOne({ email: 'mario.rossi@aurora.example' }).lean();
    expect(mario?.displayName).to.equal('Mario Rossi');
    expect(String(mario?.team)).to.equal(String((await Team.findOne({ slug: 'fatturazione' }).lean())?._id));
    expect(await User.exists({ email: 'bad-email' })).to.equal(null);
    const entry = await AuditEntry.findOne({ action: 'users.import' }).lean();
    expect(entry?.details).to.include({ created: 1, skipped: 1 });
  });

  it('imports nothing when asked to and any row is bad', async () => {
    const csv = 'email,name,roles\nall.or@aurora.example,All Or,operator\nnothing@aurora.example,,operator\n';
    const res = await agent
      .post('/admin/import')
      .type('form')
      .send({ _csrf: token, csv, allOrNothing: 'on' })
      .expect(422);
    expect(res.text).to.include('Non è stato importato nulla');
    expect(await User.exists({ email: 'all.or@aurora.example' })).to.equal(null);
  });

  it('reads an uploaded file with semicolons and Italian headers', async () => {
    const csv =
      'email;nome;ruoli;team;lingua\nlucia.bassi@aurora.example;Lucia Bassi;knowledge_manager;;it\n';
    const res = await agent
      .post('/admin/import/preview')
      .field('_csrf', token)
      .attach('file', Buffer.from(csv, 'utf8'), { filename: 'persone.csv', contentType: 'text/csv' })
      .expect(200);
    expect(res.text).to.include('1 riga importabile, 0 con problemi.');
  });

  it('explains a file without the required columns', async () => {
    const res = await preview('nome,cognome\nMario,Rossi\n');
    expect(res.text).to.include('La prima riga deve indicare le colonne');
  });

  it('re-checks the rows on import instead of trusting the preview', async () => {
    const csv = 'email,name\nrace@aurora.example,Race Condition\n';
    await preview(csv);
    await createUser({ email: 'race@aurora.example' });
    // Created meanwhile: the import finds it and updates it instead of creating a second one.
    const res = await agent.post('/admin/import').type('form').send({ _csrf: token, csv }).expect(200);
    expect(res.text).to.include('1 account aggiornato.');
    expect(await User.countDocuments({ email: 'race@aurora.example' })).to.equal(1);
    expect((await User.findOne({ email: 'race@aurora.example' }).lean())?.displayName).to.equal(
      'Race Condition',
    );
  });

  it("updates and deactivates existing accounts by email, showing each row's changes first", async () => {
    const team = await Team.findOne({ slug: 'fatturazione' }).lean();
    const moving = await createUser({ email: 'cambia.tutto@aurora.example', displayName: 'Cambia Tutto' });
    const leaving = await createUser({ email: 'se.ne.va@aurora.example', displayName: 'Se Ne Va' });
    const leavingSession = await signedIn(t, ['operator'], {
      email: 'ha.sessione@aurora.example',
      displayName: 'Ha Sessione',
    });
    const same = await createUser({
      email: 'uguale@aurora.example',
      displayName: 'Resta Uguale',
      locale: 'it',
    });
    const csv = [
      'email;nome;ruoli;team;lingua;stato',
      `${moving.email};Cambia Davvero;operator|team_lead;fatturazione;en;`,
      `${leaving.email};Se Ne Va;;;;disattivato`,
      `${leavingSession.user.email};Ha Sessione;;;;inactive`,
      `${same.email};Resta Uguale;;;it;attivo`,
      'nuova.persona@aurora.example;Nuova Persona;operator;;;',
      'mai.esistito@aurora.example;Mai Esistito;;;;disattivato',
      'stato.strano@aurora.example;Stato Strano;;;;forse',
    ].join('\n');
    const shown = decodeHtml((await preview(csv)).text);
    const changes = [...shown.matchAll(/data-testid="import-change">([^<]*)</g)].map((m) => m[1]);
    expect(changes).to.deep.equal([
      'Aggiorna: nome, ruoli, team, lingua',
      'Aggiorna: disattiva',
      'Aggiorna: disattiva',
      'Nessuna modifica',
      'Nuovo account',
      'Nuovo account',
      'Nuovo account',
    ]);
    expect(shown).to.include('Nessun account con questa email da disattivare');
    expect(shown).to.include('Stato sconosciuto: forse');
    expect((await User.findById(moving.id).lean())?.displayName, 'the preview writes nothing').to.equal(
      'Cambia Tutto',
    );
    // The button counts the rows that write something: not the unchanged one.
    expect(shown).to.include('Importa 4 account');
    const idle = decodeHtml((await preview(`email,name\n${same.email},Resta Uguale\n`)).text);
    expect(idle).to.include('Ogni riga valida corrisponde già al suo account');
    expect(idle).to.not.include('action="/admin/import" ');

    const res = decodeHtml(
      (await agent.post('/admin/import').type('form').send({ _csrf: token, csv }).expect(200)).text,
    );
    expect(res).to.include('1 account creato.').and.include('3 account aggiornati.');
    const moved = await User.findById(moving.id).lean();
    expect([
      moved?.displayName,
      [...(moved?.roles ?? [])].sort(),
      String(moved?.team),
      moved?.locale,
    ]).to.deep.equal(['Cambia Davvero', ['operator', 'team_lead'], String(team?._id), 'en']);
    expect((await User.findById(leaving.id).lean())?.active).to.equal(false);
    // Deactivated through the account's own rules: its sessions end.
    await leavingSession.agent.get('/').expect(303);
    expect((await User.findById(same.id).lean())?.displayName).to.equal('Resta Uguale');
    const actions = (await AuditEntry.find({ 'target.id': leaving.id } as never).lean()).map((e) => e.action);
    expect(actions).to.include('users.deactivate');

    // The one-time links, once, as a CSV.
    const links = await agent.get('/admin/import/links.csv').expect(200);
    expect(links.headers['content-type']).to.match(/^text\/csv/);
    expect(links.text)
      .to.include('nuova.persona@aurora.example')
      .and.match(/\/password\/reset\/[A-Za-z0-9_-]{20,}/);
    await agent.get('/admin/import/links.csv').expect(404);
  });

  it('never deactivates the importing administrator nor the last one', async () => {
    const csv = `email,name,status\n${adminEmail},Amministra Import,inactive\n`;
    const res = await agent.post('/admin/import').type('form').send({ _csrf: token, csv }).expect(422);
    expect((await User.findOne({ email: adminEmail }).lean())?.active).to.equal(true);
    expect(res.text).to.include('Non puoi disattivare il tuo stesso account.');
  });
});
