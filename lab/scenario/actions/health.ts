import { z } from 'zod';
import { defineAction } from './action.ts';

export default defineAction({
  key: 'health',
  value: z.record(z.string(), z.enum(['healthy', 'unhealthy'])),
  description: 'SetHealthy / SetUnhealthy per member: `{member1: unhealthy}` (still bound by `healthCheck.minServers`).',
  instant: true,
  names: { kind: 'server', in: 'keys' },
  perform(lab, servers) {
    for (const [address, health] of Object.entries(servers)) lab.controller.setHealthy(address, health === 'healthy');
  },
});
