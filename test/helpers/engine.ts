import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { projectRoot } from '../../server/config.ts';
import { createLogger } from '../../server/core/logger.ts';
import { EmbeddedEngine } from '../../server/db/engine.ts';

/** Logger for code under test: silent unless TEST_LOG_LEVEL says otherwise. */
export const testLogger = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');

let engine: EmbeddedEngine | undefined;
let dataDir: string | undefined;
let baseUri: string | undefined;

export const toolsDir = path.resolve(projectRoot, process.env.TOOLS_DIR ?? '.tools');

/**
 * One throwaway engine for the whole run (FerretDB or mongod, as the app would
 * choose), or the server named by TEST_MONGODB_URI.
 */
export async function startTestEngine(): Promise<void> {
  if (process.env.TEST_MONGODB_URI) {
    baseUri = process.env.TEST_MONGODB_URI.replace(/\/+[^/]*$/, '');
    return;
  }
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'passaparola-test-'));
  const started = Date.now();
  engine = await EmbeddedEngine.start({
    dataDir,
    toolsDir,
    kind: 'auto',
    logger: createLogger(process.env.TEST_LOG_LEVEL ?? 'warn'),
  });
  baseUri = `mongodb://127.0.0.1:${engine.port}`;
  process.stdout.write(`  test engine: ${engine.kind} on port ${engine.port} (${Date.now() - started} ms)\n`);
}

export async function stopTestEngine(): Promise<void> {
  await engine?.stop();
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

/** The shared test engine (undefined when the tests use MONGODB_URI). */
export function testEngine(): EmbeddedEngine | undefined {
  return engine;
}
