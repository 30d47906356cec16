import { request } from 'undici';
import { filler } from '../backends/body.ts';
import { parseDetailedError } from '../iis/detailed-error-page.ts';
import { LAB_REQUEST_HEADER } from '../iis/host-request.ts';
import type { Lab } from '../lab/lab.ts';

/** A client POST of `bytes` filler bytes through the lab's controller, read like helpers' `get`. */
export async function post(lab: Lab, path: string, id: string, bytes: number) {
  const res = await request(lab.url(path), { method: 'POST', body: filler(bytes), headers: { [LAB_REQUEST_HEADER]: id } });
  const body = await res.body.text();
  return { status: res.statusCode, headers: res.headers, body, page: parseDetailedError(body) };
}
