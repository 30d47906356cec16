import { z } from 'zod';
import { APP_POOL_STATES } from '../../../iis/http-sys/app-pool-state.ts';
import { defineAction } from './action.ts';

export default defineAction({
  key: 'appPool',
  value: z.record(z.string(), z.enum(APP_POOL_STATES)),
  description: 'What WAS does to members\' app pools: `Stopped`, `RapidFailOffline`, `ShuttingDown`, `Busy` make http.sys answer its canned 503 (HTTPERR `Disabled`, `AppOffline`, `AppShutdown`, `AppPoolTimer`); `Started` serves again.',
  instant: true,
  names: { kind: 'member', in: 'keys' },
  async perform(lab, pools) {
    for (const [member, state] of Object.entries(pools)) await lab.member(member).setAppPool(state);
  },
});
