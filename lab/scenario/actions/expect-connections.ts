import { z } from 'zod';
import type { Check } from '../expectations.ts';
import { defineAction } from './action.ts';

export default defineAction({
  key: 'expectConnections',
  value: z.record(z.string(), z.record(z.string(), z.number().int().min(0))),
  description: 'Connection-level HTTPERR lines so far per host, by reason: `{arr: {Timer_HeaderWait: 3}}`.',
  names: { kind: 'host', in: 'keys' },
  perform(lab, hosts, { step }) {
    const checks: Check[] = [];
    for (const [hostName, reasons] of Object.entries(hosts)) {
      const seen = lab.hosts.find((h) => h.name === hostName)?.connectionEvents() ?? {};
      for (const [reason, count] of Object.entries(reasons)) {
        const actual = seen[reason] ?? 0;
        checks.push({ request: step, subject: hostName, field: `HTTPERR ${reason}`, expected: String(count), actual: String(actual), pass: actual === count });
      }
    }
    return checks;
  },
});
