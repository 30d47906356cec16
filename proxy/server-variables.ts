import type { HostRequest } from '../iis/host-request.ts';

/**
 * The IIS server variables ARR's RequestHash can name (hashServerVariable), read from the request
 * the controller received. `HTTP_<NAME>` is any request header, dashes as underscores.
 */
export function serverVariable(request: HostRequest, name: string): string | undefined {
  const url = request.req.url ?? '/';
  const q = url.indexOf('?');
  switch (name.toUpperCase()) {
    case 'REMOTE_ADDR':
    case 'REMOTE_HOST':
      return request.peer.cIp;
    case 'REMOTE_PORT':
      return String(request.peer.cPort);
    case 'QUERY_STRING':
      return q < 0 ? '' : url.slice(q + 1);
    case 'URL':
    case 'PATH_INFO':
      return q < 0 ? url : url.slice(0, q);
    case 'REQUEST_URI':
    case 'HTTP_URL':
      return url;
    case 'REQUEST_METHOD':
      return request.req.method;
    case 'SERVER_PORT':
      return String(request.peer.sPort);
  }
  const upper = name.toUpperCase();
  if (upper.startsWith('HTTP_')) {
    const value = request.req.headers[upper.slice(5).toLowerCase().replace(/_/g, '-')];
    return Array.isArray(value) ? value.join(',') : value;
  }
  return undefined;
}
