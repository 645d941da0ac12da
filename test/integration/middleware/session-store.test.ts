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
});
