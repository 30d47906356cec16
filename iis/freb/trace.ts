/**
 * Failed Request Tracing events as a host buffers them for one request (docs/reference.md §7). A field
 * keeps its kind so the writer formats it the way iisfreb.dll does: booleans `true`/`false`,
 * numbers in decimal, GUIDs as strings, and an `errorCode` (an HRESULT) in decimal with its
 * FormatMessage text in the rendering.
 */
export type FieldKind = 'string' | 'number' | 'boolean' | 'guid' | 'errorCode' | 'notification';

export interface TraceField {
  name: string;
  value: string | number | boolean;
  kind: FieldKind;
  /** For an errorCode: its FormatMessage text, when the code is not one the host model knows. */
  text?: string;
}

/** The trace areas of the `WWW Server` provider used here (DOC-TRACEPROV; RequestRouting's bit is not documented). */
export const AREAS = { RequestNotifications: 0x100, Module: 0x200, Rewrite: 0x400, RequestRouting: 0 } as const;
export type Area = keyof typeof AREAS;

export const LEVELS = { CriticalError: 1, Error: 2, Warning: 3, Informational: 4, Verbose: 5 } as const;
export type Level = keyof typeof LEVELS;

export interface TraceEvent {
  name: string;
  area: Area;
  level: Level;
  /** Nominal epoch ms. */
  at: number;
  /** The fields, or how to make them: most traces are never written, so they are built on demand. */
  fields: TraceField[] | (() => TraceField[]);
}

export function fieldsOf(event: TraceEvent): TraceField[] {
  return typeof event.fields === 'function' ? event.fields() : event.fields;
}

export const str = (name: string, value: string): TraceField => ({ name, value, kind: 'string' });
export const num = (name: string, value: number): TraceField => ({ name, value, kind: 'number' });
export const bool = (name: string, value: boolean): TraceField => ({ name, value, kind: 'boolean' });
export const errorCode = (name: string, hresult: number, text?: string): TraceField => ({ name, value: hresult >>> 0, kind: 'errorCode', text });

/**
 * The request notifications (httpserv.h `RQ_*` flags) as FREB writes a `Notification` field: the
 * flag in the data, its name in the rendering (the IIS docs' sample: `1` rendered `BEGIN_REQUEST`).
 */
const NOTIFICATIONS = [
  'BEGIN_REQUEST', 'AUTHENTICATE_REQUEST', 'AUTHORIZE_REQUEST', 'RESOLVE_REQUEST_CACHE', 'MAP_REQUEST_HANDLER', 'ACQUIRE_REQUEST_STATE',
  'PRE_EXECUTE_REQUEST_HANDLER', 'EXECUTE_REQUEST_HANDLER', 'RELEASE_REQUEST_STATE', 'UPDATE_REQUEST_CACHE', 'LOG_REQUEST', 'END_REQUEST',
] as const;

/** A Notification field from the pipeline-stage name the error page shows (`ExecuteRequestHandler`). */
export function notification(name: string, stage: string): TraceField {
  const text = stage.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase();
  const bit = NOTIFICATIONS.indexOf(text as (typeof NOTIFICATIONS)[number]);
  if (bit < 0) throw new Error(`unknown request notification ${stage}`);
  return { name, value: 2 ** bit, kind: 'notification', text };
}
