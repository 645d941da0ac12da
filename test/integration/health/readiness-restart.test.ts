import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import mongoose from 'mongoose';
import { Team } from '../../../models/team.ts';
import { User } from '../../../models/user.ts';
import { EmbeddedEngine } from '../../../server/db/engine.ts';
import { csrfToken, useTestApp } from '../../helpers/app.ts';
import { onlyOnEngine, testLogger, toolsDir } from '../../helpers/engine.ts';
import { signedIn } from '../../helpers/users.ts';

async function waitFor(check: () => Promise<boolean>, timeoutMs: number, label: string): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if (await check()) return Date.now() - started;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${label}`);
}

describe('readiness while the database engine restarts', function () {
  this.timeout(90_000);
  let engine: EmbeddedEngine | undefined;
  let dataDir: string | undefined;

  before(async function () {
    onlyOnEngine(
      this,
      ['ferretdb', 'mongod'],
      'kills and restarts the embedded engine process (its own, started here); the run on the embedded engine covers it',
    );
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'passaparola-ready-'));
    // A long pause before the restart leaves time to observe the outage.
    engine = await EmbeddedEngine.start({
      dataDir,
      toolsDir,
      kind: 'auto',
      logger: testLogger,
      restartDelayMs: 8000,
    });
  });

  const t = useTestApp({ databaseUri: () => engine!.uri('readiness') });

  after(async () => {
    await engine?.stop();
    if (dataDir) await fs.rm(dataDir, { recursive: true, force: true });
  });

  it('goes red when the engine dies and green again when it is back, without restarting the app', async () => {
    await t.request().get('/readyz').expect(200);
    const { agent, user } = await signedIn(t);
    const token = await csrfToken(agent, '/settings/profile');
    await Team.create({ name: 'Before the outage', slug: 'before-outage' });

    const exited = engine!.waitForExit();
    process.kill(engine!.pid!, 'SIGKILL');
    await exited;

    await waitFor(
      async () => (await t.request().get('/readyz')).status === 503,
      5000,
      '/readyz to report 503',
    );
    const red = await t.request().get('/readyz');
    expect(red.body).to.deep.equal({ status: 'unavailable', checks: { database: 'down' } });

    // A page answers from what the app holds, or fails cleanly: never a 500 or a hang.
    const page = await agent.get('/').set('Accept-Language', 'en');
    expect(page.status, 'a read during the outage').to.be.oneOf([200, 503]);
    // A write fails cleanly with an explanation, and is not stored.
    const write = await agent
      .post('/settings/profile')
      .set('Accept-Language', 'en')
      .field('_csrf', token)
      .field('displayName', 'Written during the outage');
    expect(write.status).to.equal(503);
    expect(write.text).to.include('The database is not reachable right now');
    expect(write.headers['retry-after']).to.equal('5');

    const ms = await waitFor(
      async () => (await t.request().get('/readyz')).status === 200,
      30_000,
      '/readyz to recover',
    );
    expect(ms).to.be.greaterThan(0);
    await agent.get('/').expect(200);
    expect(mongoose.connection.readyState).to.equal(mongoose.ConnectionStates.connected);
    const kept = await Team.findOne({ slug: 'before-outage' }).lean();
    expect(kept?.name, 'data acknowledged before the outage is still there').to.equal('Before the outage');
    const person = await User.findById(user.id).lean();
    expect(person?.displayName, 'the write answered 503 was not stored').to.not.equal(
      'Written during the outage',
    );
  });
});
