import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ApplicationHostConfigError, loadApplicationHostConfig, readApplicationHostConfig, type FarmFromXml } from '../proxy/application-host-config.ts';
import { FARM_ARR_SECTIONS, SERVER, SERVER_ARR, WEB_FARM } from '../proxy/farm-attributes.ts';
import { HONOURED_SETTINGS } from '../proxy/farm-settings-coverage.ts';
import { resolveTargets } from '../lab/catalog.ts';
import { CONTROLLER_NAME } from '../lab/lab.ts';
import { parseScenario, parseYamlScenario, ScenarioError } from '../lab/scenario/load.ts';
import { runScenario } from '../lab/scenario/run.ts';
import { readW3c, tempDir } from './helpers.ts';

const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url).pathname;
const bin = new URL('../bin/arr-lab.mjs', import.meta.url).pathname;

function arrLab(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function problemsOf(fn: () => unknown): ApplicationHostConfigError['problems'] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ApplicationHostConfigError);
    return (err as ApplicationHostConfigError).problems;
  }
  throw new Error('no error');
}

const setting = (farm: FarmFromXml, path: string) => farm.settings.find((s) => s.path === path)!;

/** Every attribute docs/reference.md §1.3–1.8 lists for the farm, with its default as IIS writes it ('' = none). */
const REFERENCE_DEFAULTS: Record<string, string> = {
  'webFarm/@enabled': 'true', 'webFarm/@serverAutoStart': 'true', 'webFarm/@passConnectionCloseHeader': 'false', 'webFarm/@passServerHeader': 'Replace',
  'protocol/@httpVersion': 'PassThrough', 'protocol/@keepAlive': 'true', 'protocol/@timeout': '00:00:30', 'protocol/@preserveHostHeader': 'true',
  'protocol/@alternateHostName': '', 'protocol/@reverseRewriteHostInResponseHeaders': 'false', 'protocol/@xForwardedByHeaderName': 'X-Forwarded-By',
  'protocol/@xForwardedByHeader': '', 'protocol/@xForwardedForHeaderName': 'X-Forwarded-For', 'protocol/@includePortInXForwardedFor': 'true',
  'protocol/@arrResponseHeader': 'true', 'protocol/@sslHeaderName': 'X-ARR-SSL', 'protocol/@clientCertHeaderName': 'X-ARR-ClientCert',
  'protocol/@logGuidName': 'X-ARR-LOG-ID', 'protocol/@logCacheHitName': 'X-ARR-CACHE-HIT', 'protocol/@maxForwards': '10',
  'protocol/@minResponseBuffer': '256', 'protocol/@responseBufferLimit': '4096', 'protocol/@maxResponseHeaderSize': '65536', 'protocol/@proxy': '',
  'protocol/@proxyBypass': '', 'protocol/@stealthMode': 'false', 'protocol/@clientCertFileName': '', 'protocol/@clientCertHash': '',
  'protocol/@clientCertPassword': '[enc:AesProvider::enc]', 'protocol/@bufferChunkedResponses': 'true',
  'healthCheck/@url': '', 'healthCheck/@retries': '3', 'healthCheck/@interval': '00:00:30', 'healthCheck/@timeout': '00:00:30',
  'healthCheck/@statusCodeMatch': '200-399', 'healthCheck/@responseMatch': '', 'healthCheck/@liveTrafficFailureCodes': '500-',
  'healthCheck/@maxLiveTrafficFailures': '10', 'healthCheck/@liveTrafficFailurePeriod': '00:00:00', 'healthCheck/@minServers': '0',
  'affinity/@useCookie': 'false', 'affinity/@cookieName': 'ARRAffinity', 'affinity/@useHostName': 'false', 'affinity/@hostCountersEnabled': 'true',
  'affinity/@useServerProvider': 'false', 'affinity/@timeout': '00:20:00', 'affinity/@useExternalCache': 'false', 'affinity/@ignoreSubDomain': 'false',
  'affinity/@ignoreSubDomainClientAffinity': 'false', 'affinity/@ignoreSubDomainFragmentDepth': '2',
  'affinity/@hostAffinityProvider': 'Microsoft.Web.Arr.HostNameRoundRobin', 'affinity/@serverProviderImage': '',
  'loadBalancing/@algorithm': 'WeightedRoundRobin', 'loadBalancing/@leastResponseTimePeriod': '00:00:05', 'loadBalancing/@hashServerVariable': '',
  'loadBalancing/@queryStringNames': '', 'loadBalancing/@randomizeLBTies': 'false',
};
const REFERENCE_SERVER_DEFAULTS: Record<string, string> = {
  'server/@enabled': 'true', 'server/applicationRequestRouting/@hostName': '', 'server/applicationRequestRouting/@weight': '100',
  'server/applicationRequestRouting/@httpPort': '80', 'server/applicationRequestRouting/@httpsPort': '443',
  'server/applicationRequestRouting/@healthCheckAlternateHostName': '', 'server/applicationRequestRouting/@healthCheckAlternatePort': '0',
};

describe('applicationHost.config: attributes and defaults', () => {
  const minimal = readApplicationHostConfig('<webFarms><webFarm name="f"><server address="a"/></webFarm></webFarms>', 'minimal.config');

  it('knows every attribute of docs/reference.md §1 with its default', () => {
    const defaults = Object.fromEntries(minimal.settings.filter((s) => s.path !== 'webFarm/@name').map((s) => [s.path, s.value]));
    expect(defaults).toEqual(REFERENCE_DEFAULTS);
    const server = Object.fromEntries(minimal.servers[0]!.settings.filter((s) => s.path !== 'server/@address').map((s) => [s.path, s.value]));
    expect(server).toEqual(REFERENCE_SERVER_DEFAULTS);
    expect(minimal.settings.filter((s) => s.origin === 'file').map((s) => s.path)).toEqual(['webFarm/@name']);
  });

  it('reads every attribute back from the file, each with its own line', () => {
    // A farm that sets every attribute, one per line, to a value other than its default.
    const other: Record<string, string> = {
      true: 'false', false: 'true', Replace: 'Remove', PassThrough: 'Http10', WeightedRoundRobin: 'RequestHash', '': 'v',
      '200-399': '200-299', '500-': '400-', '00:00:30': '00:01:30', '00:20:00': '00:21:00', '00:00:00': '00:00:07', '00:00:05': '00:00:06',
    };
    const change = (v: string) => other[v] ?? (/^\d+$/.test(v) ? String(Number(v) + 1) : `${v}-x`);
    const attrs = (defaults: Record<string, string>, prefix: string) =>
      Object.entries(defaults).filter(([p]) => p.startsWith(`${prefix}/@`)).map(([p, v]) => `\n  ${p.slice(prefix.length + 2)}="${change(v)}"`).join('');
    const xml = [
      `<webFarm name="every"${attrs(REFERENCE_DEFAULTS, 'webFarm')}>`,
      `<server address="a"${attrs(REFERENCE_SERVER_DEFAULTS, 'server')}>`,
      `<applicationRequestRouting${attrs(REFERENCE_SERVER_DEFAULTS, 'server/applicationRequestRouting')}/>`,
      '</server>',
      '<applicationRequestRouting>',
      ...['protocol', 'healthCheck', 'affinity', 'loadBalancing'].map((s) => `<${s}${attrs(REFERENCE_DEFAULTS, s)}/>`),
      '</applicationRequestRouting>',
      '</webFarm>',
    ].join('\n');
    const farm = readApplicationHostConfig(xml, 'every.config');
    const lines = xml.split('\n');
    for (const s of [...farm.settings, ...farm.servers[0]!.settings]) {
      expect(s.origin, s.path).toBe('file');
      const attr = s.path.slice(s.path.indexOf('@') + 1);
      expect(lines[s.line! - 1], s.path).toContain(`${attr}="${s.value}"`);
      if (s.path in REFERENCE_DEFAULTS) expect(s.value, s.path).toBe(change(REFERENCE_DEFAULTS[s.path]!));
    }
    expect(farm.config.protocol.timeout).toBe(90_000);
    expect(farm.config.affinity.timeout).toBe(21 * 60_000);
    expect(farm.config.servers[0]).toMatchObject({ enabled: false, weight: 101, httpPort: 81, httpsPort: 444, healthCheckAlternatePort: 1 });
  });

  it('lists as honoured only real attribute paths', () => {
    const paths = new Set([WEB_FARM, SERVER, SERVER_ARR, ...FARM_ARR_SECTIONS].flatMap((s) => [...s.attributes.values()].map((a) => a.path)));
    for (const p of HONOURED_SETTINGS) expect(paths, p).toContain(p);
    for (const s of minimal.settings) expect(s.honoured, s.path).toBe(HONOURED_SETTINGS.has(s.path));
  });
});

describe('applicationHost.config: a whole file', () => {
  const shop = loadApplicationHostConfig(fixture('applicationHost.config'), { farmName: 'shop' });

  it('finds the farms among the other sections and builds the one asked for', () => {
    expect(shop.farms).toEqual(['shop', 'static']);
    expect(shop.farm).toBe('shop');
    expect(shop.line).toBe(65);
    expect(shop.config.servers.map((s) => [s.address, s.enabled, s.weight, s.httpPort, s.httpsPort])).toEqual([
      ['member1', true, 200, 8080, 443],
      ['member2', true, 100, 8080, 8443],
      ['member3', false, 100, 80, 443],
    ]);
    expect(shop.config.protocol).toMatchObject({ timeout: 5000, keepAlive: false, httpVersion: 'Http11', responseBufferLimit: 0 });
    expect(shop.config.healthCheck).toMatchObject({ url: 'http://shop.contoso.test/health.htm', interval: 10_000, timeout: 30_000, minServers: 1 });
    expect(shop.config.affinity).toMatchObject({ useCookie: true, cookieName: 'ShopAffinity', timeout: 30 * 60_000 });
    // The other farm and the server-level proxy section do not leak in.
    expect(shop.config.loadBalancing.hashServerVariable).toBeUndefined();
    const other = loadApplicationHostConfig(fixture('applicationHost.config'), { farmName: 'STATIC' });
    expect(other.config.loadBalancing).toMatchObject({ algorithm: 'RequestHash', hashServerVariable: 'QUERY_STRING', queryStringNames: 'v' });
  });

  it('tells for each setting whether it came from the file (with its line) or the default', () => {
    expect(setting(shop, 'protocol/@timeout')).toEqual({ path: 'protocol/@timeout', value: '00:00:05', origin: 'file', line: 74, honoured: true });
    expect(setting(shop, 'protocol/@reverseRewriteHostInResponseHeaders')).toMatchObject({ value: 'false', origin: 'file', line: 75 });
    expect(setting(shop, 'healthCheck/@timeout')).toEqual({ path: 'healthCheck/@timeout', value: '00:00:30', origin: 'default', line: undefined, honoured: true });
    const member3 = shop.servers[2]!;
    expect(member3).toMatchObject({ address: 'member3', line: 72 });
    expect(member3.settings.find((s) => s.path === 'server/applicationRequestRouting/@weight')).toMatchObject({ value: '100', origin: 'default' });
    expect(member3.settings.find((s) => s.path === 'server/@enabled')).toMatchObject({ value: 'false', origin: 'file', line: 72 });
  });

  it('asks which farm when there are several, and names them', () => {
    const [p] = problemsOf(() => loadApplicationHostConfig(fixture('applicationHost.config')));
    expect(p!.message).toContain('2 farms in the file (shop, static)');
    expect(problemsOf(() => loadApplicationHostConfig(fixture('applicationHost.config'), { farmName: 'nope' }))[0]!.message).toBe(
      'no farm named "nope" (farms: shop, static)',
    );
  });

  it('warns once about what the lab reads but does not act on, and about what it does not model', () => {
    expect(shop.warnings.map((w) => [w.kind, w.path, w.lines])).toEqual([
      ['not-honoured', 'webFarm/@enabled', [65]],
      ['not-honoured', 'server/applicationRequestRouting/@httpsPort', [70]],
      ['not-honoured', 'protocol/@httpVersion', [74]],
      ['not-honoured', 'protocol/@reverseRewriteHostInResponseHeaders', [75]],
      ['not-modelled', 'protocol/cache', [76]],
      ['not-honoured', 'affinity/@timeout', [80]],
    ]);
  });
});

describe('applicationHost.config: a <webFarms> fragment and value syntax', () => {
  const farm = loadApplicationHostConfig(fixture('webfarms-fragment.config'));

  it('reads booleans in any case, timeSpans with days and fractions, enums by name in any case', () => {
    expect(farm.farm).toBe('Fragment');
    expect(farm.config).toMatchObject({ enabled: true, passServerHeader: 'PassThrough' });
    expect(farm.config.servers.map((s) => s.enabled)).toEqual([true, false, true]);
    expect(farm.config.protocol).toMatchObject({ timeout: 86_400_000, keepAlive: false });
    expect(farm.config.healthCheck).toMatchObject({ interval: 500, liveTrafficFailurePeriod: 120_000 });
    expect(farm.config.loadBalancing).toMatchObject({ algorithm: 'LeastRequests', leastResponseTimePeriod: 1000 });
    expect(setting(farm, 'protocol/@timeout').value).toBe('1.00:00:00');
    expect(setting(farm, 'healthCheck/@interval').value).toBe('00:00:00.5');
    expect(setting(farm, 'loadBalancing/@algorithm').value).toBe('LeastRequests');
  });

  it('reports an attribute once however many servers carry it, with every line', () => {
    const byPath = Object.fromEntries(farm.warnings.map((w) => [w.path, w]));
    expect(byPath['server/applicationRequestRouting/@httpsPort']).toMatchObject({ kind: 'not-honoured', lines: [4, 7, 10] });
    expect(byPath['server/applicationRequestRouting/@bogus']).toMatchObject({ kind: 'unknown', lines: [4, 7] });
    expect(byPath['server/applicationRequestRouting/@bogus']!.message).toContain('not in the ARR configuration the lab knows');
    expect(farm.warnings.filter((w) => w.path.endsWith('@httpsPort'))).toHaveLength(1);
  });

  it('accepts a single <webFarm> and names unknown elements and IIS lock attributes', () => {
    const f = readApplicationHostConfig(
      '<webFarm name="one" adminUserName="x">\n<server address="a" lockAttributes="enabled"/>\n<applicationRequestRouting>\n<frob/>\n<affinity><host name="h"/></affinity>\n</applicationRequestRouting>\n</webFarm>',
      'one.config',
    );
    expect(f.warnings.map((w) => [w.kind, w.path, w.lines])).toEqual([
      ['unknown', 'webFarm/@adminUserName', [1]],
      ['not-modelled', 'server/@lockAttributes', [2]],
      ['unknown', 'webFarm/applicationRequestRouting/frob', [4]],
      ['not-modelled', 'affinity/host', [5]],
    ]);
  });
});

describe('applicationHost.config: files IIS would refuse', () => {
  it('malformed XML: the line and column of the fault', () => {
    const [p] = problemsOf(() => loadApplicationHostConfig(fixture('bad-xml.config')));
    expect(p).toMatchObject({ line: 5, column: 14 });
    expect(p!.message).toMatch(/^malformed XML \(column 14\): unexpected close tag/);
  });

  it('bad values: element, attribute, value, line and reason, all in one go', () => {
    const problems = problemsOf(() => loadApplicationHostConfig(fixture('bad-value.config')));
    expect(problems).toEqual([
      { line: 4, message: '<server address="member1">/<applicationRequestRouting> weight="0": Too small: expected number to be >=1' },
      { line: 7, message: '<protocol> timeout="abc": not a timeSpan (hh:mm:ss, e.g. 00:00:30)' },
    ]);
  });

  it.each([
    ['<webFarm name="f"><applicationRequestRouting><protocol keepAlive="yes"/></applicationRequestRouting></webFarm>', 'keepAlive="yes": not a boolean'],
    ['<webFarm name="f"><server address="a"><applicationRequestRouting httpPort="0x50"/></server></webFarm>', 'httpPort="0x50": not a decimal integer'],
    ['<webFarm name="f"><server address="a"><applicationRequestRouting httpPort="70000"/></server></webFarm>', 'httpPort="70000": Too big'],
    ['<webFarm name="f"><applicationRequestRouting><protocol timeout="30s"/></applicationRequestRouting></webFarm>', 'timeout="30s": not a timeSpan'],
    ['<webFarm name="f"><applicationRequestRouting><protocol timeout="00:00:00"/></applicationRequestRouting></webFarm>', 'timeout="00:00:00": out of range: 00:00:01 to 1.00:00:00'],
    ['<webFarm name="f"><applicationRequestRouting><affinity timeout="00:01:30"/></applicationRequestRouting></webFarm>', 'in steps of 60 s'],
    ['<webFarm name="f"><applicationRequestRouting><loadBalancing algorithm="Random"/></applicationRequestRouting></webFarm>', 'algorithm="Random": not one of WeightedRoundRobin, LeastRequests'],
    ['<webFarm name="f"><server address="a"/><server address="A"/></webFarm>', 'duplicate <server address="A"> (first at line 1)'],
    ['<webFarm name="f"><server/></webFarm>', '<server> without its required address attribute'],
    ['<webFarm><server address="a"/></webFarm>', '<webFarm> without its required name attribute'],
    ['<webFarms configSource="farms.config"/>', 'the farms are in that file'],
    ['<configuration><system.webServer/></configuration>', 'no <webFarms> section in the file'],
    ['<sites/>', 'expected <configuration>, <webFarms> or <webFarm>, found <sites>'],
  ])('%s', (xml, message) => {
    expect(problemsOf(() => readApplicationHostConfig(xml, 'x.config'))[0]!.message).toContain(message);
  });

  it('reads a file saved with a byte order mark and CRLF line ends', () => {
    const f = readApplicationHostConfig('\uFEFF<webFarms>\r\n<webFarm name="f">\r\n<server\r\n address="a"/>\r\n</webFarm>\r\n</webFarms>\r\n', 'bom.config');
    expect(f.servers[0]).toMatchObject({ address: 'a', line: 3 });
    expect(f.servers[0]!.settings[0]).toMatchObject({ path: 'server/@address', line: 4 });
  });
});

describe('arr-lab config', () => {
  it('prints every setting with its origin, the members and the warnings', () => {
    const r = arrLab('config', fixture('applicationHost.config'), '--farm', 'shop');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain(`farm "shop" from ${fixture('applicationHost.config')}:65 (also in the file: static)`);
    expect(r.out).toMatch(/│ protocol\/@timeout +│ 00:00:05 +│ applicationHost\.config:74 +│ yes +│/);
    expect(r.out).toMatch(/│ healthCheck\/@interval +│ 00:00:10 +│ applicationHost\.config:78 +│ yes +│/);
    expect(r.out).toMatch(/│ affinity\/@timeout +│ 00:30:00 +│ applicationHost\.config:80 +│ no +│/);
    expect(r.out).toMatch(/│ protocol\/@maxForwards +│ 10 +│ default +│ yes +│/);
    expect(r.out).toMatch(/│ member3 +│ false +│ 100 \(default\) +│ 80 \(default\) +│ 443 \(default\) +│ +│ 72 +│/);
    expect(r.out).toContain('applicationHost.config:76: protocol/cache is not modelled by the lab: ignored');
    expect(r.out).toContain('warnings (6)');
  });

  it('prints JSON with --json', () => {
    const r = arrLab('config', fixture('webfarms-fragment.config'), '--json');
    expect(r.code).toBe(0);
    const json = JSON.parse(r.out);
    expect(json.farm).toBe('Fragment');
    expect(json.input.protocol).toEqual({ timeout: '1.00:00:00', keepAlive: false });
    expect(json.warnings.find((w: { path: string }) => w.path === 'server/applicationRequestRouting/@httpsPort').lines).toEqual([4, 7, 10]);
  });

  it('exits 2 with file:line: message on a file IIS would refuse', () => {
    const bad = arrLab('config', fixture('bad-value.config'));
    expect(bad.code).toBe(2);
    expect(bad.out).toBe('');
    expect(bad.err).toContain(`${fixture('bad-value.config')}:4: <server address="member1">/<applicationRequestRouting> weight="0"`);
    expect(bad.err).toContain(`${fixture('bad-value.config')}:7: <protocol> timeout="abc"`);
    const malformed = arrLab('config', fixture('bad-xml.config'));
    expect(malformed.code).toBe(2);
    expect(malformed.err).toContain(`${fixture('bad-xml.config')}:5: malformed XML`);
    const several = arrLab('config', fixture('applicationHost.config'));
    expect(several.code).toBe(2);
    expect(several.err).toContain('--farm NAME');
    const missing = arrLab('config', fixture('no-such.config'));
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('ENOENT');
  });
});

describe('scenarios with a farm from applicationHost.config', () => {
  const scenarioFile = fixture('farm-from-xml-test.yaml');
  const yaml = (farm: string) => `name: xml-farm
description: the farm comes from XML
suites: [test]
farm:
${farm}
members:
  - name: member1
    script:
      - route: /slow/
        do:
          - sleep: 10s
          - respond: { status: 200 }
requests:
  - path: /slow/
    expect:
      client: { status: 502, substatus: 3, errorCode: "0x80072ee2" }
      proxy: { w3c: { sc-status: 502, sc-substatus: 3, sc-win32-status: 12002, time-taken: "~5000" } }
      members:
        member1: { w3c: { sc-status: 200, sc-win32-status: 64, time-taken: "~10000" } }
`;

  it('runs a farm read from a file next to the scenario: 502.3 / 12002 after the file\'s 5 s', async () => {
    const loaded = parseYamlScenario(yaml('  applicationHost: ./farm-timeout.config'), scenarioFile);
    expect(loaded.scenario.farm.protocol.timeout).toBe(5000);
    expect(loaded.farmFromXml).toMatchObject({ applicationHost: fixture('farm-timeout.config'), farmName: 'slowFarm', warnings: [] });
    const { dir, cleanup } = tempDir();
    try {
      const result = await runScenario(loaded, { dir: join(dir, 'xml-farm'), timeScale: 0.001 });
      expect(result.checks.filter((c) => !c.pass)).toEqual([]);
      expect(result.client[0]).toMatchObject({ status: 502, substatus: 3, errorCode: '0x80072ee2' });
      const manifest = JSON.parse(readFileSync(result.manifest, 'utf8'));
      expect(manifest.injected.farm).toEqual({ applicationHost: './farm-timeout.config' });
      expect(manifest.injected.farmFromXml.input).toEqual({ name: 'slowFarm', servers: [{ address: 'member1' }], protocol: { timeout: '00:00:05' } });
      // The files, read back as a log tool reads them.
      const rows = (host: string) => (manifest.hosts[host].w3svc as string[]).flatMap((f) => readW3c(join(result.dir, f)).rows);
      const [proxy] = rows(CONTROLLER_NAME);
      expect(proxy).toMatchObject({ 'cs-uri-stem': '/slow/', 'sc-status': '502', 'sc-substatus': '3', 'sc-win32-status': '12002' });
      expect(Number(proxy!['time-taken'])).toBeGreaterThanOrEqual(5000);
      expect(Number(proxy!['time-taken'])).toBeLessThan(6000);
      const [member] = rows('member1');
      expect(member).toMatchObject({ 'cs-uri-stem': '/slow/', 'sc-status': '200', 'sc-win32-status': '64' });
      expect(Number(member!['time-taken'])).toBeGreaterThanOrEqual(10_000);
      expect(Number(member!['time-taken'])).toBeLessThan(11_000);
    } finally {
      cleanup();
    }
  });

  it('the catalog scenario farm-from-xml holds: timeout, weights and a disabled server from the file', async () => {
    const [loaded] = await resolveTargets(['farm-from-xml']);
    expect(loaded!.scenario.suites).toContain('arr');
    expect(loaded!.farmFromXml!.warnings.map((w) => w.path)).toEqual(['webFarm/@enabled', 'protocol/cache']);
    const { dir, cleanup } = tempDir();
    try {
      const result = await runScenario(loaded!, { dir: join(dir, 'farm-from-xml'), timeScale: 0.001 });
      expect(result.checks.filter((c) => !c.pass)).toEqual([]);
      const subjects = new Set(result.checks.map((c) => c.subject));
      for (const s of ['client', 'proxy', 'member1', 'member2', 'member3']) expect(subjects).toContain(s);
    } finally {
      cleanup();
    }
  });

  it('takes the XML inline, with lab switches beside it', () => {
    const loaded = parseScenario(
      {
        name: 'inline', description: 'inline XML', suites: ['test'], members: [{ name: 'member1' }], requests: [{ path: '/' }],
        farm: {
          applicationHostXml: '<webFarms><webFarm name="a"/><webFarm name="b"><server address="member1"/></webFarm></webFarms>',
          farmName: 'b',
          lab: { timeouts: { connect: '00:00:02' } },
        },
      },
      scenarioFile,
    );
    expect(loaded.scenario.farm.name).toBe('b');
    expect(loaded.scenario.farm.lab.timeouts.connect).toBe(2000);
    expect(loaded.farmFromXml).toMatchObject({ applicationHost: undefined, farmName: 'b' });
  });

  it('fails the load on a bad file, naming the XML file and line', () => {
    let error: ScenarioError | undefined;
    try {
      parseYamlScenario(yaml('  applicationHost: ./bad-value.config'), scenarioFile);
    } catch (err) {
      error = err as ScenarioError;
    }
    expect(error).toBeInstanceOf(ScenarioError);
    expect(error!.problems).toEqual([
      { path: 'farm.applicationHost', line: 5, message: `${fixture('bad-value.config')}:4: <server address="member1">/<applicationRequestRouting> weight="0": Too small: expected number to be >=1` },
      { path: 'farm.applicationHost', line: 5, message: `${fixture('bad-value.config')}:7: <protocol> timeout="abc": not a timeSpan (hh:mm:ss, e.g. 00:00:30)` },
    ]);
  });

  it('fails the load on bad inline XML, a missing file, or both forms at once', () => {
    const problems = (farm: string) => {
      try {
        parseYamlScenario(yaml(farm), scenarioFile);
      } catch (err) {
        return (err as ScenarioError).problems;
      }
      throw new Error('loaded');
    };
    expect(problems('  applicationHostXml: |\n    <webFarms>\n      <webFarm name="a">\n    </webFarms>')).toEqual([
      { path: 'farm.applicationHostXml', line: 5, message: 'XML line 3: malformed XML (column 11): unexpected close tag.' },
    ]);
    expect(problems('  applicationHost: ./nowhere.config')[0]!.message).toContain(`cannot read ${fixture('nowhere.config')}`);
    expect(problems('  applicationHost: ./farm-timeout.config\n  applicationHostXml: "<webFarm name=\'x\'/>"')[0]!.message).toContain('not both');
    expect(problems('  applicationHost: ./farm-timeout.config\n  protocol: { timeout: "00:00:01" }')[0]).toMatchObject({ path: 'farm', line: 5 });
  });
});
