import { z } from 'zod';
import { writtenScriptSchema } from '../backends/script.ts';
import { actionSchema } from '../lab/scenario/action-step.ts';
import { sendSchema } from './live-lab.ts';
import { loadSchema } from './load-control.ts';
import { answerSchema } from './exercises/session.ts';

const schema = (s: z.ZodType) => {
  const { $schema: _drop, ...rest } = z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
};
const body = (ref: string) => ({ required: true, content: { 'application/json': { schema: { $ref: `#/components/schemas/${ref}` } } } });
const ok = (description: string) => ({ 200: { description }, 400: { $ref: '#/components/responses/Invalid' }, 401: { $ref: '#/components/responses/Unauthorized' } });
const notFound = { 404: { description: 'unknown member, server, request or exercise' } };

/** The control API as OpenAPI 3.1; request bodies are the lab's own zod schemas, converted. */
export function openApiDocument() {
  return {
    openapi: '3.1.0',
    info: { title: 'arr-lab live control API', version: '1', description: 'What the dashboard uses. Every call needs the token. Requests whose Host or Origin is not the lab\'s own are refused (403).' },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }, { query: [] }],
    paths: {
      '/api/farm': { get: { summary: 'the farm as Monitoring and Management shows it: servers, counters, settings, members, load', responses: ok('the farm') } },
      '/api/behaviours': { get: { summary: 'the member behaviours a script can name, with their options as JSON Schema', responses: ok('the catalog') } },
      '/api/members/{name}/script': {
        put: {
          summary: "replace a member's script (the schema of a scenario member's script)",
          parameters: [{ name: 'name', in: 'path', required: true, schema: { type: 'string' } }],
          requestBody: body('Script'), responses: { ...ok('applied'), ...notFound },
        },
      },
      '/api/actions': { post: { summary: 'perform any scenario action step (one key)', requestBody: body('Action'), responses: { ...ok('performed'), ...notFound, 409: { description: 'an expectation action did not hold' } } } },
      '/api/send': { post: { summary: 'send one request through ARR as a browser would; its error page is kept', requestBody: body('Send'), responses: ok('what the client got, and the request id') } },
      '/api/requests': {
        get: {
          summary: 'requests ARR logged after `since` (ids are in logging order), newest `limit`',
          parameters: [{ name: 'since', in: 'query', schema: { type: 'integer', minimum: 0 } }, { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 0 } }],
          responses: ok('summaries'),
        },
      },
      '/api/requests/{id}': {
        get: {
          summary: 'one request: timeline, artifacts (W3C/HTTPERR lines, FREB, error page, WinHTTP trace) and explanation',
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'integer' } }],
          responses: { ...ok('the request'), ...notFound },
        },
      },
      '/api/events': { get: { summary: 'Server-Sent Events: one `batch` event per interval (farm, new farm events, outcomes, latency percentiles, newest requests)', responses: ok('text/event-stream') } },
      '/api/load': {
        get: { summary: 'background load status', responses: ok('status') },
        post: { summary: 'start (or retune) or stop autocannon load on the lab\'s own ARR', requestBody: body('Load'), responses: ok('status') },
      },
      '/api/presets': { get: { summary: 'the seed faults as member scripts (the dashboard\'s one-click switches)', responses: ok('presets') } },
      '/api/scenario.yaml': { get: { summary: 'the session so far (farm, members, every switch and request) as a scenario file', responses: { ...ok('application/yaml'), 409: { description: 'no request sent yet' } } } },
      '/api/bundle': { get: { summary: 'every artifact so far as a zip, in the --out layout', responses: ok('application/zip') } },
      '/api/exercises': { get: { summary: 'the guided exercises (answers only with the trainer token)', responses: ok('exercises') } },
      '/api/exercises/{name}/start': { post: { summary: 'set the lab up for an exercise and show its symptom', parameters: [{ name: 'name', in: 'path', required: true, schema: { type: 'string' } }], responses: { ...ok('started'), ...notFound } } },
      '/api/exercises/{name}/hint': { get: { summary: 'hint number n', parameters: [{ name: 'name', in: 'path', required: true, schema: { type: 'string' } }, { name: 'n', in: 'query', schema: { type: 'integer' } }, { name: 'learner', in: 'query', schema: { type: 'string' } }], responses: { ...ok('the hint'), ...notFound } } },
      '/api/exercises/{name}/answer': {
        post: { summary: 'a diagnosis (cause and fix); checked by applying the fix in a fresh lab and replaying the traffic', parameters: [{ name: 'name', in: 'path', required: true, schema: { type: 'string' } }], requestBody: body('Answer'), responses: { ...ok('the verdict'), ...notFound } },
      },
      '/api/trainer': { get: { summary: 'answers and every learner\'s progress (trainer token)', responses: { ...ok('the view'), 403: { description: 'learner token' } } } },
    },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' }, query: { type: 'apiKey', in: 'query', name: 'token' } },
      responses: {
        Invalid: { description: 'bad input: `issues` lists each field path and what is wrong' },
        Unauthorized: { description: 'no or wrong token' },
      },
      schemas: { Script: schema(writtenScriptSchema), Action: schema(actionSchema), Send: schema(sendSchema), Load: schema(loadSchema), Answer: schema(answerSchema) },
    },
  };
}
