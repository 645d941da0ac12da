/**
 * `npm run scores:rebuild`: rebuilds every score card and leaderboard from the
 * ledger (the ledger itself is not touched), and says how many people's
 * totals changed. Run it with the app stopped on the embedded engine (the app
 * holds its boards in memory); on MongoDB, while no instance writes scores.
 */
import '../models/index.ts';
import { ConfigError, loadConfig } from '../server/config.ts';
import { createLogger } from '../server/core/logger.ts';
import { disconnectDatabase } from '../server/db/connection.ts';
import { EngineUnavailableError } from '../server/db/ferretdb-build.ts';
import { openDatabase } from '../server/index.ts';
import { buildRuntime } from '../server/runtime.ts';

try {
  const config = loadConfig();
  const logger = createLogger(process.env.LOG_LEVEL ?? 'warn');
  const engine = await openDatabase(config, logger);
  try {
    const runtime = buildRuntime(config, logger, { cleanupMinutes: 0, engine: engine?.kind });
    const report = await runtime.services.scoring.rebuild();
    runtime.sessions.close();
    process.stdout.write(
      `rebuilt from ${report.events} ledger lines: ${report.people} people, ${report.changed} totals changed, in ${(report.ms / 1000).toFixed(1)} s\n`,
    );
  } finally {
    await disconnectDatabase();
    await engine?.stop();
  }
} catch (err) {
  if (err instanceof ConfigError || err instanceof EngineUnavailableError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  }
  throw err;
}
