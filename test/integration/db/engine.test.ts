import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { MongoClient } from 'mongodb';
import { EmbeddedEngine } from '../../../server/db/engine.ts';
import { EngineUnavailableError, ensureFerretDb } from '../../../server/db/ferretdb-build.ts';
import { onlyOnEngine, testLogger, toolsDir } from '../../helpers/engine.ts';

function portIsOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function withClient<T>(uri: string, fn: (client: MongoClient) => Promise<T>): Promise<T> {
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 5000 });
  try {
    await client.connect();
    return await fn(client);
  } finally {
    await client.close();
  }
}

describe('embedded database engine', () => {
  let dataDir: string;

  before(function () {
    onlyOnEngine(
      this,
      ['ferretdb', 'mongod'],
      'tests the engine process the app starts itself; the run on the embedded engine covers it',
    );
  });

  beforeEach(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'passaparola-engine-'));
  });

  afterEach(async () => {
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  it('starts on a free loopback port, answers, and stops with its process', async () => {
    const engine = await EmbeddedEngine.start({ dataDir, toolsDir, kind: 'auto', logger: testLogger });
    try {
      expect(engine.port).to.be.greaterThan(1024);
      expect(await portIsOpen(engine.port)).to.equal(true);
      const pong = await withClient(engine.uri('probe'), (c) => c.db('probe').command({ ping: 1 }));
      expect(pong.ok).to.equal(1);
      const state = JSON.parse(await fs.readFile(path.join(engine.dataDir, 'engine.json'), 'utf8'));
      expect(state).to.include({ pid: engine.pid, port: engine.port, ownerPid: process.pid });
    } finally {
      const pid = engine.pid!;
      await engine.stop();
      expect(isAlive(pid)).to.equal(false);
      expect(await portIsOpen(engine.port)).to.equal(false);
    }
  });

  it('keeps its data in the data folder across a stop and a start', async () => {
    const first = await EmbeddedEngine.start({ dataDir, toolsDir, kind: 'auto', logger: testLogger });
    await withClient(first.uri('keep'), (c) =>
      c.db('keep').collection('notes').insertOne({ text: 'still here' }),
    );
    await first.stop();
    const second = await EmbeddedEngine.start({ dataDir, toolsDir, kind: 'auto', logger: testLogger });
    try {
      const doc = await withClient(second.uri('keep'), (c) => c.db('keep').collection('notes').findOne({}));
      expect(doc?.text).to.equal('still here');
    } finally {
      await second.stop();
    }
  });

  it('starts the engine again on the same port when its process dies', async () => {
    const engine = await EmbeddedEngine.start({ dataDir, toolsDir, kind: 'auto', logger: testLogger });
    try {
      const firstPid = engine.pid!;
      const exited = engine.waitForExit();
      process.kill(firstPid, 'SIGKILL');
      await exited;
      let restarted = false;
      for (let i = 0; i < 100 && !restarted; i++) {
        await new Promise((r) => setTimeout(r, 100));
        restarted = engine.pid !== undefined && engine.pid !== firstPid && (await portIsOpen(engine.port));
      }
      expect(restarted, 'a new engine process listens on the same port').to.equal(true);
    } finally {
      await engine.stop();
    }
  });

  it('stops an orphaned engine left by a process that was killed', async () => {
    const orphan = await EmbeddedEngine.start({
      dataDir,
      toolsDir,
      kind: 'auto',
      logger: testLogger,
      restartOnCrash: false,
    });
    const orphanPid = orphan.pid!;
    // Pretend the owner died: the state file names a process that no longer exists.
    const stateFile = path.join(orphan.dataDir, 'engine.json');
    const state = JSON.parse(await fs.readFile(stateFile, 'utf8'));
    await fs.writeFile(stateFile, JSON.stringify({ ...state, ownerPid: 2 ** 22 + 12345 }));
    const engine = await EmbeddedEngine.start({ dataDir, toolsDir, kind: 'auto', logger: testLogger });
    try {
      expect(isAlive(orphanPid)).to.equal(false);
      expect(engine.pid).to.not.equal(orphanPid);
    } finally {
      await engine.stop();
      await orphan.stop();
    }
  });

  it('explains the alternatives when FerretDB is missing and Go is not installed', async () => {
    const savedPath = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      await ensureFerretDb(path.join(dataDir, 'tools'), () => {});
      expect.fail('should have thrown');
    } catch (err) {
      expect(err).to.be.instanceOf(EngineUnavailableError);
      const message = (err as Error).message;
      expect(message).to.include('Go is not installed');
      expect(message).to.include('MONGODB_URI');
      expect(message).to.include('mongod');
    } finally {
      process.env.PATH = savedPath;
    }
  });
});
