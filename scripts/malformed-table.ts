// Prints docs/http-sys-front.md's table of malformed requests (see lab/docs/malformed-table.ts).
import { malformedTable } from '../lab/docs/malformed-table.ts';

console.log(malformedTable());
