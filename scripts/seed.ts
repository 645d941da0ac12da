/**
 * `npm run seed`: writes the demo organisation into the configured database
 * (MONGODB_URI, or the embedded engine in the data folder). Idempotent.
 *
 * `npm run seed -- --posts 100000 --people 10000 --ledger 1000000 [--years 3]`:
 * the demo organisation plus years of generated history at that scale
 * (scripts/seed/scale.ts), with progress lines. It must be the only writer:
 * it refuses while an app runs on the same data folder.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import '../models/index.ts';
import { type Config, ConfigError, loadConfig } from '../server/config.ts';
import { createLogger } from '../server/core/logger.ts';
import { disconnectDatabase } from '../server/db/connection.ts';
import { EngineUnavailableError } from '../server/db/ferretdb-build.ts';
import { openDatabase } from '../server/index.ts';
import { buildRuntime } from '../server/runtime.ts';
import { seedDemo } from '../server/seed/seed.ts';
import { ScaleSeedRefused, seedScale } from './seed/scale.ts';

const { values } = parseArgs({
  options: {
    posts: { type: 'string' },
    people: { type: 'string' },
    ledger: { type: 'string' },
    years: { type: 'string', default: '3' },
    seed: { type: 'string', default: '20260401' },
    'notify-days': { type: 'string', default: '7' },
  },
});

function whole(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value.replace(/[_,]/g, ''));
  if (!Number.isInteger(n) || n < 0)
    throw new ConfigError([`--${name}: expected a whole number (got "${value}")`]);
  return n;
}

/** The process running the embedded engine on this data folder, if another one does (an app, say). */
function otherEngineOwner(config: Config): number | null {
  for (const kind of ['ferretdb', 'mongod']) {
    try {
      const state = JSON.parse(readFileSync(path.join(config.dataDir, kind, 'engine.json'), 'utf8')) as {
        ownerPid?: number;
      };
      if (!state.ownerPid || state.ownerPid === process.pid) continue;
      process.kill(state.ownerPid, 0);
      return state.ownerPid;
    } catch {
      // no engine recorded, or its owner is gone
    }
  }
  return null;
}

function refuseShared(config: Config, owner: number | string): never {
  throw new ScaleSeedRefused(
    `Another process (${owner}) runs the database engine on ${config.dataDir}: probably the app. The scale ` +
      'seed must be the only writer (the app keeps in-process indexes of what it writes and would not see ' +
      'what another process writes). Stop the app, run the seed again (it starts the engine itself), then ' +
      'start the app.',
  );
}

try {
  const config = loadConfig();
  const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel);
  const scale = values.posts !== undefined || values.people !== undefined || values.ledger !== undefined;
  const posts = whole('posts', values.posts, 2000);
  const targets = {
    posts,
    people: whole('people', values.people, Math.max(100, Math.round(posts / 10))),
    ledger: whole('ledger', values.ledger, posts * 10),
    years: whole('years', values.years, 3),
    seed: whole('seed', values.seed, 20_260_401),
    notifyDays: whole('notify-days', values['notify-days'], 7),
  };
  if (scale && !config.mongodbUri) {
    const owner = otherEngineOwner(config);
    if (owner) refuseShared(config, `pid ${owner}`);
  }
  const engine = await openDatabase(config, logger);
  try {
    const runtime = buildRuntime(config, logger, { cleanupMinutes: 0, engine: engine?.kind });
    if (!scale) {
      const report = await seedDemo(runtime);
      for (const [what, counts] of Object.entries(report)) {
        process.stdout.write(
          `${what.padEnd(12)} ${String(counts.created).padStart(6)} created ${String(counts.existing).padStart(6)} already there\n`,
        );
      }
    } else {
      if (engine?.shared) refuseShared(config, 'the one that started the engine');
      if (config.mongodbUri)
        process.stdout.write(
          'MONGODB_URI is set: make sure no app instance writes to this database while the seed runs.\n',
        );
      process.stdout.write(
        `scale seed: ${targets.posts} posts, ${targets.people} people, about ${targets.ledger} ledger lines over ${targets.years} years\n`,
      );
      await seedScale(runtime, { ...targets, enginePid: engine?.pid }, (line) =>
        process.stdout.write(`${line}\n`),
      );
    }
    runtime.sessions.close();
  } finally {
    await disconnectDatabase();
    await engine?.stop();
  }
} catch (err) {
  if (err instanceof ConfigError || err instanceof EngineUnavailableError || err instanceof ScaleSeedRefused)
    process.stderr.write(`${err.message}\n`);
  else process.stderr.write(`${(err as Error).stack ?? err}\n`);
  process.exit(1);
}
