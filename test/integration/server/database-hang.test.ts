import { readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { type Started, sessionWithToken, startApp, stopApp } from '../../helpers/app-process.ts';
import { onlyOnEngine } from '../../helpers/engine.ts';

describe('a database that stops answering (engine frozen with SIGSTOP)', function () {
  this.timeout(120_000);
  let dataDir: string;
  let app: Started | undefined;
  let enginePid: number | undefined;

  before(async function () {
    onlyOnEngine(
      this,
      ['ferretdb', 'mongod'],
      'the real process starts its own embedded engine, whatever the test engine; the run on the embedded engine covers it',
    );
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'passaparola-hang-'));
    app = await startApp({
      DATA_DIR: dataDir,
      PORT: '0',
      LOG_LEVEL: 'info',
      POST_INTERVAL_SECONDS: '0',
      DB_UNRESPONSIVE_MS: '1000',
      DB_OPERATION_TIMEOUT_MS: '4000',
    });
    enginePid = (
      JSON.parse(readFileSync(path.join(dataDir, 'ferretdb', 'engine.json'), 'utf8')) as { pid: number }
    ).pid;
  });

  after(async () => {
    if (enginePid) {
      try {
        process.kill(enginePid, 'SIGCONT');
      } catch {
        // already gone
      }
    }
    if (app && app.child.exitCode === null) await stopApp(app.child);
    if (dataDir) await fs.rm(dataDir, { recursive: true, force: true });
  });

  it('turns readiness red within 2 s, answers 503 at once, stores nothing it refused, and recovers', async () => {
    const { cookie, token, postId } = await sessionWithToken(app!);
    const comment = (body: string) =>
      fetch(`${app!.url}/comments`, {
        method: 'POST',
        redirect: 'manual',
        headers: {
          Cookie: cookie,
          'Accept-Language': 'en',
          'Content-Type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({ _csrf: token, targetType: 'post', targetId: postId, body }).toString(),
      });
    const commentCount = async () => {
      const page = await (
        await fetch(`${app!.url}/posts/${postId}`, { headers: { Cookie: cookie, 'Accept-Language': 'en' } })
      ).text();
      return (page.match(/id="comment-[a-f0-9]{24}"/g) ?? []).length;
    };
    expect((await comment('Before the freeze, stored.')).status).to.equal(303);
    const before = await commentCount();

    process.kill(enginePid!, 'SIGSTOP');
    const frozenAt = Date.now();
    // A write sent as the engine freezes waits for it, at most the operation timeout (4 s here).
    const inFlight = comment('Sent as the engine froze.').then((res) => ({
      status: res.status,
      ms: Date.now() - frozenAt,
    }));
    // A page that reads the database, in flight too: answered (200 or 503), and its handler's late render is dropped.
    const me = (await (await fetch(`${app!.url}/api/me`, { headers: { Cookie: cookie } })).json()) as {
      user: { id: string };
    };
    const pageInFlight = fetch(`${app!.url}/people/${me.user.id}/scores`, {
      headers: { Cookie: cookie, 'Accept-Language': 'en' },
    }).then((res) => res.status);
    let red = 0;
    while (Date.now() - frozenAt < 5000) {
      const ready = await fetch(`${app!.url}/readyz`);
      if (ready.status === 503) {
        red = Date.now() - frozenAt;
        expect(await ready.json()).to.deep.equal({ status: 'unavailable', checks: { database: 'down' } });
        break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(red, 'readiness red within 2 s').to.be.within(1, 2000);

    // Once it is known not to answer, a write is refused before it reaches the database.
    const refused = await comment('Sent while the engine is frozen: refused, never stored.');
    expect(refused.status).to.equal(503);
    expect(refused.headers.get('retry-after')).to.equal('5');
    expect(await refused.text()).to.include('The database is not reachable right now');
    const page = await fetch(`${app!.url}/`, { headers: { Cookie: cookie, 'Accept-Language': 'en' } });
    expect(page.status, 'pages too are answered 503 at once').to.equal(503);

    const held = await inFlight;
    expect(held.status, 'the write in flight ends with a 503').to.equal(503);
    expect(held.ms, 'held no longer than the operation timeout').to.be.below(4000 + 2000);

    expect(await pageInFlight).to.be.oneOf([200, 503]);

    process.kill(enginePid!, 'SIGCONT');
    const resumedAt = Date.now();
    while ((await fetch(`${app!.url}/readyz`)).status !== 200) {
      expect(Date.now() - resumedAt, 'readiness green again').to.be.below(10_000);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect((await comment('After the engine came back, stored.')).status).to.equal(303);
    const comments = await (
      await fetch(`${app!.url}/posts/${postId}`, { headers: { Cookie: cookie, 'Accept-Language': 'en' } })
    ).text();
    expect(comments).to.include('After the engine came back, stored.');
    expect(comments).to.not.include('Sent while the engine is frozen');
    // The one in flight at the freeze may have been applied by the engine when it resumed; the refused one never was.
    expect(await commentCount()).to.be.within(before + 1, before + 2);
  });
});
