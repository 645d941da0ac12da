import '../../models/index.ts';
import { loadConfig } from '../../server/config.ts';
import { createLogger } from '../../server/core/logger.ts';
import { disconnectDatabase } from '../../server/db/connection.ts';
import { openDatabase } from '../../server/index.ts';
import { buildRuntime } from '../../server/runtime.ts';

/** A full rebuild of every score card and leaderboard from the ledger, on a data folder no app runs on. */
export async function rebuildScores(dataDir: string) {
  const config = loadConfig({ ...process.env, DATA_DIR: dataDir, MONGODB_URI: '', LOG_LEVEL: 'warn' });
  const logger = createLogger('warn');
  const engine = await openDatabase(config, logger);
  try {
    const runtime = buildRuntime(config, logger, { cleanupMinutes: 0 });
    const report = await runtime.services.scoring.rebuild();
    runtime.sessions.close();
    return report;
  } finally {
    await disconnectDatabase();
    await engine?.stop();
  }
}
