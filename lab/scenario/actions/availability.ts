import { z } from 'zod';
import { availabilitySchema } from '../../../proxy/farm-config.ts';
import { defineAction } from './action.ts';

export default defineAction({
  key: 'availability',
  value: z.record(z.string(), availabilitySchema),
  description: 'Rotate Servers actions per member: `{member1: Drain}`; `Unavailable` is `UnavailableGracefully`, `UnavailableImmediately` also ends the requests in flight.',
  instant: true,
  names: { kind: 'server', in: 'keys' },
  perform(lab, servers) {
    for (const [address, availability] of Object.entries(servers)) lab.controller.setAvailability(address, availability);
  },
});
