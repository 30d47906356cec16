import { z } from 'zod';
import { defineBehaviour } from '../behaviour.ts';

/**
 * The page reads the whole request body before going on (Request.Form, a model binder): a client
 * that stops sending keeps the page waiting until http.sys gives up on the body
 * (Timer_EntityBody), and a page that reads a large upload takes as long as the upload.
 */
export default defineBehaviour({
  name: 'read-body',
  summary: 'wait until the whole request body has arrived (Request.Form), then run the next behaviour',
  options: z.object({}).strict().default({}),
  async run(request) {
    const { body } = request.req;
    if (body === undefined || body.readableEnded) return 'next';
    await new Promise<void>((resolve) => {
      body.once('end', resolve);
      body.once('close', resolve);
    });
    return request.socket.destroyed ? 'end' : 'next';
  },
});
