import { connect } from 'node:net';
import { expect, it } from 'vitest';
import { scriptSchema } from '../backends/script.ts';
import { httpSysChangeSchema } from '../iis/http-sys/settings.ts';
import { describeWithDocker, useContainerFarm } from '../lab/testing/vitest.ts';

/**
 * A member in a container gets live changes as the lab parsed them: a script as written (a parsed
 * one cannot cross a process; the member process parses it once) and http.sys settings as typed
 * values it does not read again (30000 ms read again as a timeSpan would be 30000 seconds).
 */
await describeWithDocker('container member: live changes as parsed values', () => {
  const farm = useContainerFarm({ members: [{ name: 'member1' }] });

  it('a script set live serves as written, seen by the client and in the member\'s log', async () => {
    await farm().lab.member('member1').setScript(scriptSchema.parse([{ route: '/', do: [{ respond: { status: 203 } }] }]));
    expect((await farm().get('/', 's1')).status).toBe(203);
    await farm().settle();
    expect(farm().records('member1', 's1').map((r) => r.kind === 'w3c' && r.entry['sc-status'])).toEqual([203]);
  }, 60_000);

  it('a connectionTimeout set live closes an idle connection after that nominal time, not the default two minutes', async () => {
    const { lab } = farm();
    await lab.member('member1').setHttpSys(httpSysChangeSchema.parse({ connectionTimeout: '00:00:05' }));
    const { host, port } = lab.member('member1').endpoint;
    const socket = connect({ host, port });
    const closed = new Promise<string>((resolve, reject) => socket.on('close', () => resolve('closed')).on('error', reject));
    // The member's clock and the lab's share a scale: closed after about 5 s nominal, long before the default 120 s.
    const giveUp = new AbortController();
    const open = lab.clock.sleep(60_000, giveUp.signal).then(() => 'open after 60 s', () => 'closed');
    const outcome = await Promise.race([closed, open]);
    giveUp.abort();
    socket.destroy();
    expect(outcome).toBe('closed');
    await farm().settle();
    // What the member process logged, as it reports it over the control port.
    expect(lab.member('member1').connectionEvents()).toEqual({ Timer_ConnectionIdle: 1 });
  }, 60_000);
});
