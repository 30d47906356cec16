import { z } from 'zod';
import { durationSchema } from '../../core/duration-schema.ts';
import { defineBehaviour } from '../behaviour.ts';

/**
 * Waits on the lab clock, like a page doing Thread.Sleep: the wait goes on even when the client
 * has gone away, so the request is logged with its full duration.
 */
export default defineBehaviour({
  name: 'sleep',
  summary: 'wait a nominal duration (e.g. 45s or 00:00:45), then run the next behaviour',
  options: durationSchema,
  // Not async, and the clock's wait itself is the result (the next step runs after it): a page
  // held in its sleep keeps that one promise, no frame and no promise of its own.
  run(request, ms) {
    return request.clock.sleep(ms, request.signal);
  },
});
