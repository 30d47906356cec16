import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { XMLBuilder } from 'fast-xml-parser';

/** One record of a host's Windows Application event log. */
export interface EventRecord {
  id: number;
  level: 'Error' | 'Warning' | 'Information';
  /** Nominal epoch ms. */
  at: number;
  provider: string;
  message: string;
}

const LEVEL = { Error: 2, Warning: 3, Information: 4 } as const;

export function eventLogFile(hostRoot: string): string {
  return join(hostRoot, 'Windows', 'System32', 'winevt', 'Logs', 'Application.xml');
}

/**
 * The host's Application event log, exported the way Event Viewer's "Save All Events As… XML"
 * writes it: an `<Events>` root holding `<Event>` elements in the event schema's namespace.
 * The file is written whole when the host stops (nothing is written when there was no event).
 */
export class EventLog {
  readonly records: EventRecord[] = [];

  constructor(
    private readonly root: string,
    private readonly computer: string,
  ) {}

  write(record: EventRecord): void {
    this.records.push(record);
  }

  close(): string | undefined {
    if (this.records.length === 0) return undefined;
    const file = eventLogFile(this.root);
    const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@', format: true, indentBy: ' ', suppressEmptyNode: true });
    const events = this.records.map((r, i) => ({
      '@xmlns': 'http://schemas.microsoft.com/win/2004/08/events/event',
      System: {
        Provider: { '@Name': r.provider },
        EventID: { '@Qualifiers': '0', '#text': r.id },
        Level: LEVEL[r.level],
        Task: 0,
        Keywords: '0x80000000000000',
        TimeCreated: { '@SystemTime': new Date(r.at).toISOString().replace('Z', '000000Z') },
        EventRecordID: i + 1,
        Channel: 'Application',
        Computer: this.computer,
        Security: '',
      },
      EventData: { Data: r.message },
    }));
    const xml = `<?xml version="1.0" encoding="UTF-8"?>\r\n${builder.build({ Events: { Event: events } }).replace(/\r?\n/g, '\r\n')}`;
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(`${file}.tmp`, xml);
    renameSync(`${file}.tmp`, file);
    return file;
  }
}
