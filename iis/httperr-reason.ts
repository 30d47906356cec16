/**
 * The HTTPERR `s-reason` values the host model writes (docs/reference.md §6.4), plus the count-prefixed
 * `<n>_Connections_Refused`. The lab's decoder documents each; this union keeps the writers honest.
 */
export type HttpErrReason =
  | 'AppOffline' | 'AppPoolTimer' | 'AppShutdown' | 'BadRequest' | 'Client_Reset'
  | 'Connection_Abandoned_By_AppPool' | 'Connection_Abandoned_By_ReqQueue' | 'Connection_Dropped'
  | 'Connection_Dropped_List_Full' | 'ConnLimit' | 'Disabled' | 'EntityTooLarge' | 'FieldLength' | 'Forbidden'
  | 'Header' | 'Hostname' | 'Internal' | 'Invalid_CR/LF' | 'LengthRequired' | 'N/A' | 'N/I' | 'Number'
  | 'Precondition' | 'QueueFull' | 'RequestLength' | 'Timer_AppPool' | 'Timer_ConnectionIdle' | 'Timer_EntityBody'
  | 'Timer_HeaderWait' | 'Timer_MinBytesPerSecond' | 'Timer_ReqQueue' | 'Timer_Response' | 'Timer_SslRenegotiation'
  | 'URL' | 'URL_Length' | 'Verb' | 'Version_N/S' | 'NotFound'
  | `${number}_Connections_Refused`;
