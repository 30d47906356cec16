import type { TopologyInput } from '../lab/topology.ts';

export const TEACHING_MEMBERS = ['member1', 'member2', 'member3'] as const;

/**
 * The farm `arr-lab serve` starts without a scenario: ARR in front of three healthy members with
 * IIS defaults (30 s time-out, round robin), except that three live-traffic failures within a
 * minute mark a member unhealthy, so a class sees event 1000 after a few requests instead of ten.
 */
export function teachingFarm(): TopologyInput {
  return {
    farm: {
      name: 'teachingFarm',
      protocol: { timeout: '00:00:30' },
      healthCheck: { maxLiveTrafficFailures: 3, liveTrafficFailurePeriod: '00:01:00' },
    },
    members: TEACHING_MEMBERS.map((name) => ({ name, script: [] })),
  };
}

/**
 * The seed faults as member scripts, one switch each in the dashboard (any behaviour with any
 * options can still be written by hand). Each names the route it breaks, so `/` keeps working.
 */
export const PRESETS: { name: string; label: string; script: unknown }[] = [
  { name: 'healthy', label: 'healthy page (200)', script: [] },
  { name: 'slow-page', label: 'slow page: sleep 45 s on /time/', script: [{ route: '/time/', do: [{ sleep: '45s' }, { respond: { status: 200 } }] }] },
  { name: 'response-close', label: 'Response.Close() on /close/', script: [{ route: '/close/', do: ['close-without-response'] }] },
  { name: 'partial-flush', label: 'flush 512 B then close on /flush/', script: [{ route: '/flush/', do: [{ 'flush-then-close': { bytes: 512, contentLength: 4096 } }] }] },
  { name: 'error-500', label: '500 on every route', script: [{ route: '/', do: [{ respond: { status: 500, body: 'boom' } }] }] },
];
