import { FARM_ARR_SECTIONS, SERVER, SERVER_ARR, WEB_FARM, formatAttribute, type SectionSpec } from '../../proxy/farm-attributes.ts';
import { farmSchema } from '../../proxy/farm-config.ts';
import { isHonoured } from '../../proxy/farm-settings-coverage.ts';

/**
 * The table of farm settings in docs/arr-model.md: every attribute the lab reads, its default and whether the
 * lab acts on it, generated from the farm schema and the honoured list so it cannot drift
 * (test/docs.test.ts compares it with docs/arr-model.md; `npx tsx scripts/settings-table.ts` prints it).
 */
export function settingsTable(): string {
  const defaults = farmSchema.parse({ servers: [{ address: 'x' }] });
  const valueOf = (section: SectionSpec, name: string): unknown => {
    if (section === WEB_FARM) return (defaults as Record<string, unknown>)[name];
    if (section === SERVER || section === SERVER_ARR) return (defaults.servers[0] as Record<string, unknown>)[name];
    return (defaults[section.key!] as Record<string, unknown>)[name];
  };
  const rows = ['| setting | default | honoured |', '|---|---|---|'];
  for (const section of [WEB_FARM, SERVER, SERVER_ARR, ...FARM_ARR_SECTIONS]) {
    for (const spec of section.attributes.values()) {
      const value = spec.path === 'server/@address' ? '' : formatAttribute(spec, valueOf(section, spec.name));
      rows.push(`| \`${spec.path}\` | ${value === '' ? '—' : `\`${value}\``} | ${isHonoured(spec.path) ? 'yes' : 'no'} |`);
    }
  }
  return rows.join('\n');
}
