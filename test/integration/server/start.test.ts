import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { projectRoot } from '../../../server/config.ts';
import { DEMO_PASSWORD } from '../../../server/seed/demo-data.ts';
import { isAlive, signedInFetch, startApp, stopApp } from '../../helpers/app-process.ts';
import { onlyOnEngine, toolsDir } from '../../helpers/engine.ts';

const nodeBinary = process.execPath;

describe('npm start (the real process)', function () {
  this.timeout(120_000);
  let dataDir: string;
  const env = () => ({ DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'info' });

  before(async function () {
    onlyOnEngine(
      this,
      ['ferretdb', 'mongod'],
      'the real process starts its own embedded engine, whatever the test engine; the run on the embedded engine covers it',
    );
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'passaparola-start-'));
  });

  after(async () => {
    if (dataDir) await fs.rm(dataDir, { recursive: true, force: true });
  });

  it('starts on the embedded engine, seeds the demo organisation, and shuts down cleanly', async () => {
    const app = await startApp(env());
    expect(app.lines.join('\n')).to.include('demo data seeded');
    const get = await signedInFetch(app.url, 'alessandra.ferri@aurora.example', DEMO_PASSWORD);
    const home = await get('/');
    expect(home.status).to.equal(200);
    expect(await home.text()).to.include('Fibra lenta solo la sera');
    expect(await (await get('/people')).text()).to.include('45 people');
    expect((await fetch(`${app.url}/readyz`)).status).to.equal(200);

    const state = JSON.parse(
      await fs
        .readFile(path.join(dataDir, 'ferretdb', 'engine.json'), 'utf8')
        .catch(async () => fs.readFile(path.join(dataDir, 'mongod', 'engine.json'), 'utf8')),
    ) as { pid: number };
    const stopped = await stopApp(app.child);
    expect(stopped.code).to.equal(0);
    expect(stopped.ms).to.be.lessThan(10_000);
    expect(isAlive(state.pid), 'the engine stops with the app').to.equal(false);
  });

  it('reuses the same data on the second start without seeding again', async () => {
    const app = await startApp(env());
    try {
      const log = app.lines.join('\n');
      expect(log).not.to.include('demo data seeded');
      expect(log).to.include('demo seed skipped');
      const get = await signedInFetch(app.url, 'alessandra.ferri@aurora.example', DEMO_PASSWORD);
      const text = await (await get('/people')).text();
      expect(text).to.include('45 people');
    } finally {
      expect((await stopApp(app.child, 'SIGINT')).code).to.equal(0);
    }
  });

  it('starts from what it held when it stopped, unless another process opened the database since', async () => {
    const engineDir = path.join(dataDir, 'ferretdb');
    const snapshots = async () => (await fs.readdir(engineDir)).filter((f) => f.endsWith('.mirror'));
    // The clean stops above each wrote one; a start consumes it.
    expect(await snapshots()).to.have.length(1);
    let app = await startApp(env());
    try {
      expect(await snapshots(), 'a start uses its snapshot once').to.deep.equal([]);
      const get = await signedInFetch(app.url, 'alessandra.ferri@aurora.example', DEMO_PASSWORD);
      expect(await (await get('/people')).text()).to.include('45 people');
      expect(await (await get('/')).text()).to.include('Fibra lenta solo la sera');
    } finally {
      expect((await stopApp(app.child)).code).to.equal(0);
    }
    expect(await snapshots()).to.have.length(1);

    // Another process writes while the app is stopped: the snapshot no longer applies.
    const script = spawn(
      nodeBinary,
      ['scripts/admin-create.ts', '--email', 'nuova.admin@aurora.example', '--name', 'Nuova Admin'],
      {
        cwd: projectRoot,
        env: {
          PATH: process.env.PATH ?? '',
          HOME: process.env.HOME ?? '',
          TOOLS_DIR: toolsDir,
          DATA_DIR: dataDir,
          ADMIN_PASSWORD: 'a-long-enough-password-42',
        },
        stdio: 'ignore',
      },
    );
    expect(await new Promise<number | null>((resolve) => script.once('exit', resolve))).to.equal(0);
    app = await startApp(env());
    try {
      const get = await signedInFetch(app.url, 'alessandra.ferri@aurora.example', DEMO_PASSWORD);
      expect(await (await get('/people')).text(), 'the person the script added is listed').to.include(
        '46 people',
      );
    } finally {
      expect((await stopApp(app.child)).code).to.equal(0);
    }
  });

  it('refuses a second app on the same embedded data folder, and says why, while the first keeps serving', async () => {
    const first = await startApp(env());
    try {
      const second = await startApp(env()).then(
        async (app) => {
          await stopApp(app.child);
          return 'started';
        },
        (err: Error) => err.message,
      );
      expect(second).to.include('exited with 1 before listening');
      expect(second).to.include('already runs the embedded database engine on this data folder');
      expect(second).to.include('MONGODB_URI');
      expect((await fetch(`${first.url}/readyz`)).status, 'the first app is untouched').to.equal(200);
    } finally {
      expect((await stopApp(first.child)).code).to.equal(0);
    }
  });

  it('refuses to start with a bad configuration and says which variable is wrong', async () => {
    const child = spawn(nodeBinary, ['server/index.ts'], {
      cwd: projectRoot,
      env: { PATH: process.env.PATH ?? '', PORT: 'eighty', DEFAULT_LOCALE: 'fr' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).to.equal(1);
    expect(stderr).to.include('Invalid configuration');
    expect(stderr).to.include('PORT: expected a whole number');
    expect(stderr).to.include('DEFAULT_LOCALE');
  });
});
