/**
 * `npm run counters:check [-- --fix]`: recomputes the denormalised counters
 * (votes on posts and answers; "seen this too", answers and comments on posts)
 * from the stored facts and reports any drift; `--fix` repairs it. It also
 * adds up the score ledger and compares every person's all-time totals with
 * their card (`npm run scores:rebuild` repairs those).
 */
import { parseArgs } from 'node:util';
import '../models/index.ts';
import { ConfigError, loadConfig } from '../server/config.ts';
import { createLogger } from '../server/core/logger.ts';
import { disconnectDatabase } from '../server/db/connection.ts';
import { EngineUnavailableError } from '../server/db/ferretdb-build.ts';
import { openDatabase } from '../server/index.ts';
import { buildRuntime } from '../server/runtime.ts';

const { values } = parseArgs({ options: { fix: { type: 'boolean', default: false } } });

try {
  const config = loadConfig();
  const logger = createLogger(process.env.LOG_LEVEL ?? 'warn');
  const engine = await openDatabase(config, logger);
  try {
    const { services } = buildRuntime(config, logger, { cleanupMinutes: 0, engine: engine?.kind });
    const votes = await services.votes.reconcile(values.fix);
    const posts = await services.posts.reconcileCounters(values.fix);
    process.stdout.write(`votes: ${votes.checked} items checked, ${votes.drifted.length} drifted\n`);
    for (const d of votes.drifted)
      process.stdout.write(
        `  ${d.type} ${d.id}: stored ${JSON.stringify(d.stored)} actual ${JSON.stringify(d.actual)}\n`,
      );
    process.stdout.write(`posts: ${posts.checked} checked, ${posts.drifted.length} counters drifted\n`);
    for (const d of posts.drifted)
      process.stdout.write(`  post ${d.id} ${d.field}: stored ${d.stored} actual ${d.actual}\n`);
    const scores = await services.scoring.checkTotals();
    process.stdout.write(
      `scores: ${scores.lines} ledger lines, ${scores.people} people checked, ${scores.drifted.length} totals drifted\n`,
    );
    for (const d of scores.drifted)
      process.stdout.write(`  person ${d.user} ${d.dimension}: card ${d.stored} ledger ${d.actual}\n`);
    if (values.fix && (votes.drifted.length || posts.drifted.length)) process.stdout.write('fixed.\n');
    if (scores.drifted.length)
      process.stdout.write('score totals: run `npm run scores:rebuild` to repair them.\n');
    process.exitCode =
      (votes.drifted.length || posts.drifted.length) && !values.fix ? 2 : scores.drifted.length ? 2 : 0;
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
