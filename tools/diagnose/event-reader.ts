import { XMLParser } from 'fast-xml-parser';

/** A record of an exported Windows event log (Event Viewer "Save All Events As… XML"). */
export interface EventEntry {
  id: number;
  provider: string;
  at: number;
  message: string;
  /** 1-based line of the record's `<EventID>` in the file. */
  line: number;
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  removeNSPrefix: true,
  isArray: (name) => name === 'Event' || name === 'Data',
  parseTagValue: false,
});

interface RawEvent {
  System?: { Provider?: { '@Name'?: string }; EventID?: string | { '#text'?: string }; TimeCreated?: { '@SystemTime'?: string } };
  EventData?: { Data?: (string | { '#text'?: string })[] };
}

export function readEvents(text: string, file: string): EventEntry[] {
  const doc = parser.parse(text) as { Events?: { Event?: RawEvent[] }; Event?: RawEvent[] };
  const events = doc.Events?.Event ?? doc.Event;
  if (!events) throw new Error(`${file}: not an event-log export (no <Events> or <Event> root)`);
  // The parser keeps no positions; the n-th <EventID> of the text is the n-th record's.
  const lines = [...text.matchAll(/<EventID\b/g)].map((m) => text.slice(0, m.index).split('\n').length);
  return events.map((e, i) => {
    const raw = e.System?.EventID;
    const id = Number(typeof raw === 'object' ? raw['#text'] : raw);
    const message = (e.EventData?.Data ?? []).map((d) => (typeof d === 'object' ? (d['#text'] ?? '') : d)).join(' ');
    return { id, provider: e.System?.Provider?.['@Name'] ?? '', at: Date.parse(e.System?.TimeCreated?.['@SystemTime'] ?? ''), message, line: lines[i] ?? 1 };
  });
}
