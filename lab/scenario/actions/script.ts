import { z } from 'zod';
import { scriptSchema } from '../../../backends/script.ts';
import { defineAction } from './action.ts';

export default defineAction({
  key: 'script',
  value: z.record(z.string(), scriptSchema),
  description: 'Replace members\' scripts: `{member1: [...]}` (request numbers keep counting).',
  instant: true,
  // A script is parsed into behaviours by a transform, so zod's JSON Schema says "any array".
  json: { type: 'object', additionalProperties: { $ref: '#/$defs/script' } },
  names: { kind: 'member', in: 'keys' },
  leaves: (scripts) => Object.fromEntries(Object.entries(scripts).map(([member, script]) => [member, { script: script.written }])),
  async perform(lab, scripts) {
    for (const [member, script] of Object.entries(scripts)) await lab.member(member).setScript(script);
  },
});
