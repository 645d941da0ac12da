import '../../models/index.ts';
import { type Config, ConfigError, loadConfig } from '../../server/config.ts';
import { createLogger, type Logger } from '../../server/core/logger.ts';
import { disconnectDatabase } from '../../server/db/connection.ts';
import { EngineUnavailableError } from '../../server/db/ferretdb-build.ts';
import { openDatabase } from '../../server/index.ts';
import { buildRuntime } from '../../server/runtime.ts';
import type { Services } from '../../server/services.ts';

/**
 * Runs a command with the application's services (built exactly as the app
 * builds them — buildRuntime — so every feature's registrations apply) on the
 * configured database, then closes everything. Exits with `fn`'s code.
 */
export async function withAppServices(
  fn: (services: Services, context: { config: Config; logger: Logger }) => Promise<number>,
): Promise<never> {
  let code = 1;
  try {
    const config = loadConfig();
    const logger = createLogger(process.env.LOG_LEVEL ?? 'warn');
    const engine = await openDatabase(config, logger);
    const runtime = buildRuntime(config, logger, { cleanupMinutes: 0, engine: engine?.kind });
    try {
      code = await fn(runtime.services, { config, logger });
    } finally {
      runtime.sessions.close();
      await runtime.services.scoring.ledger.boards.flush();
      await disconnectDatabase();
      await engine?.stop();
    }
  } catch (err) {
    if (err instanceof ConfigError || err instanceof EngineUnavailableError)
      process.stderr.write(`${err.message}\n`);
    else process.stderr.write(`${(err as Error).stack ?? err}\n`);
    code = 1;
  }
  process.exit(code);
}
