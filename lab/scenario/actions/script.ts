import { z } from 'zod';
import { rawScriptSchema } from '../kept-as-written.ts';
import { defineAction } from './action.ts';

export default defineAction({
  key: 'script',
  value: z.record(z.string(), rawScriptSchema),
  description: 'Replace members\' scripts: `{member1: [...]}` (request numbers keep counting).',
  // Checked in two stages (kept as written, then validated), so zod's JSON Schema says "any array".
  json: { type: 'object', additionalProperties: { $ref: '#/$defs/script' } },
  names: { kind: 'member', in: 'keys' },
  leaves: (scripts) => Object.fromEntries(Object.entries(scripts).map(([member, script]) => [member, { script }])),
  async perform(lab, scripts) {
    for (const [member, script] of Object.entries(scripts)) await lab.member(member).setScript(script);
  },
});
