/**
 * The HTTPERR `s-reason` values the host model writes (docs/reference.md §6.4), plus the
 * count-prefixed `<n>_Connections_Refused`. The log record's type is this list's, so a writer
 * cannot log a reason missing from it; `arr-lab decode` explains each (and the documented reasons
 * the lab never writes, marked so).
 */
export const HTTPERR_REASONS_WRITTEN = [
  'AppOffline', 'AppPoolTimer', 'AppShutdown', 'BadRequest', 'Client_Reset',
  'Connection_Abandoned_By_ReqQueue', 'Connection_Dropped', 'Connection_Dropped_List_Full', 'ConnLimit', 'Disabled',
  'FieldLength', 'Header', 'Hostname', 'Invalid_CR/LF', 'LengthRequired', 'N/I', 'Number', 'QueueFull', 'RequestLength',
  'Timer_ConnectionIdle', 'Timer_EntityBody', 'Timer_HeaderWait', 'Timer_MinBytesPerSecond', 'Timer_ReqQueue',
  'URL', 'URL_Length', 'Verb', 'Version_N/S',
] as const;

/** `<n>_Connections_Refused`: http.sys counts the connections it refused since the last such line. */
export const CONNECTIONS_REFUSED = 'Connections_Refused';

export type HttpErrReason = (typeof HTTPERR_REASONS_WRITTEN)[number] | `${number}_${typeof CONNECTIONS_REFUSED}`;
