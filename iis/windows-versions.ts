import type { HostIdentity } from './host.ts';

/**
 * The Windows Server a host claims, and what follows from it in the artifacts: the IIS version
 * in `#Software` and error pages, the build in the More Information link, and the HTTPERR
 * `#Fields` variant (docs/reference.md §5.1, §6.2, §4.2).
 */
export const WINDOWS_VERSIONS = {
  '2012r2': { iisVersion: '8.5', osBuild: 9600, httperrVariant: 'legacy' },
  '2016': { iisVersion: '10.0', osBuild: 14393, httperrVariant: 'streamid' },
  '2019': { iisVersion: '10.0', osBuild: 17763, httperrVariant: 'streamid' },
  '2022': { iisVersion: '10.0', osBuild: 20348, httperrVariant: 'streamid' },
} as const satisfies Record<string, Pick<HostIdentity, 'iisVersion' | 'osBuild' | 'httperrVariant'>>;

export type WindowsVersion = keyof typeof WINDOWS_VERSIONS;
export const WINDOWS_NAMES = Object.keys(WINDOWS_VERSIONS) as WindowsVersion[];
export const DEFAULT_WINDOWS: WindowsVersion = '2019';
