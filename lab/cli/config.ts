import { basename } from 'node:path';
import type { Command } from 'commander';
import type { FarmFromXml, SettingReport } from '../../proxy/application-host-config.ts';
import { EXIT } from './exit.ts';

// Loaded when the command runs, so that registering it costs `arr-lab --help` nothing.
const loadConfig = () => import('../../proxy/application-host-config.ts');
const loadTable = () => import('cli-table3').then((m) => m.default);

/**
 * `arr-lab config <file>`: the farm as the lab understands a customer's applicationHost.config —
 * every setting with its value, where it came from and whether the lab acts on it; the members;
 * the warnings. Exits 2 with `file:line: message` on a file IIS would refuse.
 */
export function registerConfigCommand(program: Command): void {
  program
    .command('config')
    .description('show the farm the lab builds from an applicationHost.config (whole file, <webFarms> or <webFarm>)')
    .argument('<file>', 'applicationHost.config or a file holding a <webFarms> fragment')
    .option('--farm <name>', 'the farm to show when the file has several')
    .option('--json', 'print the farm as JSON instead of tables')
    .action(async (file: string, opts: { farm?: string; json?: boolean }) => {
      process.exitCode = await configCommand(file, opts);
    });
}

export async function configCommand(file: string, opts: { farm?: string; json?: boolean }): Promise<number> {
  const { ApplicationHostConfigError, formatWarning, loadApplicationHostConfig } = await loadConfig();
  const Table = await loadTable();
  let farm: FarmFromXml;
  try {
    farm = loadApplicationHostConfig(file, { farmName: opts.farm });
  } catch (err) {
    if (err instanceof ApplicationHostConfigError) console.error(err.message);
    else console.error(`arr-lab: cannot read ${file}: ${(err as Error).message}`);
    return EXIT.usage;
  }
  if (opts.json) {
    console.log(JSON.stringify(farm, null, 2));
    return EXIT.passed;
  }
  console.log(render(farm, Table, formatWarning));
  return EXIT.passed;
}

/** No colours and no rule between rows: the output is meant to be pasted into a ticket. */
const PLAIN = { head: [], border: [], compact: true };

type Loaded = Awaited<ReturnType<typeof loadConfig>>;

function render(farm: FarmFromXml, Table: Awaited<ReturnType<typeof loadTable>>, formatWarning: Loaded['formatWarning']): string {
  const name = basename(farm.file);
  const origin = (s: SettingReport) => (s.origin === 'file' ? `${name}:${s.line}` : 'default');
  const others = farm.farms.filter((f) => f !== farm.farm);
  const out = [`farm "${farm.farm}" from ${farm.file}:${farm.line}${others.length ? ` (also in the file: ${others.join(', ')})` : ''}`, ''];

  const settings = new Table({ head: ['setting', 'value', 'origin', 'honoured'], style: PLAIN });
  for (const s of farm.settings) settings.push([s.path, s.value, origin(s), s.honoured ? 'yes' : 'no']);
  out.push(settings.toString(), '');

  out.push(`members (${farm.servers.length})`);
  const columns = ['address', 'enabled', 'weight', 'httpPort', 'httpsPort', 'hostName'];
  const members = new Table({ head: [...columns, 'line'], style: PLAIN });
  for (const server of farm.servers) {
    const byName = new Map(server.settings.map((s) => [s.path.slice(s.path.lastIndexOf('@') + 1), s]));
    // A member's value from the default is marked, so what the customer wrote stands out.
    members.push([...columns.map((c) => mark(byName.get(c)!)), String(server.line)]);
  }
  out.push(members.toString(), '');

  const lab = new Table({ head: ['lab switch (not in applicationHost.config)', 'value'], style: PLAIN });
  for (const [key, value] of Object.entries(farm.config.lab)) lab.push([key, JSON.stringify(value)]);
  out.push(lab.toString(), '');

  out.push(farm.warnings.length ? `warnings (${farm.warnings.length})` : 'no warnings');
  for (const w of farm.warnings) out.push(`  ${formatWarning(name, w)}`);
  return out.join('\n');
}

function mark(s: SettingReport): string {
  return s.origin === 'default' ? (s.value ? `${s.value} (default)` : '') : s.value;
}
