import { inProcessDriver } from '../../lab/in-process-driver.ts';
import { CONTROLLER_NAME } from '../../lab/lab.ts';
import { farmSchema, type FarmInput } from '../../proxy/farm-config.ts';
import { options, serve } from './child.ts';
import { hostContext, served } from './lab-host.ts';

/**
 * The ARR controller in a process of its own, so its CPU can be read alone. It is started by the
 * lab's own driver, exactly as `Lab.start` starts it, so every feature the lab turns on for a
 * controller (ARR headers, W3SVC logging, health monitor, and FREB once it exists) is measured.
 */
interface ControllerOptions {
  root: string;
  timeScale: number;
  farm: FarmInput;
  member: { host: string; port: number };
  /** Where profiles go: `<profile>.cpuprofile`, `<profile>.heapprofile`. */
  profile?: string;
}

const o = options<ControllerOptions>();
await serve(async () => {
  const context = hostContext(o.root, o.timeScale, { member1: o.member });
  const farm = farmSchema.parse({ ...o.farm, servers: [{ address: 'member1' }] });
  const controller = await inProcessDriver.startController({ kind: 'controller', name: CONTROLLER_NAME, farm }, context);
  return served(controller, context, o.profile);
});
