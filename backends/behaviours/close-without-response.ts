import { z } from 'zod';
import { defineBehaviour, type BehaviourResult } from '../behaviour.ts';

/**
 * ASP.NET's Response.Close() with nothing written: the connection is reset (RST) without a byte
 * of response. IIS writes no W3SVC line; http.sys logs Connection_Dropped (docs/reference.md §6.7).
 */
export default defineBehaviour({
  name: 'close-without-response',
  summary: 'Response.Close(): reset the connection (RST) before any response byte',
  options: z.object({}).strict().default({}),
  async run(request): Promise<BehaviourResult> {
    request.drop('Connection_Dropped', 'reset');
    return 'end';
  },
});
