import { z } from 'zod';
import { defineAction } from './action.ts';

export default defineAction({
  key: 'crash',
  value: z.array(z.string()).min(1),
  description: 'The worker process of these members dies (Connection_Abandoned_By_ReqQueue).',
  names: { kind: 'member', in: 'items' },
  async perform(lab, members) {
    for (const member of members) await lab.member(member).crashWorker();
  },
});
