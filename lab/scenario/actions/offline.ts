import { z } from 'zod';
import { defineAction } from './action.ts';

export default defineAction({
  key: 'offline',
  value: z.record(z.string(), z.union([z.boolean(), z.literal('silent')], { error: 'use true (refused), false (back online) or silent (SYNs unanswered)' })),
  description: 'Take members offline refusing (`true`), silent (`silent`: SYNs unanswered) or back (`false`).',
  instant: true,
  names: { kind: 'member', in: 'keys' },
  leaves: (members) => Object.fromEntries(Object.entries(members).map(([member, offline]) => [member, { offline }])),
  async perform(lab, members) {
    for (const [member, offline] of Object.entries(members)) await lab.member(member).setOffline(offline);
  },
});
