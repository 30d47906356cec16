import type { Command } from 'commander';
import type { ExpectFact } from '../decode/catalog-facts.ts';
import type { Decoded, Reading } from '../decode/decode.ts';
import { EVIDENCE_LABEL, type Cited, type Evidence } from '../decode/evidence.ts';
import { EXIT } from './exit.ts';

export function registerDecodeCommand(program: Command): void {
  program
    .command('decode')
    .description('explain an HRESULT, WinHTTP / Win32 / Winsock number, IIS status.substatus or HTTPERR reason, with the scenarios that produce it')
    .argument('<code>', '0x80072ee2, 2147954402, 12002, 64, 10054, 502.3, 200.0.64, Connection_Dropped, ERROR_WINHTTP_TIMEOUT ...')
    .option('--json', 'print the readings as JSON')
    .action(async (code: string, opts: { json?: boolean }) => {
      process.exitCode = await decodeCommand(code, opts);
    });
}

/**
 * `arr-lab decode <code>`: 0 when the code has at least one reading; 1 when it is a well-formed
 * code the lab has no reading for (like grep finding nothing); 2 when the argument is not a code.
 */
export async function decodeCommand(code: string, opts: { json?: boolean }): Promise<number> {
  // Loaded when the command runs, so that registering it costs `arr-lab --help` nothing.
  const [{ catalogFacts }, { decode, UnknownCodeError }, { NotACodeError }] = await Promise.all([
    import('../decode/facts-cache.ts'), import('../decode/decode.ts'), import('../decode/parse-code.ts'),
  ]);
  let facts: ExpectFact[] = [];
  let catalogError: string | undefined;
  try {
    facts = await catalogFacts();
  } catch (err) {
    // A broken catalog file must not stop a person from decoding a code; say so and go on.
    catalogError = (err as Error).message;
    console.error(`arr-lab decode: the catalog could not be read, so no scenarios are listed:\n${catalogError}`);
  }
  let decoded: Decoded;
  try {
    decoded = decode(code, facts);
  } catch (err) {
    if (err instanceof UnknownCodeError || err instanceof NotACodeError) {
      console.error(`arr-lab decode: ${err.message}`);
      return err instanceof NotACodeError ? EXIT.usage : EXIT.failed;
    }
    throw err;
  }
  console.log(opts.json ? JSON.stringify({ ...decoded, ...(catalogError && { catalogError }) }, null, 2) : render(decoded));
  return 0;
}

const cite = (c: Cited) => `[${c.evidence} ${c.source}]`;

function field(label: string, value: string, indent = 3): string {
  return `${' '.repeat(indent)}${label.padEnd(11)} ${value}`;
}

function renderReading(r: Reading, i: number): string[] {
  const lines = [`${i + 1}. ${r.title}  ${r.name}`];
  if (r.text) lines.push(field('text', `${r.text.text}  ${cite(r.text)}`));
  if (r.meaning) lines.push(field('meaning', `${r.meaning.text}  ${cite(r.meaning)}`));
  for (const n of r.notes) lines.push(field('note', `${n.text}  ${cite(n)}`));
  const width = Math.max(...r.forms.map((f) => f.label.length));
  r.forms.forEach((f, j) => lines.push(field(j === 0 ? 'forms' : '', `${f.label.padEnd(width)}  ${f.value}`)));
  for (const m of r.arr) {
    const how = m.relation === 'reported' ? 'ARR reports it' : 'a trace shows it beneath the reported error';
    lines.push(field('ARR shows', `row ${m.row} [${m.evidence}] (${how}): ${m.observed}`));
    lines.push(field('', `page    ${m.page.heading} / ${m.page.description} / Error Code ${m.page.errorCode} / ${m.page.notification}`));
    lines.push(field('', `W3SVC   ${m.w3svc} (sc-status sc-substatus sc-win32-status)`));
    lines.push(field('', `why     ${m.diagnosis}`));
  }
  if (r.scenarios.length === 0) lines.push(field('scenarios', r.kind === 'wininet' ? '(see the WinHTTP reading)' : 'none in the catalog'));
  if (r.notProducedByLab) lines.push(field('lab', 'never writes it: explained for real logs, not reproducible here'));
  r.scenarios.forEach((s, j) => lines.push(field(j === 0 ? 'scenarios' : '', `${s.scenario}: ${s.where.join('; ')}`)));
  return lines;
}

export function render(d: Decoded): string {
  const count = d.readings.length === 1 ? '1 reading' : `${d.readings.length} readings`;
  const used = new Set<Evidence>(
    d.readings.flatMap((r) => [r.text, r.meaning, ...r.notes].filter((c): c is Cited => c !== undefined).map((c) => c.evidence).concat(r.arr.map((m) => m.evidence))),
  );
  const legend = (Object.keys(EVIDENCE_LABEL) as Evidence[]).filter((e) => used.has(e)).map((e) => `${e} ${EVIDENCE_LABEL[e]}`);
  return [
    `${d.input}: ${d.read}; ${count}`,
    '',
    ...d.readings.flatMap((r, i) => [...renderReading(r, i), '']),
    `Evidence: ${legend.join(', ')}. Sources: docs/reference.md §0.`,
  ].join('\n');
}
