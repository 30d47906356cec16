import { monitorEventLoopDelay } from 'node:perf_hooks';
import { LabClock } from '../../core/clock.ts';
import { randomIds } from '../../core/ids.ts';
import { DEFAULT_FREB_RULE } from '../../iis/freb/freb-log.ts';
import { httpSysSchema } from '../../iis/http-sys/settings.ts';
import { StaticDirectory, type Endpoint } from '../../proxy/member-directory.ts';
import type { HostContext, HostHandle } from '../../lab/host-driver.ts';
import { memoryReading, type Served } from './child.ts';
import { profilerCommands } from './profiler.ts';

/**
 * A host context as `Lab.start` makes one (lab/lab.ts), with the lab's default Failed Request
 * Tracing rule, for a process that is one lab host with its own clock.
 */
export function hostContext(root: string, timeScale: number, members: Record<string, Endpoint> = {}): HostContext {
  const directory = new StaticDirectory();
  for (const [name, endpoint] of Object.entries(members)) directory.set(name, endpoint);
  // Load runs keep log counts, not every record in memory (the files have every line).
  return {
    root, clock: new LabClock({ scale: timeScale }), ids: randomIds, directory, freb: DEFAULT_FREB_RULE, retainRecords: false,
    // The bench measures the proxy, not IIS's limits: raised as ARR deployments raise them, so that
    // 10,000 held requests are not queued or refused (503.2) by the app pool's defaults.
    httpSys: httpSysSchema.parse({ concurrency: 100_000, appConcurrentRequestLimit: 100_000, queueLength: 65535 }),
  };
}

/** What every lab-host child reports and how it stops; with `profile`, it profiles on request. */
export function served(host: HostHandle, context: HostContext, profile?: string): Served {
  // How late the event loop runs what is due: what any timer, the lab clock's included, waits on top of its delay.
  const loopDelay = monitorEventLoopDelay({ resolution: 1 });
  loopDelay.enable();
  return {
    ready: { port: host.endpoint.port, pid: process.pid },
    commands: {
      stats: () => ({ accepted: host.accepted, logged: host.logged, rss: process.memoryUsage().rss }),
      memory: () => memoryReading(host.accepted),
      /** Event-loop delay (ms) since the last call. */
      'loop-delay': () => {
        const ms = (ns: number) => ns / 1e6;
        const out = { p50: ms(loopDelay.percentile(50)), p99: ms(loopDelay.percentile(99)), max: ms(loopDelay.max) };
        loopDelay.reset();
        return out;
      },
      ...(profile ? profilerCommands(profile) : {}),
    },
    async stop() {
      loopDelay.disable();
      await host.stop();
      context.clock.dispose();
    },
  };
}
