// Prints the farm-settings table of docs/arr-model.md (see lab/docs/settings-table.ts).
import { settingsTable } from '../lab/docs/settings-table.ts';

console.log(settingsTable());
