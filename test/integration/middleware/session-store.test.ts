import { expect } from 'chai';
import type session from 'express-session';
import { Types } from 'mongoose';
import { Session } from '../../../models/session.ts';
import { DatabaseSessionStore } from '../../../server/middleware/session-store.ts';
import { useTestApp } from '../../helpers/app.ts';
import { testLogger } from '../../helpers/engine.ts';

function call<T>(fn: (cb: (err: unknown, value?: T) => void) => void): Promise<T | undefined> {
  return new Promise((resolve, reject) => fn((err, value) => (err ? reject(err) : resolve(value))));
}

function sessionData(expiresInMs: number, extra: Record<string, unknown> = {}): session.SessionData {
  return {
    cookie: {
      originalMaxAge: expiresInMs,
      expires: new Date(Date.now() + expiresInMs),
      httpOnly: true,
      path: '/',
    },
    ...extra,
  } as unknown as session.SessionData;
}

describe('database session store', () => {
  useTestApp();
  const store = new DatabaseSessionStore({ logger: testLogger, cleanupMinutes: 0 });

  it('stores, reads back and destroys a session by its id', async () => {
    await call<void>((cb) =>
      store.set('sid-1', sessionData(60_000, { flash: [{ type: 'info', key: 'x.y' }] }), cb),
    );
    const read = await call<session.SessionData | null>((cb) => store.get('sid-1', cb));
    expect(read?.flash).to.deep.equal([{ type: 'info', key: 'x.y' }]);
    await call<void>((cb) => store.destroy('sid-1', cb));
    expect(await call<session.SessionData | null>((cb) => store.get('sid-1', cb))).to.equal(null);
  });

  it('keeps any key and character a session holds', async () => {
    const odd = { 'a.b': 1, $weird: 'x', text: 'nul\u0000char é ✓' };
    await call<void>((cb) => store.set('sid-odd', sessionData(60_000, { form: { values: odd } }), cb));
    const read = (await call<session.SessionData | null>((cb) => store.get('sid-odd', cb))) as unknown as {
      form: { values: typeof odd };
    };
    expect(read.form.values).to.deep.equal(odd);
  });

  it('never returns an expired session and deletes expired ones on cleanup', async () => {
    await call<void>((cb) => store.set('sid-old', sessionData(-1000), cb));
    await call<void>((cb) => store.set('sid-new', sessionData(60_000), cb));
    expect(await call((cb) => store.get('sid-old', cb))).to.equal(null);
    const removed = await store.removeExpired();
    expect(removed).to.be.at.least(1);
    expect(await Session.exists({ _id: 'sid-old' })).to.equal(null);
    expect(await Session.exists({ _id: 'sid-new' })).to.not.equal(null);
  });

  it('extends the expiry on touch', async () => {
    await call<void>((cb) => store.set('sid-touch', sessionData(1000), cb));
    await call<void>((cb) => store.touch('sid-touch', sessionData(3_600_000), cb));
    const doc = await Session.findById('sid-touch').lean();
    expect(doc!.expires.getTime()).to.be.greaterThan(Date.now() + 3_000_000);
  });

  it('ends every session of one user, optionally keeping the current one', async () => {
    const user = new Types.ObjectId();
    for (const sid of ['u-a', 'u-b', 'u-c']) {
      await call<void>((cb) => store.set(sid, sessionData(60_000, { passport: { user: String(user) } }), cb));
    }
    await call<void>((cb) =>
      store.set('other', sessionData(60_000, { passport: { user: String(new Types.ObjectId()) } }), cb),
    );
    expect(await store.destroyForUser(user, 'u-a')).to.equal(2);
    expect(await Session.exists({ _id: 'u-a' })).to.not.equal(null);
    expect(await store.destroyForUser(user)).to.equal(1);
    expect(await Session.exists({ _id: 'other' })).to.not.equal(null);
  });

  it('never gives from memory a session this store ended, even one read a moment before', async () => {
    const user = new Types.ObjectId();
    const get = (sid: string) => call<session.SessionData | null>((cb) => store.get(sid, cb));
    for (const sid of ['m-a', 'm-b'])
      await call<void>((cb) => store.set(sid, sessionData(60_000, { passport: { user: String(user) } }), cb));
    expect(await get('m-a'), 'read, and kept a moment').to.not.equal(null);
    expect(await get('m-b')).to.not.equal(null);
    // Ended for the user (a deactivation) while reads are under way: none gives it afterwards.
    const racing = [get('m-a'), get('m-b')];
    await store.destroyForUser(user);
    await Promise.all(racing);
    expect(await get('m-a')).to.equal(null);
    expect(await get('m-b')).to.equal(null);

    await call<void>((cb) => store.set('m-c', sessionData(60_000), cb));
    expect(await get('m-c')).to.not.equal(null);
    await call<void>((cb) => store.destroy('m-c', cb));
    expect(await get('m-c'), 'signed out').to.equal(null);

    // A change this store made is read back at once (a sign-in rotates data into the session).
    await call<void>((cb) =>
      store.set('m-d', sessionData(60_000, { flash: [{ type: 'info', key: 'a' }] }), cb),
    );
    expect((await get('m-d'))?.flash).to.deep.equal([{ type: 'info', key: 'a' }]);
    await call<void>((cb) =>
      store.set('m-d', sessionData(60_000, { flash: [{ type: 'info', key: 'b' }] }), cb),
    );
    expect((await get('m-d'))?.flash).to.deep.equal([{ type: 'info', key: 'b' }]);
  });
});
