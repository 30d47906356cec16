import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FREB_DIRECTORY, parseDetailedError, renderDetailedError } from '../iis/detailed-error-page.ts';
import { EventLog, eventLogFile } from '../iis/event-log.ts';
import { CLASSIFICATION } from '../proxy/failure-classification.ts';
import { traceLines } from '../proxy/winhttp-trace.ts';
import { get, withLab } from './helpers.ts';

const golden = (name: string) => readFileSync(new URL(`./golden/${name}`, import.meta.url), 'utf8');
const row = (id: string) => CLASSIFICATION.find((r) => r.id === id)!;

describe('golden files', () => {
  it("renders ARR's 502.3 detailed error page", () => {
    const html = renderDetailedError({
      iisVersion: '10.0', status: 502, substatus: 3, description: 'The operation timed out', module: 'ApplicationRequestRouting',
      notification: 'ExecuteRequestHandler', handler: 'ApplicationRequestRoutingHandler', errorCode: 0x80072ee2,
      requestedUrl: 'http://test:80/time/', physicalPath: 'C:\\inetpub\\wwwroot\\time\\', logonMethod: 'Anonymous', logonUser: 'Anonymous', osBuild: 17763,
      frebDirectory: FREB_DIRECTORY,
    });
    expect(html).toBe(golden('detailed-error-502-3.html'));
    expect(parseDetailedError(html)).toMatchObject({ status: 502, substatus: 3, errorCode: '0x80072ee2', notification: 'ExecuteRequestHandler' });
  });

  it('exports the Application log the way Event Viewer saves it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'arr-lab-ev-'));
    try {
      const log = new EventLog(dir, 'ARR1');
      log.write({ id: 1000, level: 'Warning', at: Date.UTC(2011, 6, 18, 16, 50, 21), provider: 'Application Request Routing', message: 'Server member1 in server farm myServerFarm is being marked unhealthy due to a failed URL test (status code 500).' });
      log.write({ id: 1002, level: 'Warning', at: Date.UTC(2011, 6, 18, 16, 50, 51), provider: 'Application Request Routing', message: 'Server farm myServerFarm has reached its minimum server threshold. No more servers will be marked unhealthy until the number of healthy servers increase.' });
      log.close();
      expect(readFileSync(eventLogFile(dir), 'utf8')).toBe(golden('Application.xml'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("writes the WinHTTP trace block of docs/reference.md §8.1 for a receive timeout, line for line, the call stamped when it was made", () => {
    const failedAt = Date.UTC(2011, 6, 22, 12, 32, 23, 123);
    const trip = { phase: 'receive-headers' as const, calls: { send: failedAt - 30_010, receive: failedAt - 30_000 } };
    const lines = traceLines(row('receive-timeout'), 1, trip, failedAt);
    expect(lines.slice(0, 3).every((l) => l.startsWith('WINHTTP_MicrosoftWindowsWinHttp:12:31:53.123 ::'))).toBe(true);
    expect(lines.slice(3).map((l) => l.replace(/^WINHTTP_MicrosoftWindowsWinHttp:12:32:23\.123 ::/, ''))).toEqual([
      'sys-recver processing WebReceiveHttpResponse completion (error-cdoe = ? (0x5b4), overlapped = 00372A98))',
      'sys-recver failed to receive headers; error = ? (1460)',
      'ERROR_WINHTTP_FROM_WIN32 mapped (?) 1460 to (ERROR_WINHTTP_TIMEOUT) 12002',
      'sys-recver returning ERROR_WINHTTP_TIMEOUT (12002) from RecvResponse()',
      'sys-req completes recv-headers inline (sync); error = ERROR_WINHTTP_TIMEOUT (12002)',
    ]);
    expect(lines.slice(1, 3).map((l) => l.split(' ::')[1])).toEqual(['sys-recver starts in _INIT state', 'current thread is not impersonating']);
  });

  it('writes the §8.2 block for an unanswered SYN, the receive call and its failure at one stamp, and a message of its own for each other phase', () => {
    const at = Date.UTC(2011, 6, 22, 12, 26, 39, 704);
    const connect = traceLines(row('syn-unanswered'), 1, { phase: 'connect', calls: { send: at - 21_000 } }, at);
    expect(connect.map((l) => l.split(' ::')[0]!.slice(-12))).toEqual(Array(7).fill('12:26:39.704'));
    expect(connect.map((l) => l.split(' ::')[1])).toEqual([
      'WinHttpReceiveResponse(0x11d2578, 0x0)',
      'sys-recver starts in _INIT state',
      'current thread is not impersonating',
      'sys-recver processing WebReceiveHttpResponse completion (error-cdoe = WSAETIMEDOUT (0x274c), overlapped = 00372A98))',
      'sys-recver failed to receive headers; error = WSAETIMEDOUT (10060)',
      'ERROR_WINHTTP_FROM_WIN32 mapped (WSAETIMEDOUT) 10060 to (ERROR_WINHTTP_TIMEOUT) 12002',
      'sys-recver returning ERROR_WINHTTP_TIMEOUT (12002) from RecvResponse()',
    ]);
    const failing = (id: string, phase: 'resolve' | 'send' | 'receive-body') => traceLines(row(id), 1, { phase, calls: { send: 0, receive: 0, read: 0 } }, at).map((l) => l.split(' ::')[1]!);
    expect(failing('name-not-resolved', 'resolve')[0]).toBe('sys-req failed to resolve server name; error = WSAHOST_NOT_FOUND (11001)');
    expect(failing('send-timeout', 'send')[0]).toBe('sys-req failed to send request; error = ? (1460)');
    expect(failing('cut-inside-body', 'receive-body').slice(1, 2)).toEqual(['sys-recver failed to receive entity body; error = WSAECONNRESET (10054)']);
    expect(traceLines(row('no-server'), 1, { phase: 'route', calls: { send: 0 } }, at)).toEqual([]);
  });
});

describe('the WinHTTP trace of a lab', () => {
  it('holds one block per failed trip, from what the forwarder saw, and nothing for successes or 502.4', async () => {
    const script = [{ route: '/close/', do: ['close-without-response'] }, { route: '/', do: [{ respond: {} }] }];
    await withLab({ members: [{ name: 'member1', script }, { name: 'member2', offline: true }] }, async (lab) => {
      lab.controller.setAvailability('member2', 'UnavailableGracefully');
      await get(lab, '/', 'ok');
      await get(lab, '/close/', 'reset');
      lab.controller.setAvailability('member2', 'Available');
      lab.controller.setAvailability('member1', 'UnavailableGracefully');
      await get(lab, '/', 'refused');
      lab.controller.setAvailability('member2', 'UnavailableGracefully');
      await get(lab, '/', 'none');
      await lab.settle();
      await lab.stop();
      const text = readFileSync(lab.controller.files().winhttp![0]!, 'utf8');
      const mapped = text.split('\r\n').filter((l) => l.includes('ERROR_WINHTTP_FROM_WIN32 mapped')).map((l) => l.split(' ::')[1]);
      expect(mapped).toEqual([
        'ERROR_WINHTTP_FROM_WIN32 mapped (WSAECONNRESET) 10054 to (ERROR_WINHTTP_CONNECTION_ERROR) 12030',
        'ERROR_WINHTTP_FROM_WIN32 mapped (WSAECONNREFUSED) 10061 to (ERROR_WINHTTP_CANNOT_CONNECT) 12029',
      ]);
    });
  });
});
