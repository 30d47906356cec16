import { z } from 'zod';
import { availabilitySchema } from '../../../proxy/farm-config.ts';
import type { Check } from '../expectations.ts';
import { describeMeasure, measureHolds, measureSchema } from '../measure.ts';
import { defineAction } from './action.ts';

const serverExpectSchema = z
  .object({
    availability: availabilitySchema,
    state: z.enum(['Active', 'Draining', 'Inactive']),
    healthy: z.boolean(),
    counters: z
      .object({
        totalRequests: z.number().int(), failedRequests: z.number().int(), currentRequests: z.number().int(),
        bytesSent: measureSchema, bytesReceived: measureSchema, responseTime: measureSchema,
      })
      .partial()
      .strict(),
  })
  .partial()
  .strict();

/** The farm as the Monitoring and Management page shows it now. */
export default defineAction({
  key: 'expectFarm',
  value: z.record(z.string(), serverExpectSchema),
  description: 'Check the controller\'s view of its servers now, per server: `{member1: {healthy: false, state: Draining, counters: {totalRequests: 3}}}`.',
  keys: {
    '<name>.availability': 'Monitoring-page availability.',
    '<name>.state': 'counters/@state.',
    '<name>.healthy': 'Health status.',
    '<name>.counters': 'Runtime counters of the member.',
    '<name>.counters.totalRequests': 'Requests routed to it.',
    '<name>.counters.failedRequests': 'Requests that failed (connection errors, failure codes).',
    '<name>.counters.currentRequests': 'Requests in flight.',
    '<name>.counters.bytesSent': 'Bytes sent to it (a number, `~N`, `N±M` or `{min, max}`).',
    '<name>.counters.bytesReceived': 'Bytes received from it (same forms).',
    '<name>.counters.responseTime': 'Average response time in ms (same forms).',
  },
  // A server the farm lacks is a failed check ("absent") rather than an error: checking is this action's job.
  perform(lab, farm, { step, tolerance }) {
    const checks: Check[] = [];
    const servers = lab.controller.servers();
    for (const [address, expected] of Object.entries(farm)) {
      const subject = `farm ${address}`;
      const server = servers.find((s) => s.address.toLowerCase() === address.toLowerCase());
      if (!server) {
        checks.push({ request: step, subject, field: 'server', expected: 'in the farm', actual: 'absent', pass: false });
        continue;
      }
      for (const field of ['availability', 'state', 'healthy'] as const) {
        if (expected[field] !== undefined) {
          checks.push({ request: step, subject, field, expected: String(expected[field]), actual: String(server[field]), pass: expected[field] === server[field] });
        }
      }
      for (const [counter, want] of Object.entries(expected.counters ?? {})) {
        const actual = Math.round(server.counters[counter as keyof typeof server.counters]);
        checks.push({ request: step, subject, field: counter, expected: describeMeasure(want, tolerance), actual: String(actual), pass: measureHolds(want, actual, tolerance) });
      }
    }
    return checks;
  },
});
