import { z } from 'zod';
import { defineAction } from './action.ts';

export default defineAction({
  key: 'online',
  value: z.record(z.string(), z.boolean()),
  description: 'Stop (`false`) or restart (`true`) listening on members\' ports: `{member1: false}`.',
  instant: true,
  names: { kind: 'member', in: 'keys' },
  leaves: (members) => Object.fromEntries(Object.entries(members).map(([member, online]) => [member, { offline: !online }])),
  async perform(lab, members) {
    for (const [member, online] of Object.entries(members)) await lab.member(member).setOnline(online);
  },
});
