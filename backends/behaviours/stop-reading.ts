import { z } from 'zod';
import { defineBehaviour, type BehaviourResult } from '../behaviour.ts';

/**
 * The page never reads the request body (a handler that blocks before Request.InputStream.Read,
 * a module waiting on something else). TCP flow control closes the window, the sender's socket
 * buffers fill and its writes stall: how a proxy's send timeout comes about. The step itself
 * returns at once; compose it with `sleep` and `respond` for what the page does meanwhile.
 */
export default defineBehaviour({
  name: 'stop-reading',
  summary: 'leave the request body unread: the sender stalls once the socket buffers are full (compose with sleep, respond)',
  options: z.object({}).strict().default({}),
  leavesBodyUnread: true,
  async run(): Promise<BehaviourResult> {
    return 'next';
  },
});
