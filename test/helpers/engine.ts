import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { projectRoot } from '../../server/config.ts';
import { createLogger } from '../../server/core/logger.ts';
import { resolveStorageAdapter, type StorageAdapterKind } from '../../server/db/adapter.ts';
import { EmbeddedEngine } from '../../server/db/engine.ts';
import { ensureMongoJavaServer, type MongoJavaServer, startMongoJavaServer } from './mongo-java-server.ts';

/** Logger for code under test: silent unless TEST_LOG_LEVEL says otherwise. */
export const testLogger = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');

/**
 * What the run's databases live on: the embedded engine the app would start
 * (FerretDB, or mongod when one is on the PATH), the in-memory
 * mongo-java-server, or the server named by TEST_MONGODB_URI.
 */
export type TestEngineKind = 'ferretdb' | 'mongod' | 'mongo-java-server' | 'external';

/** TEST_ENGINE: `ferretdb`, `mongo-java-server`, or unset (`auto`: as the app would choose). */
export type TestEngineSetting = 'auto' | 'ferretdb' | 'mongo-java-server';

let engine: EmbeddedEngine | undefined;
let javaServer: MongoJavaServer | undefined;
let kind: TestEngineKind | undefined;
let dataDir: string | undefined;
let baseUri: string | undefined;

export const toolsDir = path.resolve(projectRoot, process.env.TOOLS_DIR ?? '.tools');

export function testEngineSetting(): TestEngineSetting {
  const value = (process.env.TEST_ENGINE ?? '').trim() || 'auto';
  if (value === 'auto' || value === 'ferretdb' || value === 'mongo-java-server') return value;
  throw new Error(`TEST_ENGINE: expected ferretdb or mongo-java-server (got "${value}")`);
}

/**
 * One throwaway engine for the whole run (mocha's global setup): the one
 * TEST_ENGINE names, else the server named by TEST_MONGODB_URI, else the
 * embedded engine the app would start.
 */
export async function startTestEngine(): Promise<void> {
  const setting = testEngineSetting();
  const started = Date.now();
  if (process.env.TEST_MONGODB_URI && setting === 'auto') {
    baseUri = process.env.TEST_MONGODB_URI.replace(/\/+[^/]*$/, '');
    kind = 'external';
    report(`TEST_MONGODB_URI`, started);
    return;
  }
  if (setting === 'mongo-java-server') {
    const jar = await ensureMongoJavaServer(toolsDir, (line) => process.stdout.write(`  ${line}\n`));
    javaServer = await startMongoJavaServer(jar);
    baseUri = `mongodb://127.0.0.1:${javaServer.port}`;
    kind = 'mongo-java-server';
    report(`mongo-java-server on port ${javaServer.port}`, started);
    return;
  }
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'passaparola-test-'));
  engine = await EmbeddedEngine.start({
    dataDir,
    toolsDir,
    kind: setting,
    logger: createLogger(process.env.TEST_LOG_LEVEL ?? 'warn'),
  });
  baseUri = `mongodb://127.0.0.1:${engine.port}`;
  kind = engine.kind;
  report(`${engine.kind} on port ${engine.port}`, started);
}

function report(what: string, started: number): void {
  process.stdout.write(
    `  test engine: ${what} (${Date.now() - started} ms), storage adapter: ${testStorageAdapter()}\n`,
  );
}

export async function stopTestEngine(): Promise<void> {
  await engine?.stop();
  await javaServer?.stop();
  if (dataDir) await fs.rm(dataDir, { recursive: true, force: true });
}

/** URI of a database on the shared test engine. */
export function testDatabaseUri(database: string): string {
  if (!baseUri) throw new Error('The test engine is not running (mochaGlobalSetup did not run).');
  return `${baseUri}/${database}`;
}

/** A fresh, unique database name (names are kept short: some engines limit them). */
export function uniqueDatabaseName(label: string): string {
  const slug = label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .slice(0, 24);
  return `t_${slug}_${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
}

/** The shared embedded test engine (undefined on mongo-java-server and with TEST_MONGODB_URI). */
export function testEngine(): EmbeddedEngine | undefined {
  return engine;
}

/** What the run's databases live on. */
export function testEngineKind(): TestEngineKind {
  if (!kind) throw new Error('The test engine is not running (mochaGlobalSetup did not run).');
  return kind;
}

/**
 * The storage adapter every test app gets (STORAGE_ADAPTER): `embedded` on the
 * FerretDB the run started, `mongodb` on mongo-java-server, mongod or a
 * server named by TEST_MONGODB_URI — what the app itself would choose.
 */
export function testStorageAdapter(): StorageAdapterKind {
  const current = testEngineKind();
  return resolveStorageAdapter('auto', current === 'ferretdb' || current === 'mongod' ? current : undefined);
}

/**
 * Skips the enclosing suite (call it in a `before`) unless the run's engine is
 * one of `kinds`; the reason is printed with the pending tests.
 */
export function onlyOnEngine(context: Mocha.Context, kinds: TestEngineKind[], reason: string): void {
  const current = testEngineKind();
  if (kinds.includes(current)) return;
  process.stdout.write(`    (skipped on ${current}: ${reason})\n`);
  context.skip();
}
