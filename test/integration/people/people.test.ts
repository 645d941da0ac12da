import { expect } from 'chai';
import sharp from 'sharp';
import { Post } from '../../../models/post.ts';
import { Session } from '../../../models/session.ts';
import { Team } from '../../../models/team.ts';
import { Topic } from '../../../models/topic.ts';
import { User } from '../../../models/user.ts';
import { csrfToken, useTestApp } from '../../helpers/app.ts';
import { createUser, signedIn, signIn } from '../../helpers/users.ts';

async function photoWithMetadata(width = 800, height = 600): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: 200, g: 80, b: 40 } } })
    .jpeg()
    .withExif({ IFD0: { Copyright: 'SECRET-COPYRIGHT-MARK', ImageDescription: 'Taken at home, Via Roma 1' } })
    .toBuffer();
}

describe('people directory and profiles', () => {
  const t = useTestApp({ env: { AVATAR_MAX_BYTES: '200000' } });
  let billing: { _id: unknown };
  let topic: { _id: unknown };

  before(async () => {
    billing = await Team.create({ name: 'Fatturazione', slug: 'fatturazione' });
    await Team.create({ name: 'Tecnico', slug: 'tecnico' });
    topic = await Topic.create({ slug: 'bollette', names: { it: 'Bollette', en: 'Bills' }, kind: 'process' });
    await Topic.create({ slug: 'fibra', names: { it: 'Fibra', en: 'Fibre' }, kind: 'product' });
  });

  it('finds people by accent-insensitive name, team and topic', async () => {
    await createUser({ displayName: 'Niccolò Bärtschi', team: billing._id });
    await User.updateOne({ displayName: 'Niccolò Bärtschi' }, { $set: { topics: [topic._id] } });
    await createUser({ displayName: 'Other Person' });
    const { agent } = await signedIn(t);
    expect((await agent.get('/people?q=niccolo').expect(200)).text).to.include('Niccolò Bärtschi');
    const byTeam = await agent.get(`/people?team=${billing._id}`).expect(200);
    expect(byTeam.text).to.include('Niccolò Bärtschi');
    expect(byTeam.text).to.not.include('Other Person');
    const byTopic = await agent.get(`/people?topic=${topic._id}`).expect(200);
    expect(byTopic.text).to.include('Niccolò Bärtschi');
    expect(byTopic.text).to.not.include('Other Person');
    expect((await agent.get('/people?q=zzzz').expect(200)).text).to.include('Nessuno corrisponde');
    // Nonsense filters are ignored, not errors.
    await agent.get('/people?team=nope&page=-3').expect(200);
  });

  it('shows a profile with team, roles, languages and topics; hides deactivated people from colleagues', async () => {
    const person = await createUser({
      displayName: 'Profilo Completo',
      team: billing._id,
      roles: ['operator', 'team_lead'],
    });
    await User.updateOne(
      { _id: person.id },
      {
        $set: { bio: 'Esperta di bollette <b>e</b> rimborsi', languages: ['it', 'fr'], topics: [topic._id] },
      },
    );
    const { agent } = await signedIn(t, ['operator'], { locale: 'en' });
    const page = await agent.get(`/people/${person.id}`).expect(200);
    expect(page.text).to.include('Profilo Completo');
    expect(page.text).to.include('Fatturazione');
    expect(page.text).to.include('Team lead');
    expect(page.text).to.include('French');
    expect(page.text).to.include('Bills');
    expect(page.text).to.include('Esperta di bollette &lt;b&gt;e&lt;/b&gt; rimborsi');
    await agent.get('/people/000000000000000000000000').expect(404);
    await agent.get('/people/not-an-id').expect(404);
    await User.updateOne({ _id: person.id }, { $set: { active: false } });
    await agent.get(`/people/${person.id}`).expect(404);
  });

  it('pages the directory by name, the count of all matches on every page', async () => {
    const team = await Team.create({ name: 'Paginazione', slug: 'paginazione' });
    for (let i = 1; i <= 30; i++) {
      await User.create({
        email: `pagina${i}@example.test`,
        displayName: `Pagina Persona ${String(i).padStart(2, '0')}`,
        team: team._id,
      });
    }
    const { agent } = await signedIn(t, ['operator'], { locale: 'en' });
    const listed = async (url: string) => {
      const res = await agent.get(url).expect(200);
      return {
        names: [...res.text.matchAll(/<strong>Pagina Persona (\d\d)<\/strong>/g)].map((m) => Number(m[1])),
        text: res.text,
      };
    };
    const first = await listed(`/people?team=${team._id}`);
    expect(first.names).to.deep.equal(Array.from({ length: 24 }, (_, i) => i + 1));
    expect(first.text).to.include('30 people');
    const second = await listed(`/people?team=${team._id}&page=2`);
    expect(second.names).to.deep.equal([25, 26, 27, 28, 29, 30]);
    expect(second.text).to.include('30 people');
    expect((await listed('/people?q=PAGINA%20persona&page=2')).names).to.deep.equal([25, 26, 27, 28, 29, 30]);
    expect((await listed(`/people?team=${team._id}&page=3`)).names).to.deep.equal([]);
    await agent.get('/people?q[$ne]=x&topic=%24ne&page=100000').expect(200);
  });

  it('shows the newest posts of a person on their profile, never deleted ones', async () => {
    const person = await createUser({ displayName: 'Autrice Prolifica' });
    const base = Date.parse('2026-02-01T09:00:00Z');
    for (let i = 1; i <= 7; i++) {
      const at = new Date(base + i * 60_000);
      await Post.create({
        kind: i % 2 ? 'tip' : 'question',
        title: `Contributo numero ${i}`,
        author: person.id,
        createdAt: at,
        lastActivityAt: at,
        ...(i === 6 ? { deleted: { at, by: person.id } } : {}),
      });
    }
    const { agent } = await signedIn(t, ['operator'], { locale: 'en' });
    const page = await agent.get(`/people/${person.id}`).expect(200);
    expect(page.text).to.include('Recent contributions');
    const shown = [...page.text.matchAll(/Contributo numero (\d)/g)].map((m) => Number(m[1]));
    expect(shown).to.deep.equal([7, 5, 4, 3, 2]);
    const quiet = await createUser();
    expect((await agent.get(`/people/${quiet.id}`).expect(200)).text).to.include('No posts yet.');
  });

  it('lets people edit their own profile but never their roles, team or email', async () => {
    const { agent, user } = await signedIn(t);
    const token = await csrfToken(agent, '/settings/profile');
    await agent
      .post('/settings/profile')
      .field('_csrf', token)
      .field('displayName', 'Nome Nuovo')
      .field('bio', 'Seguo i reclami da sei anni.')
      .field('languages', 'it')
      .field('languages', 'en')
      .field('topics', String(topic._id))
      .field('roles', 'admin')
      .field('team', String(billing._id))
      .field('email', 'hijack@evil.example')
      .field('active', 'true')
      .expect(303);
    const saved = await User.findById(user.id).lean();
    expect(saved?.displayName).to.equal('Nome Nuovo');
    expect(saved?.languages).to.deep.equal(['it', 'en']);
    expect(saved?.topics.map(String)).to.deep.equal([String(topic._id)]);
    expect(saved?.roles).to.deep.equal(['operator']);
    expect(saved?.team).to.equal(null);
    expect(saved?.email).to.equal(user.email);
  });

  it('keeps typed values and explains errors when the profile form is wrong', async () => {
    const { agent } = await signedIn(t);
    const token = await csrfToken(agent, '/settings/profile');
    const posted = await agent
      .post('/settings/profile')
      .field('_csrf', token)
      .field('_return', '/settings/profile')
      .field('displayName', 'X')
      .field('bio', 'Il mio testo non va perso')
      .field('languages', 'klingon')
      .expect(303);
    expect(posted.headers.location).to.equal('/settings/profile');
    const res = await agent.get('/settings/profile').expect(200);
    expect(res.text).to.include('Usa almeno 2 caratteri.');
    expect(res.text).to.include('Il mio testo non va perso');
    expect(res.text).to.include('aria-invalid="true"');
  });

  it('turns an uploaded photo into a square WebP avatar without metadata', async () => {
    const { agent, user } = await signedIn(t);
    const token = await csrfToken(agent, '/settings/profile');
    await agent
      .post('/settings/profile')
      .field('_csrf', token)
      .field('displayName', user.displayName)
      .attach('avatar', await photoWithMetadata(), { filename: 'holiday.jpg', contentType: 'image/jpeg' })
      .expect(303);
    const saved = await User.findById(user.id).lean();
    expect(saved?.avatar?.fileId).to.be.a('string');
    const image = await agent
      .get(`/people/${user.id}/avatar?v=${saved?.avatar?.version}`)
      .buffer(true)
      .expect(200);
    expect(image.headers['content-type']).to.equal('image/webp');
    expect(image.headers['x-content-type-options']).to.equal('nosniff');
    const meta = await sharp(image.body as Buffer).metadata();
    expect(meta.format).to.equal('webp');
    expect([meta.width, meta.height]).to.deep.equal([256, 256]);
    expect(meta.exif).to.equal(undefined);
    expect((image.body as Buffer).includes(Buffer.from('SECRET-COPYRIGHT-MARK'))).to.equal(false);
    // Only signed-in people see pictures.
    await t.request().get(`/people/${user.id}/avatar`).redirects(0).expect(303);
    // Replacing the picture removes the old file; removing it leaves none.
    const first = saved?.avatar?.fileId as string;
    await agent
      .post('/settings/profile')
      .field('_csrf', token)
      .field('displayName', user.displayName)
      .attach('avatar', await photoWithMetadata(300, 300), { filename: 'b.jpg' })
      .expect(303);
    expect(await t.services.storage.read(first)).to.equal(null);
    await agent.post('/settings/profile/avatar/delete').type('form').send({ _csrf: token }).expect(303);
    expect((await User.findById(user.id).lean())?.avatar?.fileId).to.equal(null);
    await agent.get(`/people/${user.id}/avatar`).expect(404);
  });

  it('decides the picture type by content, not by name, and refuses oversize files', async () => {
    const { agent, user } = await signedIn(t);
    const token = await csrfToken(agent, '/settings/profile');
    const fake = await agent
      .post('/settings/profile')
      .field('_csrf', token)
      .set('Accept', 'application/json')
      .field('displayName', 'Cambiato Nome')
      .attach('avatar', Buffer.from('<script>alert(1)</script> definitely not a png'), {
        filename: 'photo.png',
        contentType: 'image/png',
      })
      .expect(422);
    expect(fake.body.error.fields.avatar).to.include('PNG, JPEG, WebP o GIF');
    const big = await sharp({ create: { width: 2400, height: 2400, channels: 3, background: '#808080' } })
      .png({ compressionLevel: 0 })
      .toBuffer();
    const oversize = await agent
      .post('/settings/profile')
      .field('_csrf', token)
      .set('Accept', 'application/json')
      .field('displayName', 'Cambiato Nome')
      .attach('avatar', big, { filename: 'big.png' })
      .expect(413);
    expect(oversize.body.error.fields.avatar).to.include('supera 0.2 MB');
    const saved = await User.findById(user.id).lean();
    expect(saved?.displayName, 'nothing half-saved').to.equal(user.displayName);
    expect(saved?.avatar?.fileId ?? null).to.equal(null);
  });

  it('changes the password with the current one, and ends the other sessions', async () => {
    const user = await createUser();
    const here = t.agent();
    const elsewhere = t.agent();
    await signIn(here, user.email, user.password);
    await signIn(elsewhere, user.email, user.password);
    const token = await csrfToken(here, '/settings/account');
    const wrong = await here
      .post('/settings/password')
      .set('Accept', 'application/json')
      .send({
        _csrf: token,
        currentPassword: 'not my password',
        newPassword: 'a brand new passphrase',
        confirmPassword: 'a brand new passphrase',
      })
      .expect(422);
    expect(wrong.body.error.fields.currentPassword).to.include('non è corretta');
    const weak = await here
      .post('/settings/password')
      .set('Accept', 'application/json')
      .send({
        _csrf: token,
        currentPassword: user.password,
        newPassword: 'Password2025!',
        confirmPassword: 'Password2025!',
      })
      .expect(422);
    expect(weak.body.error.fields.newPassword).to.include('troppo comune');
    const mismatch = await here
      .post('/settings/password')
      .set('Accept', 'application/json')
      .send({
        _csrf: token,
        currentPassword: user.password,
        newPassword: 'a brand new passphrase',
        confirmPassword: 'another one entirely',
      })
      .expect(422);
    expect(mismatch.body.error.fields.confirmPassword).to.include('non coincidono');
    await here
      .post('/settings/password')
      .type('form')
      .send({
        _csrf: token,
        currentPassword: user.password,
        newPassword: 'a brand new passphrase',
        confirmPassword: 'a brand new passphrase',
      })
      .expect(303);
    await here.get('/api/me').expect(200);
    await elsewhere.get('/api/me').expect(401);
    expect(await Session.countDocuments({ user: user.id })).to.equal(1);
    await signIn(t.agent(), user.email, 'a brand new passphrase');
  });

  it('saves the chosen language on the account', async () => {
    const { agent, user } = await signedIn(t);
    const token = await csrfToken(agent, '/settings/account');
    await agent
      .post('/preferences/language')
      .type('form')
      .send({ _csrf: token, locale: 'en', next: '/settings/account' })
      .expect(303);
    expect((await User.findById(user.id).lean())?.locale).to.equal('en');
    const fresh = t.agent();
    await signIn(fresh, user.email, user.password);
    expect((await fresh.get('/settings/account').set('Accept-Language', 'it')).text).to.include(
      '<html lang="en">',
    );
  });
});
