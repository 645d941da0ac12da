import { expect } from 'chai';
import { AuditEntry } from '../../../models/audit-entry.ts';
import { Team } from '../../../models/team.ts';
import { User } from '../../../models/user.ts';
import { csrfToken, useTestApp } from '../../helpers/app.ts';
import { createUser, signedIn } from '../../helpers/users.ts';

describe('bulk import of accounts', () => {
  const t = useTestApp();
  let agent: Awaited<ReturnType<typeof signedIn>>['agent'];
  let token: string;

  before(async () => {
    await Team.create({ name: 'Fatturazione e Pagamenti', slug: 'fatturazione' });
    ({ agent } = await signedIn(t, ['admin']));
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
    expect(res.text).to.include('2 righe importabili, 7 con problemi.');
    for (const message of [
      'Stessa email della riga 2',
      'Esiste già un account con questa email',
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
    const res = await agent.post('/admin/import').type('form').send({ _csrf: token, csv }).expect(422);
    expect(res.text).to.include('Esiste già un account con questa email');
    expect(await User.countDocuments({ email: 'race@aurora.example' })).to.equal(1);
  });
});
