import { expect } from 'chai';
import mongoose from 'mongoose';
import { User } from '../../../models/user.ts';
import { csrfToken, useTestApp } from '../../helpers/app.ts';
import { testStorageAdapter } from '../../helpers/engine.ts';
import { createUser, signIn, TEST_PASSWORD } from '../../helpers/users.ts';

/** An account written by another process (a script): the raw driver, as that process's own write. */
async function accountFromElsewhere(email: string) {
  const user = new User({ email, displayName: 'Da script', roles: ['operator'] });
  await user.setPassword(TEST_PASSWORD);
  await mongoose.connection.db!.collection('users').insertOne(user.toObject() as never);
  return String(user._id);
}

describe('sign-in finds the account by email through the users repository', () => {
  const t = useTestApp();

  it('signs in by email, in any case, and refuses an unknown one with the usual message', async () => {
    const user = await createUser({ email: `Mixed.${Date.now()}@test.example`.toLowerCase() });
    await signIn(t.agent(), user.email.toUpperCase(), user.password);
    const agent = t.agent();
    const token = await csrfToken(agent, '/login');
    const res = await agent
      .post('/login')
      .type('form')
      .send({ _csrf: token, email: `nobody.${Date.now()}@test.example`, password: TEST_PASSWORD });
    expect(res.status).to.equal(401);
  });

  it('on the embedded adapter, knows accounts another process added once that process opened the database', async function () {
    if (testStorageAdapter() !== 'embedded') this.skip();
    await t.runtime.repos.ready();
    // Nobody else opened the database: the in-memory map is complete, the engine is not asked.
    const unseen = `unseen.${Date.now()}@test.example`;
    await accountFromElsewhere(unseen);
    expect(await t.runtime.repos.users.idByEmail(unseen)).to.equal(null);
    // A script opens the database (every process counts its opening), then adds an account.
    await mongoose.connection
      .db!.collection('storage_generation')
      .updateOne({ _id: 'opened' as never }, { $inc: { value: 1 } }, { upsert: true });
    const email = `script.${Date.now()}@test.example`;
    const id = await accountFromElsewhere(email);
    expect(await t.runtime.repos.users.idByEmail(email)).to.equal(id);
    await signIn(t.agent(), email, TEST_PASSWORD);
    // Found once, it is held like the others.
    expect(await t.runtime.repos.users.takenEmails([email])).to.deep.equal(new Set([email]));
  });
});
