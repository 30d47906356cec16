import type { Command } from 'commander';
import type { DiagnoseReport, EvidenceLine } from '../diagnose/diagnose.ts';

export function registerDiagnoseCommand(program: Command): void {
  program
    .command('diagnose')
    .description('name the fault class of every request ARR failed, with the evidence lines and the fix (a bundle folder, a server\'s log folders or files)')
    .argument('<paths...>', 'a fixture bundle, folders holding inetpub / Windows logs, or W3SVC, HTTPERR, FREB, event-log and WinHTTP trace files')
    .option('--json', 'print the report as JSON (the answer protocol of arr-lab score)')
    .action(async (paths: string[], opts: { json?: boolean }) => {
      // Loaded when the command runs: the CLI's other commands start without the readers.
      const [{ collect }, { diagnose }] = await Promise.all([import('../diagnose/collect.ts'), import('../diagnose/diagnose.ts')]);
      const report = diagnose(await collect(paths));
      console.log(opts.json ? JSON.stringify(report, null, 2) : render(report));
      process.exitCode = report.controller === undefined && report.members.length === 0 ? 1 : 0;
    });
}

const line = (e: EvidenceLine) => `      ${e.line ? `${e.file}:${e.line}` : e.file}  ${e.shows}`;

export function render(r: DiagnoseReport): string {
  const out = [
    `hosts: ${r.controller ? `${r.controller} (ARR)` : '(no ARR controller recognised)'}${r.members.length ? `, ${r.members.join(', ')}` : ''}`,
    `verdict: ${r.bundle.class} (${r.bundle.why})`,
    `fix: ${r.bundle.fix}`,
    ...r.bundle.evidence.map(line),
    '',
    r.requests.length === 0 ? 'no failing request' : `${r.requests.length} failing request${r.requests.length === 1 ? '' : 's'}:`,
  ];
  for (const q of r.requests) {
    out.push(`  ${q.time}  ${q.method} ${q.uri}  ${q.logged}  -> ${q.class}${q.arrLogId ? `  X-ARR-LOG-ID ${q.arrLogId}` : ''}`, `      why: ${q.why}`, ...q.evidence.map(line));
  }
  if (r.problems.length) out.push('', 'unreadable:', ...r.problems.map((p) => `  ${p}`));
  return out.join('\n');
}
