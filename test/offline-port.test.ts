import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const SCRIPT = new URL('./fixtures/offline-port-intruder.ts', import.meta.url).pathname;
/** Ten ephemeral ports, in a network namespace of the test's own: the machine's range and other programs are untouched. */
const NAMESPACED = `echo "40000 40009" > /proc/sys/net/ipv4/ip_local_port_range && ip link set lo up && exec "${process.execPath}" --import tsx "${SCRIPT}"`;
const canUnshare = spawnSync('unshare', ['-rn', 'true']).status === 0;

describe('an offline member keeps its port', () => {
  // Without the hold, the controller (started after the member) or the other program is handed the
  // member's port in this small range, and the request is answered with 200 by the wrong party.
  it.skipIf(!canUnshare)('no other listener is handed it, so a connect is refused: 502.3 0x80072efd', () => {
    const r = spawnSync('unshare', ['-rn', 'sh', '-c', NAMESPACED], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout) as { hosts: number[]; offlinePort: number; taken: number[]; status: number; errorCode: string | null };
    expect(new Set(result.hosts).size).toBe(3);
    expect(result.taken.length).toBeGreaterThan(0);
    expect(result.taken).not.toContain(result.offlinePort);
    expect({ status: result.status, errorCode: result.errorCode }).toEqual({ status: 502, errorCode: '0x80072efd' });
  }, 60_000);
});
