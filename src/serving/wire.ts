/**
 * What clients and servers of a prediction service say to each other over
 * socket.io (the client endpoint of each server). Every message is checked
 * against these schemas on arrival; a share travels as one binary attachment
 * of little-endian u64 words.
 *
 * - `tfe:info` (client asks, with an acknowledgement): the server's role, its
 *   readiness and the served model's public shapes. Servers also push it
 *   when it changes.
 * - `tfe:query` {v, id, shape} + share bytes, acknowledged by a {@link Reply}
 *   (+ the server's share of the prediction when ok). `id` is the client's
 *   fresh random id of the query, the same at both servers.
 * - `tfe:cancel` {id}: the client gave up on a query; the server frees its place.
 */
import { z } from 'zod';

/** Version of the client protocol. */
export const SERVING_VERSION = 1;

export const EV = {
  info: 'tfe:info',
  query: 'tfe:query',
  cancel: 'tfe:cancel',
  error: 'tfe:error',
} as const;

/** A query id: 16 random bytes as lowercase hex. */
export const QueryId = z.string().regex(/^[0-9a-f]{32}$/, 'expected a query id of 32 lowercase hex digits');

const dims = z.array(z.int().min(1).max(1 << 24)).min(1).max(8);

export const QueryMeta = z.strictObject({ v: z.literal(SERVING_VERSION), id: QueryId, shape: dims });
export type QueryMeta = z.infer<typeof QueryMeta>;

export const CancelMeta = z.strictObject({ id: QueryId });

export const FAILURES = ['busy', 'unavailable', 'invalid_query', 'unauthorized', 'lost', 'timeout', 'mismatch', 'failed'] as const;

export const Reply = z.discriminatedUnion('ok', [
  z.strictObject({ ok: z.literal(true), id: QueryId, shape: dims, fracBits: z.int().min(0).max(62) }),
  z.strictObject({ ok: z.literal(false), id: QueryId.optional(), reason: z.enum(FAILURES), message: z.string().max(1000) }),
]);
export type Reply = z.infer<typeof Reply>;

export const ModelInfoSchema = z.strictObject({
  name: z.string().max(256),
  fingerprint: z.string().regex(/^[0-9a-f]{64}$/),
  sharingId: z.string().regex(/^[0-9a-f]{32}$/),
  inputShape: z.array(z.int().min(1)).max(8),
  outputShape: z.array(z.int().min(1)).max(8),
  fracBits: z.int().min(0).max(31),
});

export const Info = z.strictObject({
  v: z.literal(SERVING_VERSION),
  server: z.string().max(64),
  shareIndex: z.union([z.literal(0), z.literal(1)]),
  /** Whether queries are answered now. */
  ready: z.boolean(),
  /** Why not, when not ready. */
  status: z.string().max(500),
  model: ModelInfoSchema.optional(),
  /** Most rows in one query. */
  maxRows: z.int().min(1),
  /** Inputs outside it are refused by clients (optional). */
  inputRange: z.tuple([z.number(), z.number()]).optional(),
  /** Counters of the current epoch (batches, queries, ...), for monitoring. */
  stats: z.record(z.string().max(64), z.number()).optional(),
  /** Epochs begun since the server started. */
  epochs: z.int().min(0).optional(),
});
export type Info = z.infer<typeof Info>;

/** First issue of a failed parse, as `field: problem`. */
export function describeIssue(error: z.ZodError): string {
  const first = error.issues[0];
  return `${first.path.length === 0 ? 'message' : first.path.map(String).join('.')}: ${first.message}`;
}

/** Bytes of a binary socket.io attachment (Node: Buffer; browsers: ArrayBuffer), or undefined. */
export function bytesOf(x: unknown): Uint8Array | undefined {
  if (x instanceof Uint8Array) return x;
  if (x instanceof ArrayBuffer) return new Uint8Array(x);
  return undefined;
}

/** u64 words from bytes (copied: an attachment need not be 8-aligned). */
export function wordsOf(bytes: Uint8Array): BigUint64Array {
  const out = new BigUint64Array(bytes.byteLength / 8);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}

/** The bytes of u64 words, as a view. */
export function bytesOfWords(words: BigUint64Array): Uint8Array {
  return new Uint8Array(words.buffer, words.byteOffset, words.byteLength);
}
