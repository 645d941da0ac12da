/**
 * `npm run engine:build`: builds FerretDB 1.24.2 into the tools folder now,
 * instead of on the first `npm start` (CI calls it before the tests).
 */
import { loadConfig } from '../server/config.ts';
import { EngineUnavailableError, ensureFerretDb } from '../server/db/ferretdb-build.ts';

const started = Date.now();
try {
  const config = loadConfig();
  const binary = await ensureFerretDb(config.toolsDir, (line) => process.stdout.write(`${line}\n`));
  process.stdout.write(`FerretDB ready at ${binary} (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
} catch (err) {
  process.stderr.write(`${err instanceof EngineUnavailableError ? err.message : String(err)}\n`);
  process.exit(1);
}
