import { z } from 'zod';
import { defineAction } from './action.ts';

export default defineAction({
  key: 'leak',
  value: z.record(z.string(), z.number().min(0)),
  description: 'MB a member\'s leaking driver holds in the nonpaged pool (0: unloaded).',
  instant: true,
  names: { kind: 'member', in: 'keys' },
  async perform(lab, leaks) {
    for (const [member, mb] of Object.entries(leaks)) await lab.member(member).setLeak(mb);
  },
});
