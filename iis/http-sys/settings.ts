import { z } from 'zod';
import { timeSpanSchema } from '../../core/duration-schema.ts';

/**
 * A host's http.sys and app-pool limits, with the IIS names and defaults (docs/reference.md §2.2, §6.5).
 * `concurrency` is the lab's name for how many requests the worker process runs at once (its
 * threads); requests beyond it wait in the app pool's http.sys queue.
 */
export const httpSysSchema = z
  .object({
    /** applicationPools/add/@queueLength: requests waiting in http.sys; beyond it QueueFull. */
    queueLength: z.number().int().min(10).max(65535).default(1000),
    /** Requests the worker runs at once; the rest wait in the queue. */
    concurrency: z.number().int().min(1).max(100_000).default(5000),
    /** serverRuntime/@appConcurrentRequestLimit: beyond it IIS answers 503.2. */
    appConcurrentRequestLimit: z.number().int().min(1).max(4294967295).default(5000),
    /** sites/site/limits/@maxConnections: beyond it http.sys answers 503 ConnLimit. */
    maxConnections: z.number().int().min(1).max(4294967295).default(4294967295),
    /** failure/@loadBalancerCapabilities: HttpLevel answers a full queue with 503, TcpLevel resets the connection. */
    loadBalancerCapabilities: z.enum(['HttpLevel', 'TcpLevel']).default('HttpLevel'),
    /**
     * sites/site/limits/@connectionTimeout: how long a connection may wait for a request
     * (Timer_ConnectionIdle, or Timer_HeaderWait when part of one arrived) and a request may wait
     * in the queue (Timer_ReqQueue).
     */
    connectionTimeout: timeSpanSchema.default(120_000),
    /**
     * webLimits/@minBytesPerSecond: a response the client takes in slower than this is cut once
     * the time to send all of it at this rate has passed (Timer_MinBytesPerSecond); 0 turns it off.
     */
    minBytesPerSecond: z.number().int().min(0).max(4294967295).default(240),
    /**
     * http.sys keeps a list of dropped connections; when more are dropped than it holds, they are
     * logged as Connection_Dropped_List_Full (BLOG-BENPERK [S]). Its size and how long an entry
     * stays are not documented: these are the lab's [U].
     */
    droppedListSize: z.number().int().min(1).max(1_000_000).default(1000),
    droppedListWindow: timeSpanSchema.default(60_000),
    /**
     * HKLM\System\CurrentControlSet\Services\HTTP\Parameters (KB 820129 [V]): MaxFieldLength, the
     * longest request line or header line (a longer URL is 414 URL_Length, a longer header 400
     * FieldLength); MaxRequestBytes, request line and headers together (400 RequestLength).
     */
    maxFieldLength: z.number().int().min(64).max(65534).default(16384),
    maxRequestBytes: z.number().int().min(256).max(16777216).default(16384),
    /** UrlSegmentMaxLength and UrlSegmentMaxCount (KB 820129 [V]): beyond either, 400 URL. */
    urlSegmentMaxLength: z.number().int().min(0).max(32766).default(260),
    urlSegmentMaxCount: z.number().int().min(0).max(16383).default(255),
    /**
     * Headers one request may carry. http.sys documents no such limit (MaxRequestBytes bounds it
     * in practice); the lab's switch for testing a front that has one, 0 = none [U].
     */
    maxHeaderCount: z.number().int().min(0).default(0),
    /**
     * A header continued on the next line (obs-fold): no source shows what http.sys does with it [U].
     * Refused by default (400 Header); `accept` joins the lines as RFC 9112 permits.
     */
    obsFold: z.enum(['reject', 'accept']).default('reject'),
    /**
     * Lines ended by LF alone: accepted since Windows Server 2003 SP1 and not configurable
     * (W32-PARSER [V]); `reject` models the stricter parser before it (400 Invalid_CR/LF [U]).
     */
    bareLf: z.enum(['reject', 'accept']).default('accept'),
    /**
     * The registry's parsing exceptions (W32-PARSEEXC [V]), all off as Windows ships: lower-case
     * verbs (else 400 Verb), separators such as `?` in header names and raw control characters in
     * header values (else 400 Header), raw control characters other than NUL, TAB, CR, LF in the URL
     * (else 400 URL). What each lets through beyond the documented examples is [I].
     */
    allowCaseInsensitiveVerbs: z.boolean().default(false),
    allowWeakHeaderNameSyntax: z.boolean().default(false),
    allowWeakHeaderValueSyntax: z.boolean().default(false),
    allowUnEscapedRestrictedChars: z.boolean().default(false),
    /**
     * An `Expect` other than `100-continue`: no source shows what http.sys does [U]. Ignored by
     * default; `refuse` answers 417 (RFC 9110 allows it), logged `BadRequest` [U].
     */
    unknownExpectation: z.enum(['ignore', 'refuse']).default('ignore'),
  })
  .strict();

export type HttpSysSettings = z.output<typeof httpSysSchema>;
export type HttpSysInput = z.input<typeof httpSysSchema>;

/**
 * A change to a running host's limits: only the settings given, without defaults (zod's
 * `partial()` would fill every other setting with its IIS default and undo earlier changes).
 */
export const httpSysChangeSchema = z
  .object(Object.fromEntries(Object.entries(httpSysSchema.shape).map(([key, setting]) => [key, setting.removeDefault().optional()])) as {
    [K in keyof typeof httpSysSchema.shape]: z.ZodOptional<ReturnType<(typeof httpSysSchema.shape)[K]['removeDefault']>>;
  })
  .strict();
export type HttpSysChange = z.output<typeof httpSysChangeSchema>;

/** The settings after a change: those it gives replace theirs, the others stay. */
export function applyHttpSysChange(settings: HttpSysSettings, change: HttpSysChange): HttpSysSettings {
  return { ...settings, ...Object.fromEntries(Object.entries(change).filter(([, v]) => v !== undefined)) };
}

export const HTTP_SYS_DEFAULTS: HttpSysSettings = httpSysSchema.parse({});

