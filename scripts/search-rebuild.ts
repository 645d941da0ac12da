/**
 * `npm run search:rebuild [-- --drop-unregistered]`
 *
 * Re-indexes every document of every registered search source (posts,
 * answers, KB articles) into a new index generation while the app keeps
 * serving, and prints how many documents were indexed and how long it took.
 * Refuses when the index holds documents of a type no source is registered
 * for, unless --drop-unregistered.
 */
import { parseArgs } from 'node:util';
import { RebuildRefused } from '../server/search/search.service.ts';
import { withAppServices } from './lib/app-services.ts';

const { values } = parseArgs({ options: { 'drop-unregistered': { type: 'boolean', default: false } } });

await withAppServices(async ({ search }) => {
  try {
    const report = await search.rebuild({ dropUnregistered: values['drop-unregistered'] });
    const byType = Object.entries(report.byType)
      .map(([type, n]) => `${type} ${n}`)
      .join(', ');
    process.stdout.write(
      `search index rebuilt: ${report.documents} document${report.documents === 1 ? '' : 's'} indexed${byType ? ` (${byType})` : ''} in ${(report.ms / 1000).toFixed(1)} s` +
        `${report.dropped ? `; ${report.dropped} no longer in any source dropped` : ''}` +
        `${report.invalid ? `; ${report.invalid} invalid skipped (see the log)` : ''}\n`,
    );
    return 0;
  } catch (err) {
    if (!(err instanceof RebuildRefused)) throw err;
    process.stderr.write(`${err.message}\nRun with --drop-unregistered to rebuild anyway.\n`);
    return 2;
  }
});
