import type { MemberHandle } from '../../host-driver.ts';
import type { Lab } from '../../lab.ts';

/** A member that is a real host (a container), the only kind a real fault can be applied to. */
export function realHost(lab: Lab, name: string): Required<MemberHandle> {
  const member = lab.member(name);
  if (!member.fault || !member.heal) throw new Error(`member ${name} runs in this process: real faults need runtime: containers`);
  return member as Required<MemberHandle>;
}
