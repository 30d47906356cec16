import { scriptSchema } from '../../backends/script.ts';
import { inProcessDriver } from '../../lab/in-process-driver.ts';
import { options, serve } from './child.ts';
import { hostContext, served } from './lab-host.ts';

/** A farm member in a process of its own, built by the lab's driver, running a member script. */
interface MemberOptions {
  root: string;
  timeScale: number;
  script: unknown;
  /** Where profiles go: `<profile>.cpuprofile`, `<profile>.heapprofile`. */
  profile?: string;
}

const o = options<MemberOptions>();
await serve(async () => {
  const context = hostContext(o.root, o.timeScale);
  const member = await inProcessDriver.startMember({ kind: 'member', name: 'member1', script: scriptSchema.parse(o.script), offline: false }, context);
  return served(member, context, o.profile);
});
