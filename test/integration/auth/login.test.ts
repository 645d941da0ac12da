import { expect } from 'chai';
import { AuditEntry } from '../../../models/audit-entry.ts';
import { RateLimitCounter } from '../../../models/rate-limit-counter.ts';
import { Session } from '../../../models/session.ts';
import { User } from '../../../models/user.ts';
import { csrfToken, useTestApp } from '../../helpers/app.ts';
import { createUser, signIn } from '../../helpers/users.ts';

function sessionCookie(res: { headers: Record<string, unknown> }): string | undefined {
  const cookies = ([] as string[]).concat((res.headers['set-cookie'] as string[] | undefined) ?? []);
  return cookies.find((c) => c.startsWith('pp.sid='));
}

describe('signing in and out', () => {
  const t = useTestApp();

  it('signs in with email and password, on a new session id, and audits it', async () => {
    const user = await createUser();
    const agent = t.agent();
    const token = await csrfToken(agent, '/login');
    const before = (await agent.get('/login')).headers['set-cookie'];
    const res = await agent
      .post('/login')
      .type('form')
      .send({ _csrf: token, email: user.email.toUpperCase(), password: user.password, next: '/people' })
      .expect(303);
    expect(res.headers.location).to.equal('/people');
    const after = sessionCookie(res);
    expect(after, 'a fresh session cookie').to.be.a('string');
    expect(String(before)).to.not.include(after!.split(';')[0]!);
    const me = await agent.get('/api/me').expect(200);
    expect(me.body.user).to.include({ id: user.id, email: user.email });
    const entry = await AuditEntry.findOne({ action: 'auth.login.success', 'target.id': user.id }).lean();
    expect(entry?.actorName).to.equal(user.displayName);
  });

  it('answers wrong passwords and unknown emails with the same generic message', async () => {
    const user = await createUser();
    const agent = t.agent();
    const token = await csrfToken(agent, '/login');
    const wrong = await agent
      .post('/login')
      .type('form')
      .send({ _csrf: token, email: user.email, password: 'not the password at all' });
    const unknown = await agent
      .post('/login')
      .type('form')
      .send({ _csrf: token, email: 'nobody@test.example', password: 'not the password at all' });
    expect(wrong.status).to.equal(401);
    expect(unknown.status).to.equal(401);
    expect(wrong.text).to.include('Email o password non corrette.');
    expect(unknown.text).to.include('Email o password non corrette.');
    expect(wrong.text, 'the typed email is kept').to.include(`value="${user.email}"`);
    const failures = await AuditEntry.find({ action: 'auth.login.failure' }).lean();
    expect(failures.map((f) => (f.details as { reason: string }).reason)).to.include.members([
      'wrong_password',
      'unknown_email',
    ]);
    await agent.get('/api/me').expect(401);
  });

  it('refuses deactivated accounts with the same message', async () => {
    const user = await createUser({ active: false });
    const agent = t.agent();
    const token = await csrfToken(agent, '/login');
    const res = await agent
      .post('/login')
      .type('form')
      .send({ _csrf: token, email: user.email, password: user.password })
      .expect(401);
    expect(res.text).to.include('Email o password non corrette.');
  });

  it('rejects NoSQL-injection-shaped bodies by validation', async () => {
    await createUser();
    const agent = t.agent();
    const token = await csrfToken(agent, '/login');
    const res = await agent
      .post('/login')
      .set('Accept', 'application/json')
      .send({ _csrf: token, email: { $ne: null }, password: { $ne: null } })
      .expect(422);
    expect(res.body.error.fields).to.have.keys(['email', 'password']);
    await agent.get('/api/me').expect(401);
  });

  it('requires a CSRF token to sign in', async () => {
    const user = await createUser();
    const agent = t.agent();
    await csrfToken(agent, '/login');
    await agent.post('/login').type('form').send({ email: user.email, password: user.password }).expect(403);
    await agent.get('/api/me').expect(401);
  });

  it('keeps the cookie across browser restarts only with "remember me"', async () => {
    const user = await createUser();
    const plain = t.agent();
    let token = await csrfToken(plain, '/login');
    const a = await plain
      .post('/login')
      .type('form')
      .send({ _csrf: token, email: user.email, password: user.password })
      .expect(303);
    expect(sessionCookie(a)).to.not.match(/Expires=/i);
    const remembered = t.agent();
    token = await csrfToken(remembered, '/login');
    const b = await remembered
      .post('/login')
      .type('form')
      .send({ _csrf: token, email: user.email, password: user.password, remember: 'on' })
      .expect(303);
    expect(sessionCookie(b)).to.match(/Expires=/i);
  });

  it('signs out: the session is destroyed and audited', async () => {
    const user = await createUser();
    const agent = t.agent();
    await signIn(agent, user.email, user.password);
    const token = await csrfToken(agent, '/settings/account');
    const sessionsBefore = await Session.countDocuments({ user: user.id });
    expect(sessionsBefore).to.equal(1);
    const res = await agent.post('/logout').type('form').send({ _csrf: token }).expect(303);
    expect(res.headers.location).to.equal('/login?signedOut=1');
    expect(await Session.countDocuments({ user: user.id })).to.equal(0);
    await agent.get('/api/me').expect(401);
    const page = await agent.get('/login?signedOut=1');
    expect(page.text).to.include('Sei uscito da Passaparola.');
    expect(await AuditEntry.exists({ action: 'auth.logout', actor: user.id })).to.not.equal(null);
  });

  it('ends a session after the idle timeout', async () => {
    const user = await createUser();
    const agent = t.agent();
    await signIn(agent, user.email, user.password);
    await agent.get('/api/me').expect(200);
    await Session.updateMany({ user: user.id }, { $set: { expires: new Date(Date.now() - 1000) } });
    await agent.get('/api/me').expect(401);
    const page = await agent.get('/people').redirects(0);
    expect(page.headers.location).to.equal('/login?next=%2Fpeople');
  });

  it('ends a session after the absolute timeout, whatever the activity', async () => {
    const user = await createUser();
    const agent = t.agent();
    await signIn(agent, user.email, user.password);
    const doc = await Session.findOne({ user: user.id }).lean();
    const data = JSON.parse(doc!.data) as { authAt: number };
    data.authAt = Date.now() - (t.config.sessionAbsoluteHours * 3600_000 + 60_000);
    await Session.updateOne({ _id: doc!._id }, { $set: { data: JSON.stringify(data) } });
    const res = await agent.get('/people').redirects(0);
    expect(res.status).to.equal(303);
    expect(res.headers.location).to.equal('/login?expired=1&next=%2Fpeople');
    const login = await agent.get(String(res.headers.location));
    expect(login.text).to.include('La sessione è scaduta');
    expect(await Session.exists({ _id: doc!._id })).to.equal(null);
  });

  it('signs a deactivated person out at their next request', async () => {
    const user = await createUser();
    const agent = t.agent();
    await signIn(agent, user.email, user.password);
    await User.updateOne({ _id: user.id }, { $set: { active: false } });
    await agent.get('/api/me').expect(401);
  });

  it('redirects a signed-in visitor away from the sign-in page', async () => {
    const user = await createUser();
    const agent = t.agent();
    await signIn(agent, user.email, user.password);
    const res = await agent.get('/login?next=/people').redirects(0).expect(303);
    expect(res.headers.location).to.equal('/people');
  });
});

describe('sign-in throttling', () => {
  const t = useTestApp({
    env: { LOGIN_MAX_FAILURES: '5', LOGIN_WINDOW_MINUTES: '15', LOGIN_IP_MAX_FAILURES: '8' },
  });

  // Every test starts with no failures counted (they all come from one address).
  beforeEach(async () => {
    await RateLimitCounter.deleteMany({});
  });

  it('locks an account after 5 failures: 429 with Retry-After, even with the right password', async () => {
    const user = await createUser();
    const agent = t.agent();
    const token = await csrfToken(agent, '/login');
    for (let i = 0; i < 5; i++) {
      await agent
        .post('/login')
        .type('form')
        .send({ _csrf: token, email: user.email, password: `wrong password ${i}` })
        .expect(401);
    }
    const locked = await agent
      .post('/login')
      .type('form')
      .send({ _csrf: token, email: user.email, password: user.password });
    expect(locked.status).to.equal(429);
    expect(Number(locked.headers['retry-after'])).to.be.within(1, 15 * 60);
    expect(locked.text).to.include('Troppi tentativi di accesso falliti');
    await agent.get('/api/me').expect(401);
  });

  it('does not count successful sign-ins, and keys the lock on the account', async () => {
    const user = await createUser();
    const other = await createUser();
    const agent = t.agent();
    const token = await csrfToken(agent, '/login');
    for (let i = 0; i < 4; i++) {
      await agent
        .post('/login')
        .type('form')
        .send({ _csrf: token, email: other.email, password: `wrong ${i} xxxxxxxxx` })
        .expect(401);
    }
    // The other account is still open, and this one was never touched.
    await signIn(t.agent(), other.email, other.password);
    await signIn(t.agent(), user.email, user.password);
  });

  it('applies a coarse per-address limit across accounts', async () => {
    const agent = t.agent();
    const token = await csrfToken(agent, '/login');
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      const res = await agent
        .post('/login')
        .type('form')
        .send({ _csrf: token, email: `spray${i}@test.example`, password: 'guess guess guess' });
      statuses.push(res.status);
    }
    expect(statuses).to.include(429);
    expect(statuses.indexOf(429)).to.be.at.most(9);
  });
});
