import { InputError } from '../core/input-error.ts';
import { readFileSync } from 'node:fs';
import { attribute, descendants, parseConfigXml, XmlSyntaxError, type XmlElement } from './config-xml.ts';
import { readAttribute, formatAttribute, FARM_ARR_SECTIONS, SERVER, SERVER_ARR, WEB_FARM, type AttributeSpec, type SectionSpec } from './farm-attributes.ts';
import { farmSchema, type FarmConfig, type FarmInput } from './farm-config.ts';
import { isHonoured } from './farm-settings-coverage.ts';

/**
 * Builds a lab farm from a customer's applicationHost.config (docs/reference.md §1): the whole file, a
 * `<webFarms>` section or a single `<webFarm>`. Every attribute the reference lists is read with
 * its IIS syntax; what the lab does not act on, does not model or does not know is reported once
 * per attribute; anything IIS would refuse fails with its line.
 */

export interface ConfigProblem {
  line: number;
  column?: number;
  message: string;
}

/** A file IIS would refuse (or that holds no farm the lab can pick): every problem with its line. */
export class ApplicationHostConfigError extends InputError {
  constructor(
    readonly file: string,
    readonly problems: ConfigProblem[],
  ) {
    super(problems.map((p) => `${file}:${p.line}: ${p.message}`).join('\n'));
    this.name = 'ApplicationHostConfigError';
  }
}

export interface SettingReport {
  /** `protocol/@timeout`, `server/applicationRequestRouting/@weight` ... */
  path: string;
  /** As applicationHost.config writes it (`00:00:30`); empty for an unset optional attribute. */
  value: string;
  origin: 'file' | 'default';
  line?: number;
  honoured: boolean;
}

export interface ServerReport {
  address: string;
  line: number;
  settings: SettingReport[];
}

export interface ConfigWarning {
  /** `not-honoured`: read into the farm, ignored by the runtime; `not-modelled`: known IIS configuration the lab drops; `unknown`: not in docs/reference.md §1. */
  kind: 'not-honoured' | 'not-modelled' | 'unknown';
  path: string;
  /** Every line where it appears; it is reported once. */
  lines: number[];
  message: string;
}

export interface FarmFromXml {
  file: string;
  /** The selected farm's name, and the line of its element. */
  farm: string;
  line: number;
  /** Every farm the file defines, in document order. */
  farms: string[];
  /** What the lab runs: the attributes the file sets, in schema form; defaults are the schema's. */
  input: FarmInput;
  config: FarmConfig;
  /** Every farm-level setting, file or default. */
  settings: SettingReport[];
  servers: ServerReport[];
  warnings: ConfigWarning[];
}

export interface ReadOptions {
  /** The farm to build when the file has several (matched as IIS matches keys: any case). */
  farmName?: string;
}

export function loadApplicationHostConfig(path: string, options: ReadOptions = {}): FarmFromXml {
  return readApplicationHostConfig(readFileSync(path, 'utf8'), path, options);
}

export function readApplicationHostConfig(text: string, file: string, options: ReadOptions = {}): FarmFromXml {
  let root: XmlElement;
  try {
    root = parseConfigXml(text);
  } catch (err) {
    if (err instanceof XmlSyntaxError) {
      const column = err.position.column !== undefined ? ` (column ${err.position.column})` : '';
      throw new ApplicationHostConfigError(file, [{ ...err.position, message: `malformed XML${column}: ${err.reason}` }]);
    }
    throw err;
  }
  return new FarmReader(file).read(root, options);
}

/** Where each attribute the file set went in the farm input, keyed by its zod path (`servers.0.weight`). */
interface Placement {
  line: number;
  spec: AttributeSpec;
  /** The element as a reader finds it: `<server address="m1">/<applicationRequestRouting>`. */
  element: string;
  text: string;
}

class FarmReader {
  private readonly problems: ConfigProblem[] = [];
  private readonly warnings = new Map<string, ConfigWarning>();
  private readonly placements = new Map<string, Placement>();
  private readonly serverLines: number[] = [];

  constructor(private readonly file: string) {}

  read(root: XmlElement, options: ReadOptions): FarmFromXml {
    const farms = this.farmElements(root);
    this.fail();
    const farmEl = this.select(farms, options.farmName, root);
    const input = this.readFarm(farmEl);
    // Values that read well can still be out of the schema's range (weight="0"): report those too,
    // in one go with the syntax problems. A value already refused is absent from the input.
    const parsed = farmSchema.safeParse(input);
    if (!parsed.success) {
      const reported = this.problems.length > 0;
      for (const issue of parsed.error.issues) {
        const problem = this.locate(issue.path.map(String), issue.message);
        if (problem || !reported) this.problems.push(problem ?? { line: farmEl.line, message: `${issue.path.join('.') || 'webFarm'}: ${issue.message}` });
      }
    }
    this.fail();
    const config = parsed.data!;
    const settings = [WEB_FARM, ...FARM_ARR_SECTIONS].flatMap((sec) => this.report(sec, sec.key ? config[sec.key] : config, sec.key ?? ''));
    const servers = config.servers.map((s, i) => ({
      address: s.address,
      line: this.serverLines[i]!,
      settings: [SERVER, SERVER_ARR].flatMap((sec) => this.report(sec, s, `servers.${i}`)),
    }));
    for (const s of [...settings, ...servers.flatMap((x) => x.settings)]) {
      if (s.origin === 'file' && !s.honoured) this.warn('not-honoured', s.path, s.line!);
    }
    return {
      file: this.file,
      farm: config.name,
      line: farmEl.line,
      farms: farms.map((f) => attribute(f, 'name') ?? ''),
      input,
      config,
      settings,
      servers,
      warnings: [...this.warnings.values()].sort((a, b) => a.lines[0]! - b.lines[0]!),
    };
  }

  /** The `<webFarm>` elements of the file, with the section-level attributes checked on the way. */
  private farmElements(root: XmlElement): XmlElement[] {
    let sections: XmlElement[] = [];
    const farms: XmlElement[] = [];
    if (root.name === 'webFarm') farms.push(root);
    else if (root.name === 'webFarms') sections = [root];
    else if (root.name === 'configuration') sections = descendants(root, 'webFarms');
    else {
      this.problems.push({ line: root.line, message: `expected <configuration>, <webFarms> or <webFarm>, found <${root.name}>` });
      return [];
    }
    if (root.name === 'configuration' && sections.length === 0) this.problems.push({ line: root.line, message: 'no <webFarms> section in the file' });
    for (const section of sections) {
      for (const attr of section.attributes) {
        if (attr.name === 'configSource') {
          this.problems.push({ line: attr.line, message: `<webFarms configSource="${attr.value}">: the farms are in that file; pass it instead` });
        } else if (attr.name === 'onDemandHealthCheck') {
          this.warn('not-modelled', 'webFarms/@onDemandHealthCheck', attr.line);
        } else this.otherAttribute('webFarms', attr.name, attr.line);
      }
      for (const child of section.children) {
        if (child.name === 'webFarm') farms.push(child);
        // hostAffinityProviderList: host-name affinity providers (§1.2), not modelled.
        else if (child.name === 'applicationRequestRouting') this.warn('not-modelled', 'webFarms/applicationRequestRouting', child.line);
        else this.warn('unknown', `webFarms/${child.name}`, child.line);
      }
    }
    const seen = new Map<string, XmlElement>();
    for (const farm of farms) {
      const name = attribute(farm, 'name');
      if (!name) {
        this.problems.push({ line: farm.line, message: '<webFarm> without its required name attribute' });
        continue;
      }
      const other = seen.get(name.toLowerCase());
      if (other) this.problems.push({ line: farm.line, message: `duplicate <webFarm name="${name}"> (first at line ${other.line})` });
      else seen.set(name.toLowerCase(), farm);
    }
    return farms;
  }

  private select(farms: XmlElement[], wanted: string | undefined, root: XmlElement): XmlElement {
    const names = farms.map((f) => attribute(f, 'name')!);
    if (wanted !== undefined) {
      const farm = farms.find((f) => attribute(f, 'name')!.toLowerCase() === wanted.toLowerCase());
      if (!farm) this.problems.push({ line: (farms[0] ?? root).line, message: `no farm named "${wanted}" (farms: ${names.join(', ') || 'none'})` });
      this.fail();
      return farm!;
    }
    if (farms.length === 0) this.problems.push({ line: root.line, message: 'no <webFarm> in the file' });
    if (farms.length > 1) this.problems.push({ line: farms[1]!.line, message: `${farms.length} farms in the file (${names.join(', ')}): name the one to build (arr-lab config --farm NAME; farmName in a scenario)` });
    this.fail();
    return farms[0]!;
  }

  private readFarm(farmEl: XmlElement): FarmInput {
    const input: Record<string, unknown> = {};
    this.readAttributes(farmEl, WEB_FARM, input, [], `<webFarm name="${attribute(farmEl, 'name')}">`);
    const servers: Record<string, unknown>[] = [];
    let arr: XmlElement | undefined;
    for (const child of farmEl.children) {
      if (child.name === 'server') servers.push(this.readServer(child, servers.length));
      else if (child.name === 'applicationRequestRouting') arr = this.single(arr, child, 'webFarm');
      else this.warn('unknown', `webFarm/${child.name}`, child.line);
    }
    input.servers = servers;
    this.checkUniqueAddresses(servers);
    for (const child of arr ? arr.children : []) {
      const section = FARM_ARR_SECTIONS.find((s) => s.name === child.name);
      if (!section) {
        this.warn('unknown', `webFarm/applicationRequestRouting/${child.name}`, child.line);
        continue;
      }
      if (input[section.key!] !== undefined) {
        this.problems.push({ line: child.line, message: `a second <${child.name}> in <webFarm>/<applicationRequestRouting>` });
        continue;
      }
      const values: Record<string, unknown> = {};
      this.readAttributes(child, section, values, [section.key!], `<${child.name}>`);
      input[section.key!] = values;
      for (const grandchild of child.children) {
        // protocol/cache (§1.5) and the affinity host collection (§1.7) are ARR configuration the lab has no model of.
        const known = (section.name === 'protocol' && grandchild.name === 'cache') || (section.name === 'affinity' && grandchild.name === 'host');
        this.warn(known ? 'not-modelled' : 'unknown', `${section.name}/${grandchild.name}`, grandchild.line);
      }
    }
    if (arr) for (const attr of arr.attributes) this.otherAttribute('webFarm/applicationRequestRouting', attr.name, attr.line);
    return input as FarmInput;
  }

  private readServer(el: XmlElement, index: number): Record<string, unknown> {
    const server: Record<string, unknown> = {};
    this.serverLines[index] = el.line;
    const label = `<server address="${attribute(el, 'address') ?? ''}">`;
    if (attribute(el, 'address') === undefined) this.problems.push({ line: el.line, message: '<server> without its required address attribute' });
    this.readAttributes(el, SERVER, server, ['servers', index], label);
    let arr: XmlElement | undefined;
    for (const child of el.children) {
      if (child.name === 'applicationRequestRouting') {
        arr = this.single(arr, child, 'server');
        if (arr === child) this.readAttributes(child, SERVER_ARR, server, ['servers', index], `${label}/<applicationRequestRouting>`);
        for (const grandchild of child.children) this.warn('unknown', `server/applicationRequestRouting/${grandchild.name}`, grandchild.line);
      } else this.warn('unknown', `server/${child.name}`, child.line);
    }
    return server;
  }

  private checkUniqueAddresses(servers: Record<string, unknown>[]): void {
    const seen = new Map<string, number>();
    servers.forEach((s, i) => {
      if (typeof s.address !== 'string') return;
      const key = s.address.toLowerCase();
      const line = this.placements.get(`servers.${i}.address`)!.line;
      const first = seen.get(key);
      if (first !== undefined) this.problems.push({ line, message: `duplicate <server address="${s.address}"> (first at line ${first})` });
      else seen.set(key, line);
    });
  }

  private single(existing: XmlElement | undefined, el: XmlElement, parent: string): XmlElement | undefined {
    if (!existing) return el;
    this.problems.push({ line: el.line, message: `a second <${el.name}> in <${parent}>` });
    return existing;
  }

  private readAttributes(el: XmlElement, section: SectionSpec, into: Record<string, unknown>, at: (string | number)[], element: string): void {
    for (const attr of el.attributes) {
      const spec = section.attributes.get(attr.name);
      const line = attr.line;
      if (!spec) {
        this.otherAttribute(section.name, attr.name, line);
        continue;
      }
      this.placements.set([...at, spec.name].join('.'), { line, spec, element, text: attr.value });
      const read = readAttribute(spec, attr.value);
      if ('error' in read) this.problems.push({ line, message: `${element} ${spec.name}="${attr.value}": ${read.error}` });
      else into[spec.name] = read.value;
    }
  }

  /** IIS's own lock attributes are valid on any element and mean nothing to the lab. */
  private otherAttribute(element: string, name: string, line: number): void {
    const lock = ['lockAttributes', 'lockAllAttributesExcept', 'lockElements', 'lockAllElementsExcept', 'lockItem'].includes(name);
    this.warn(lock ? 'not-modelled' : 'unknown', `${element}/@${name}`, line);
  }

  private warn(kind: ConfigWarning['kind'], path: string, line: number): void {
    const existing = this.warnings.get(path);
    if (existing) existing.lines.push(line);
    else this.warnings.set(path, { kind, path, lines: [line], message: warningText(kind, path) });
  }

  /** A zod issue at a farm-input path, told as the attribute that caused it (when the file set one). */
  private locate(path: string[], reason: string): ConfigProblem | undefined {
    for (let n = path.length; n > 0; n--) {
      const placed = this.placements.get(path.slice(0, n).join('.'));
      if (placed) return { line: placed.line, message: `${placed.element} ${placed.spec.name}="${placed.text}": ${reason}` };
    }
    return undefined;
  }

  private fail(): void {
    if (this.problems.length > 0) throw new ApplicationHostConfigError(this.file, [...this.problems].sort((a, b) => a.line - b.line));
  }

  private report(section: SectionSpec, values: object, at: string): SettingReport[] {
    return [...section.attributes.values()].map((spec) => {
      const placed = this.placements.get(at ? `${at}.${spec.name}` : spec.name);
      return {
        path: spec.path,
        value: formatAttribute(spec, (values as Record<string, unknown>)[spec.name]),
        origin: placed ? 'file' : 'default',
        line: placed?.line,
        honoured: isHonoured(spec.path),
      };
    });
  }
}

function warningText(kind: ConfigWarning['kind'], path: string): string {
  switch (kind) {
    case 'not-honoured':
      return `${path} is read but the lab does not act on it yet`;
    case 'not-modelled':
      return `${path} is not modelled by the lab: ignored`;
    case 'unknown':
      return `${path} is not in the ARR configuration the lab knows (docs/reference.md §1): ignored`;
  }
}

/** `file:12: message`, with the other lines where the same attribute appears. */
export function formatWarning(file: string, w: ConfigWarning): string {
  const also = w.lines.length > 1 ? ` (also line${w.lines.length > 2 ? 's' : ''} ${w.lines.slice(1).join(', ')})` : '';
  return `${file}:${w.lines[0]}: ${w.message}${also}`;
}
