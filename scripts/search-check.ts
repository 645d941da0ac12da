/**
 * `npm run search:check [-- --repair]`
 *
 * Compares the search index with every registered source and lists documents
 * missing from it, indexed with outdated content, or indexed although deleted.
 * Exits with 1 when it found problems (and --repair was not given), so it can
 * run from a scheduler; --repair re-indexes or removes each of them.
 */
import { parseArgs } from 'node:util';
import { withAppServices } from './lib/app-services.ts';

const { values } = parseArgs({ options: { repair: { type: 'boolean', default: false } } });

await withAppServices(async ({ search }) => {
  const report = await search.check({ repair: values.repair });
  const out = (line: string) => process.stdout.write(`${line}\n`);
  out(
    `search index check: ${report.checked} source documents compared in ${(report.ms / 1000).toFixed(1)} s`,
  );
  for (const [label, list] of [
    ['missing from the index', report.missing],
    ['stale in the index', report.stale],
    ['deleted but still indexed', report.orphaned],
  ] as const) {
    out(`  ${String(list.length).padStart(6)} ${label}`);
    for (const problem of list.slice(0, 20)) out(`           ${problem.type} ${problem.id}`);
    if (list.length > 20) out(`           … and ${list.length - 20} more`);
  }
  if (report.unchecked)
    out(
      `  ${String(report.unchecked).padStart(6)} indexed documents of types without a registered source (not checked)`,
    );
  if (report.analyzerOutdated)
    out('  the index was built by another analyzer version: run npm run search:rebuild');
  const problems = report.missing.length + report.stale.length + report.orphaned.length;
  if (values.repair) out(`  ${String(report.repaired).padStart(6)} repaired`);
  return problems > 0 && !values.repair ? 1 : report.analyzerOutdated ? 1 : 0;
});
