import { classify } from './failure-classification.ts';
import type { Failure } from './failure.ts';
import type { ForwardSink } from './forwarder.ts';
import type { RelayOutcome } from './response-relay.ts';
import type { ServerRuntime } from './server-state.ts';

/** Makes the sink of one attempt; `done` receives that attempt's outcome. */
export type SinkFor = (done: (outcome: RelayOutcome) => void) => ForwardSink;

export interface RetryOptions {
  /** farm `lab.retryOnConnectFailure`. */
  enabled: boolean;
  /** The balancer's pick among the servers that may take the request and are not in `tried`. */
  next(tried: ReadonlySet<ServerRuntime>): ServerRuntime | undefined;
  /** The client's response: the sink of the attempt whose outcome the client gets. */
  relay: SinkFor;
  /** One trip to one server, with that server's bookkeeping; resolves with the attempt's outcome. */
  attempt(server: ServerRuntime, sink: SinkFor): Promise<RelayOutcome>;
}

/**
 * Whether ARR tries another member after a failed connect is undocumented (docs/reference.md §1.11,
 * §10 q1), so it is a lab switch. Switched on, an attempt that fails before a byte of the request
 * left (the resolve and connect phases) is repeated on the balancer's next pick among the members
 * not yet tried, each attempt with its own phase timeouts, until one connects or none is left.
 * Only the last attempt reaches the client and the controller's log (one W3SVC line for the
 * request); the earlier ones show in their members' counters. A failure after the connection was
 * up is never retried: the member may have acted on the request.
 */
export function forwardWithRetry(first: ServerRuntime, options: RetryOptions): Promise<unknown> {
  // Without retries the one attempt is the whole trip: no frame of this function waits on it.
  if (!options.enabled) return options.attempt(first, (done) => options.relay(done));
  return retrying(first, options);
}

async function retrying(first: ServerRuntime, options: RetryOptions): Promise<void> {
  const tried = new Set<ServerRuntime>();
  for (let server: ServerRuntime | undefined = first; server; ) {
    tried.add(server);
    let retryOn: ServerRuntime | undefined;
    await options.attempt(server, (done) => {
      const relay = options.relay(done);
      return {
        onResponse: (...args) => relay.onResponse(...args),
        onData: (chunk) => relay.onData(chunk),
        onComplete: () => relay.onComplete(),
        onFailure: (failure) => {
          retryOn = failedBeforeSending(failure) ? options.next(tried) : undefined;
          if (!retryOn) return relay.onFailure(failure);
          const row = classify(failure);
          done({ failure: row, observed: failure, status: row.status, bytesReceived: 0 });
        },
      };
    });
    // The caller counted `first` when it routed the request; a retry target counts when picked.
    retryOn?.started();
    server = retryOn;
  }
}

/** Nothing of the request reached the member: it never saw it, so another member may take it. */
function failedBeforeSending(failure: Failure): boolean {
  return (failure.phase === 'resolve' || failure.phase === 'connect') && failure.kind !== 'aborted';
}
