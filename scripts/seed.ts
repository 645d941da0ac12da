/**
 * `npm run seed`: writes the demo organisation into the configured database
 * (MONGODB_URI, or the embedded engine in the data folder). Idempotent.
 */
import '../models/index.ts';
import { ConfigError, loadConfig } from '../server/config.ts';
import { createLogger } from '../server/core/logger.ts';
import { disconnectDatabase } from '../server/db/connection.ts';
import { EngineUnavailableError } from '../server/db/ferretdb-build.ts';
import { openDatabase } from '../server/index.ts';
import { buildRuntime } from '../server/runtime.ts';
import { seedDemo } from '../server/seed/seed.ts';

try {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const engine = await openDatabase(config, logger);
  try {
    const runtime = buildRuntime(config, logger, { cleanupMinutes: 0, engine: engine?.kind });
    const report = await seedDemo(runtime);
    for (const [what, counts] of Object.entries(report)) {
      process.stdout.write(
        `${what.padEnd(12)} ${String(counts.created).padStart(6)} created ${String(counts.existing).padStart(6)} already there\n`,
      );
    }
  } finally {
    await disconnectDatabase();
    await engine?.stop();
  }
} catch (err) {
  if (err instanceof ConfigError || err instanceof EngineUnavailableError)
    process.stderr.write(`${err.message}\n`);
  else process.stderr.write(`${(err as Error).stack ?? err}\n`);
  process.exit(1);
}
