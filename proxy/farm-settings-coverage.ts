/**
 * The applicationHost.config settings the lab's runtime acts on. Everything else in the farm
 * schema is read, validated and shown (`arr-lab config`), and a file that sets it gets a warning
 * that the lab ignores it.
 *
 * When you make the proxy honour a setting, add its path here in the same change: this list is
 * the only place that says so. Paths are those of proxy/farm-attributes.ts: `webFarm/@x`,
 * `server/@x`, `server/applicationRequestRouting/@x`, `protocol/@x`, `healthCheck/@x`,
 * `affinity/@x`, `loadBalancing/@x`.
 */
export const HONOURED_SETTINGS: ReadonlySet<string> = new Set([
  'webFarm/@name',
  'webFarm/@passServerHeader',

  'server/@address',
  'server/@enabled',
  'server/applicationRequestRouting/@weight',
  'server/applicationRequestRouting/@httpPort',
  'server/applicationRequestRouting/@healthCheckAlternateHostName',
  'server/applicationRequestRouting/@healthCheckAlternatePort',

  'protocol/@timeout',
  'protocol/@keepAlive',
  'protocol/@preserveHostHeader',
  'protocol/@xForwardedForHeaderName',
  'protocol/@includePortInXForwardedFor',
  'protocol/@arrResponseHeader',
  'protocol/@sslHeaderName',
  'protocol/@clientCertHeaderName',
  'protocol/@logGuidName',
  'protocol/@logCacheHitName',
  'protocol/@maxForwards',
  'protocol/@responseBufferLimit',
  'protocol/@bufferChunkedResponses',
  'protocol/@maxResponseHeaderSize',

  'healthCheck/@url',
  'healthCheck/@interval',
  'healthCheck/@timeout',
  'healthCheck/@statusCodeMatch',
  'healthCheck/@responseMatch',
  'healthCheck/@retries',
  'healthCheck/@liveTrafficFailureCodes',
  'healthCheck/@maxLiveTrafficFailures',
  'healthCheck/@liveTrafficFailurePeriod',
  'healthCheck/@minServers',

  'affinity/@useCookie',
  'affinity/@cookieName',

  'loadBalancing/@algorithm',
  'loadBalancing/@leastResponseTimePeriod',
  'loadBalancing/@hashServerVariable',
  'loadBalancing/@queryStringNames',
]);

export function isHonoured(path: string): boolean {
  return HONOURED_SETTINGS.has(path);
}
