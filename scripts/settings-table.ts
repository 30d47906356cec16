// Prints the README's farm-settings table (see lab/docs/settings-table.ts).
import { settingsTable } from '../lab/docs/settings-table.ts';

console.log(settingsTable());
