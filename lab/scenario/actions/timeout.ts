import { durationSchema } from '../../../core/duration-schema.ts';
import { defineAction } from './action.ts';

/** Server Farm → Proxy → Time-out, changed while the lab runs. */
export default defineAction({
  key: 'timeout',
  value: durationSchema,
  description: 'Change the farm\'s protocol/@timeout while the lab runs (`60s`): requests that start after it use it.',
  instant: true,
  perform(lab, ms) {
    lab.controller.setProtocolTimeout(ms);
  },
});
