import type { RequestHandler } from '../iis/host.ts';
import type { HostRequest } from '../iis/host-request.ts';
import respond from './behaviours/respond.ts';
import { Script, type Step } from './script.ts';

/**
 * Runs the steps from `from` on, each once the one before is done: a chain of promises rather than
 * an async loop, so a page waiting in a step keeps no frame of its own. The last step's outcome is
 * the page's: a page that ends without writing anything gets its response ended by the host. Steps
 * that finish at once run on without a promise; undefined when the page is done already.
 */
function runSteps(request: HostRequest, steps: readonly Step[], from: number): Promise<unknown> | undefined {
  for (let i = from; i < steps.length; i++) {
    const step = steps[i]!;
    const result = step.behaviour.run(request, step.options);
    if (result instanceof Promise) return i === steps.length - 1 ? result : result.then((r) => (r === 'end' ? undefined : runSteps(request, steps, i + 1)));
    if (result === 'end') return undefined;
  }
  return undefined;
}

const DEFAULT_STEPS: Step[] = [{ behaviour: respond, options: respond.options.parse(undefined) }];

/**
 * The page a member serves: runs the first matching rule of its script. The script can be
 * replaced while the lab runs; request numbers keep counting across a switch.
 */
export class MemberHandler implements RequestHandler {
  private script!: Script;
  /** Per rule: whether it is the first with its route (where that route's requests are counted). */
  private counted!: boolean[];
  private readonly counts = new Map<string, number>();

  constructor(script: Script = Script.none) {
    this.setScript(script);
  }

  setScript(script: Script): void {
    this.script = script;
    this.counted = script.rules.map((rule, i) => script.rules.findIndex((r) => r.route === rule.route) === i);
  }

  handle(request: HostRequest): Promise<unknown> | undefined {
    const url = request.req.url ?? '/';
    const q = url.indexOf('?');
    const steps = this.stepsFor(q < 0 ? url : url.slice(0, q));
    // The page reads and discards the body, unless a step says it stops reading.
    if (!steps.some((s) => s.behaviour.leavesBodyUnread)) request.req.resume();
    return runSteps(request, steps, 0);
  }

  /**
   * The steps of the first rule that matches (the page waits in them: nothing else of the choice is
   * kept). Every route the path falls under counts the request once, whichever rule runs.
   */
  private stepsFor(path: string): Step[] {
    const { rules } = this.script;
    let steps: Step[] | undefined;
    for (let i = 0; i < rules.length; i++) {
      const rule = rules[i]!;
      if (!path.startsWith(rule.route)) continue;
      const n = this.counted[i] ? this.count(rule.route) : this.counts.get(rule.route)!;
      if (steps === undefined && (!rule.requests || rule.requests(n))) steps = rule.do;
    }
    return steps ?? DEFAULT_STEPS;
  }

  private count(route: string): number {
    const n = (this.counts.get(route) ?? 0) + 1;
    this.counts.set(route, n);
    return n;
  }
}
