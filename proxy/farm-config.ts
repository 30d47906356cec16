import { z } from 'zod';
import { timeSpanSchema } from '../core/duration-schema.ts';

/**
 * A web farm as ARR configures it (reference §1). Attribute names and defaults are those of
 * applicationHost.config's `webFarms` section, so a farm written here reads like the XML and the
 * XML loader maps onto it one to one. timeSpan values are held in nominal milliseconds.
 */
export const protocolSchema = z
  .object({
    timeout: timeSpanSchema.default(30_000),
    keepAlive: z.boolean().default(true),
    preserveHostHeader: z.boolean().default(true),
    xForwardedForHeaderName: z.string().default('X-Forwarded-For'),
    includePortInXForwardedFor: z.boolean().default(true),
    arrResponseHeader: z.boolean().default(true),
    sslHeaderName: z.string().default('X-ARR-SSL'),
    clientCertHeaderName: z.string().default('X-ARR-ClientCert'),
    logGuidName: z.string().default('X-ARR-LOG-ID'),
    maxForwards: z.number().int().min(0).default(10),
    /** KB ARR retains before it sends to the client (responseBufferLimit). */
    responseBufferLimit: z.number().int().min(0).max(4194303).default(4096),
    maxResponseHeaderSize: z.number().int().min(1).default(65536),
  })
  .strict();

export const availabilitySchema = z.enum(['Available', 'Unavailable']);
export type Availability = z.output<typeof availabilitySchema>;

export const serverSchema = z
  .object({
    address: z.string().min(1),
    enabled: z.boolean().default(true),
    weight: z.number().int().min(1).max(4294967295).default(100),
    httpPort: z.number().int().min(1).max(65535).default(80),
    /** Runtime availability (the Monitoring page's Availability column). */
    availability: availabilitySchema.default('Available'),
  })
  .strict();

export const loadBalancingSchema = z
  .object({
    algorithm: z.enum(['WeightedRoundRobin']).default('WeightedRoundRobin'),
  })
  .strict();

export const farmSchema = z
  .object({
    name: z.string().min(1).default('myServerFarm'),
    enabled: z.boolean().default(true),
    passServerHeader: z.enum(['Replace', 'Remove', 'PassThrough']).default('Replace'),
    servers: z.array(serverSchema).default([]),
    protocol: protocolSchema.default(protocolSchema.parse({})),
    loadBalancing: loadBalancingSchema.default(loadBalancingSchema.parse({})),
  })
  .strict();

export type FarmConfig = z.output<typeof farmSchema>;
export type FarmInput = z.input<typeof farmSchema>;
export type ServerConfig = z.output<typeof serverSchema>;
export type ProtocolConfig = z.output<typeof protocolSchema>;
