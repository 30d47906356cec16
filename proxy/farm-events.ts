/**
 * The ARR events of the Application log (TN-EVENTS, docs/reference.md §1.9). The texts of 1000 and 1002
 * are the documented ones; the `<reason>` strings and the provider name are not documented.
 */
export interface FarmEvent {
  id: 1000 | 1002;
  level: 'Warning';
  /** Nominal epoch ms. */
  at: number;
  farm: string;
  server?: string;
  message: string;
}

export function markedUnhealthy(at: number, farm: string, server: string, reason: string): FarmEvent {
  return { id: 1000, level: 'Warning', at, farm, server, message: `Server ${server} in server farm ${farm} is being marked unhealthy due to ${reason}.` };
}

export function minimumReached(at: number, farm: string): FarmEvent {
  return {
    id: 1002, level: 'Warning', at, farm,
    message: `Server farm ${farm} has reached its minimum server threshold. No more servers will be marked unhealthy until the number of healthy servers increase.`,
  };
}
