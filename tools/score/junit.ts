import { XMLBuilder } from 'fast-xml-parser';
import type { Outcome } from './metrics.ts';

/**
 * JUnit XML for a tool's CI: one test case per bundle, failing when the bundle's class or any
 * failing request's class is wrong, so a regression fails the build that ran `arr-lab score`.
 */
export function junitXml(tool: string, outcomes: readonly Outcome[], seconds: number): string {
  const cases = outcomes.map((o) => {
    const wrong = o.requests.filter((r) => r.truth !== r.predicted && (r.truth !== 'healthy' || r.predicted !== 'healthy'));
    const problems = [
      ...(o.error ? [`no usable answer: ${o.error}`] : []),
      ...(o.truth !== o.predicted ? [`bundle: expected ${o.truth}, answered ${o.predicted}`] : []),
      ...wrong.map((r) => `${r.key}: expected ${r.truth}, answered ${r.predicted}`),
    ];
    return {
      '@_name': o.bundle,
      '@_classname': `arr-lab.fixtures.${o.truth}`,
      ...(problems.length > 0 && { failure: { '@_message': problems[0], '@_type': 'misdiagnosis', '#text': problems.join('\n') } }),
    };
  });
  const failures = cases.filter((c) => 'failure' in c).length;
  const builder = new XMLBuilder({ ignoreAttributes: false, format: true, indentBy: '  ', suppressEmptyNode: true });
  const body = builder.build({
    testsuites: {
      '@_name': 'arr-lab score',
      '@_tests': cases.length,
      '@_failures': failures,
      testsuite: { '@_name': tool, '@_tests': cases.length, '@_failures': failures, '@_errors': 0, '@_time': seconds.toFixed(3), testcase: cases },
    },
  }) as string;
  return `<?xml version="1.0" encoding="UTF-8"?>\n${body}`;
}
