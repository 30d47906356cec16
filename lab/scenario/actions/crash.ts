import { z } from 'zod';
import { defineAction } from './action.ts';

export default defineAction({
  key: 'crash',
  value: z.array(z.string()).min(1),
  description: 'The worker process of these members dies: what it ran or queued is abandoned (Connection_Abandoned_By_ReqQueue, connections reset). Five crashes within five minutes take the pool offline (rapid-fail protection).',
  instant: true,
  names: { kind: 'member', in: 'items' },
  async perform(lab, members) {
    for (const member of members) await lab.member(member).crashWorker();
  },
});
