import { z } from 'zod';
import { httpSysChangeSchema } from '../../../iis/http-sys/settings.ts';
import { defineAction } from './action.ts';

export default defineAction({
  key: 'httpSys',
  value: z.record(z.string(), httpSysChangeSchema),
  description: 'Change hosts\' http.sys and app-pool limits while the lab runs, per host (`arr` or a member): `{member1: {queueLength: 1000}}`; settings it does not name keep their values.',
  instant: true,
  json: { type: 'object', additionalProperties: { $ref: '#/$defs/httpSys' } },
  names: { kind: 'host', in: 'keys' },
  async perform(lab, hosts) {
    for (const [name, change] of Object.entries(hosts)) await lab.host(name).setHttpSys(change);
  },
});
