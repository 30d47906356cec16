import { z } from 'zod';
import { defineAction } from './action.ts';

const show = (list: { id: number; server?: string | undefined }[]) => list.map((e) => `${e.id}${e.server ? ` ${e.server}` : ''}`).join(', ') || '(none)';

export default defineAction({
  key: 'expectEvents',
  value: z.array(z.object({ id: z.union([z.literal(1000), z.literal(1002)]), server: z.string().optional() }).strict()),
  description: 'Check the ARR events (1000 unhealthy, 1002 minimum reached) in the Application log so far, in order: `[{id: 1000, server: member1}, {id: 1002}]`.',
  keys: {
    '[].id': 'Event ID.',
    '[].server': 'The member the event names.',
  },
  perform(lab, expected, { step }) {
    const actual = lab.controller.events().map((e) => ({ id: e.id, server: e.server }));
    const pass = actual.length === expected.length && expected.every((e, i) => e.id === actual[i]!.id && (e.server === undefined || e.server === actual[i]!.server));
    return [{ request: step, subject: 'event log', field: 'events', expected: show(expected), actual: show(actual), pass }];
  },
});
