/**
 * `npm run scores:rebuild`: rebuilds every score card and leaderboard from the
 * ledger (the ledger itself is not touched), and says how many people's
 * totals changed. Run it with the app stopped on the embedded engine (the app
 * holds its boards in memory); on MongoDB, while no instance writes scores.
 */
import { withAppServices } from './lib/app-services.ts';

await withAppServices(async (services) => {
  const report = await services.scoring.rebuild();
  process.stdout.write(
    `rebuilt from ${report.events} ledger lines: ${report.people} people, ${report.changed} totals changed, in ${(report.ms / 1000).toFixed(1)} s\n`,
  );
  return 0;
});
