import type { Cited } from './evidence.ts';

/**
 * IIS status.substatus codes around ARR and the front layer (docs/reference.md §2). `kb` is the wording of
 * KB 943891 ("HTTP status codes in IIS"), whose 502 table has two generations: the original one
 * and the one added for ARR 3.0.1916.
 */
export interface IisStatusCode {
  status: number;
  /** Undefined for the plain status (all its substatus codes). */
  substatus: number | undefined;
  kb: Cited[];
  notes: Cited[];
}

const KB = 'KB-STATUS';
const kb = (text: string): Cited => ({ text, evidence: 'V', source: KB });
const arr3 = (text: string): Cited => ({ text: `${text} (wording added for ARR 3.0.1916)`, evidence: 'V', source: KB });

function status(code: string, texts: Cited[], notes: Cited[] = []): IisStatusCode {
  const [s, sub] = code.split('.');
  return { status: Number(s), substatus: sub === undefined ? undefined : Number(sub), kb: texts, notes };
}

export const IIS_STATUS_CODES: readonly IisStatusCode[] = [
  status('502', [kb('Web server received an invalid response while acting as a gateway or proxy')], [
    { text: 'custom (non-detailed) page title: "502 - Web server received an invalid response while acting as a gateway or proxy server."', evidence: 'C', source: 'CAP-CUSTERR502' },
  ]),
  status('502.1', [kb('CGI application timeout.')]),
  status('502.2', [kb('Bad gateway: Premature Exit.'), arr3('Map request failure (ARR)')]),
  status('502.3', [kb('Bad Gateway: Forwarder Connection Error (ARR).'), arr3('WinHTTP asynchronous completion failure (ARR)')], [
    {
      text: 'ARR was unable to complete the request to the upstream server and send a response back: failure to connect, no response, or the server took too long to respond (time out); also when the member connection drops mid-stream',
      evidence: 'V', source: 'DOC-502',
    },
    { text: "ARR's page shows the WinHTTP message as its description line; other modules (HttpPlatformHandler, ASP.NET Core Module) emit 502.3 with a CGI text instead", evidence: 'S', source: 'docs/reference.md §2.1' },
  ]),
  status('502.4', [kb('Bad Gateway: No Server (ARR).'), arr3('No server (ARR)')], [
    { text: 'with Error Code 0x00000000 it generally indicates that all the members of the farm are either offline, or otherwise unreachable', evidence: 'V', source: 'DOC-502' },
  ]),
  status('502.5', [arr3('WebSocket failure (ARR)')]),
  status('502.6', [arr3('Forwarded request failure (ARR)')]),
  status('502.7', [arr3('Execute request failure (ARR)')]),
  status('400.601', [arr3('Bad client request')]),
  status('400.602', [arr3('Invalid time format')]),
  status('400.603', [arr3('Parse range error')]),
  status('400.604', [arr3('Client gone')]),
  status('400.605', [arr3('Maximum number of forwards')]),
  status('400.606', [arr3('Asynchronous competition error')]),
  status('503.0', [kb('Application pool unavailable (stopped or disabled).')]),
  status('503.2', [kb('Concurrent request limit exceeded.')], [
    { text: 'serverRuntime/@appConcurrentRequestLimit, default 5000', evidence: 'V', source: 'DOC-SRVRUNTIME' },
  ]),
  status('503.3', [kb('ASP.NET queue full')]),
  status('503.4', [kb('FastCGI queue full')], [
    { text: 'system.webServer/fastCgi/application/@queueLength, default 1000', evidence: 'V', source: 'SCHEMA-IIS10' },
  ]),
];

export function iisStatusKey(c: { status: number; substatus: number | undefined }): string {
  return c.substatus === undefined ? String(c.status) : `${c.status}.${c.substatus}`;
}
