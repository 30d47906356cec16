// Writes docs/scenario.schema.json and docs/scenarios.md from the zod scenario schema
// (lab/docs/scenario-reference.ts). `npm run schema`; test/scenario-schema.test.ts checks both are current.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scenarioReferenceMarkdown, scenarioSchemaText, staleDescriptions, undocumentedKeys } from '../lab/docs/scenario-reference.ts';

const missing = undocumentedKeys();
const stale = staleDescriptions();
if (missing.length > 0 || stale.length > 0) {
  if (missing.length > 0) console.error(`keys without a description (add them to lab/docs/scenario-descriptions.ts):\n  ${missing.join('\n  ')}`);
  if (stale.length > 0) console.error(`descriptions of keys that no longer exist:\n  ${stale.join('\n  ')}`);
  process.exit(1);
}
const docs = join(import.meta.dirname, '..', 'docs');
writeFileSync(join(docs, 'scenario.schema.json'), scenarioSchemaText());
writeFileSync(join(docs, 'scenarios.md'), `${scenarioReferenceMarkdown()}\n`);
console.log('wrote docs/scenario.schema.json and docs/scenarios.md');
