import { z } from 'zod';
import { faultSchema } from '../../containers/faults.ts';
import { realHost } from './real-host.ts';
import { defineAction } from './action.ts';

export default defineAction({
  key: 'fault',
  value: z.record(z.string(), faultSchema),
  description: 'A real fault on container members (`runtime: containers`): `pause`, `stop`, `kill`, `crash`, `disconnect`, `blackhole`, `reject`, `{bandwidth}` or `{loss}`; undone by `heal`.',
  keys: {
    '<name>.bandwidth': 'Rate limit on the member\'s link (tc tbf), e.g. `1mbit`.',
    '<name>.loss': 'Share of packets to the member\'s port dropped at random (iptables statistic), e.g. `0.2`.',
  },
  names: { kind: 'member', in: 'keys' },
  containersOnly: true,
  async perform(lab, faults) {
    for (const [member, fault] of Object.entries(faults)) await realHost(lab, member).fault(fault);
  },
});
