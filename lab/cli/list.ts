import type { Command } from 'commander';

/** `arr-lab list`: the catalog (or the behaviours), as a table or as JSON for scripts. */
export function registerListCommand(program: Command): void {
  program
    .command('list')
    .description('list the catalog: scenarios with their suites and one-line description')
    .option('--behaviours', 'list the member behaviours a script can use instead')
    .option('--json', 'print the list as JSON')
    .action(async (opts: { behaviours?: boolean; json?: boolean }) => {
      const [{ behaviours }, { loadCatalog }, { scenarioTable }, { behaviourOptions }] = await Promise.all([
        import('../../backends/behaviours/index.ts'), import('../catalog.ts'), import('./tables.ts'), import('./behaviour-options.ts'),
      ]);
      if (opts.behaviours) {
        if (opts.json) console.log(JSON.stringify(behaviours.map((b) => ({ name: b.name, summary: b.summary, options: behaviourOptions(b) })), null, 2));
        else for (const b of behaviours) console.log(`${b.name.padEnd(24)} ${b.summary}\n${''.padEnd(24)} options: ${behaviourOptions(b)}`);
        return;
      }
      const catalog = await loadCatalog();
      if (opts.json) {
        const entries = catalog.map(({ file, scenario: s }) => ({ name: s.name, suites: s.suites, description: s.description, diagnosis: s.diagnosis, file }));
        console.log(JSON.stringify(entries, null, 2));
      } else {
        console.log(scenarioTable(catalog));
      }
    });
}
