import { dirname, resolve } from 'node:path';
import {
  ApplicationHostConfigError,
  loadApplicationHostConfig,
  readApplicationHostConfig,
  type ConfigWarning,
  type FarmFromXml,
} from '../../proxy/application-host-config.ts';
import type { FarmInput } from '../../proxy/farm-config.ts';
import { farmXmlSourceSchema, isFarmXmlSource, type FarmXmlSource } from './schema.ts';

/** A scenario farm that came from applicationHost.config, as the lab understood it. */
export interface ScenarioFarmXml {
  /** The file, absolute; absent when the XML is in the scenario itself. */
  applicationHost?: string;
  farmName: string;
  /** What the lab runs: the file's attributes in farm-schema form, plus the scenario's lab switches. */
  input: FarmInput;
  warnings: ConfigWarning[];
}

export interface FarmXmlProblem {
  path: (string | number)[];
  message: string;
}

/**
 * Reads the applicationHost.config a scenario's farm names, at load time, so a bad file fails the
 * load (with the XML's line) before anything starts. Returns the scenario with that farm in place
 * of the reference, ready for the scenario schema.
 */
export function resolveFarmXml(raw: unknown, scenarioFile: string): { raw: unknown; farm?: ScenarioFarmXml; problems: FarmXmlProblem[] } {
  const farm = (raw as { farm?: unknown } | null)?.farm;
  if (!isFarmXmlSource(farm)) return { raw, problems: [] };
  const withFarm = (f: unknown) => ({ ...(raw as object), farm: f });
  const source = farmXmlSourceSchema.safeParse(farm);
  if (!source.success) {
    return { raw: withFarm({}), problems: source.error.issues.map((i) => ({ path: ['farm', ...i.path.map((p) => p as string | number)], message: i.message })) };
  }
  const written = farm as FarmXmlSource;
  const file = written.applicationHost !== undefined ? resolve(dirname(scenarioFile), written.applicationHost) : undefined;
  let read: FarmFromXml;
  try {
    read =
      file !== undefined
        ? loadApplicationHostConfig(file, { farmName: written.farmName })
        : readApplicationHostConfig(written.applicationHostXml!, 'applicationHostXml', { farmName: written.farmName });
  } catch (err) {
    const key = file !== undefined ? 'applicationHost' : 'applicationHostXml';
    if (err instanceof ApplicationHostConfigError) {
      const where = (line: number) => (file !== undefined ? `${file}:${line}` : `XML line ${line}`);
      return { raw: withFarm({}), problems: err.problems.map((p) => ({ path: ['farm', key], message: `${where(p.line)}: ${p.message}` })) };
    }
    return { raw: withFarm({}), problems: [{ path: ['farm', key], message: `cannot read ${file}: ${(err as Error).message}` }] };
  }
  const input: FarmInput = written.lab !== undefined ? { ...read.input, lab: written.lab } : read.input;
  return { raw: withFarm(input), farm: { applicationHost: file, farmName: read.farm, input, warnings: read.warnings }, problems: [] };
}
