import { durationSchema } from '../../../core/duration-schema.ts';
import { defineAction } from './action.ts';

export default defineAction({
  key: 'wait',
  value: durationSchema,
  description: 'Let nominal time pass on the lab clock (health tests run, pages finish: `wait: 35s`), then wait until no host is busy.',
  async perform(lab, ms) {
    await lab.clock.sleep(ms);
    // What fell due during the wait (a health test, a page's sleep) finishes before the next step.
    await lab.settle();
  },
});
