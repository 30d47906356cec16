import { z } from 'zod';
import { httpSysSchema } from '../../../iis/http-sys/settings.ts';
import { rawValidated } from '../kept-as-written.ts';
import { defineAction } from './action.ts';

export default defineAction({
  key: 'httpSys',
  value: z.record(z.string(), rawValidated(httpSysSchema.partial())),
  description: 'Change hosts\' http.sys and app-pool limits while the lab runs, per host (`arr` or a member): `{member1: {queueLength: 1000}}`.',
  names: { kind: 'host', in: 'keys' },
  async perform(lab, hosts) {
    for (const [name, settings] of Object.entries(hosts)) await lab.host(name).setHttpSys(settings ?? {});
  },
});
