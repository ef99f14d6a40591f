/**
 * What clients and servers of a prediction service say to each other over
 * socket.io (the client endpoint of each server). Every message is checked
 * against these schemas on arrival. A share travels inside the JSON, as the
 * base64 of its little-endian u64 words: each query and each answer is then
 * one WebSocket message (a binary attachment would make it two, each a write
 * of its own), and any socket.io client can speak it.
 *
 * - `tfe:info` (client asks, with an acknowledgement): the server's role, its
 *   readiness and the served model's public shapes. Servers also push it
 *   when it changes.
 * - `tfe:query` {v, id, shape, share}, acknowledged by a {@link Reply} (with
 *   the server's share of the prediction when ok). `id` is the client's
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

/**
 * Base64 of u64 words. Its alphabet is checked when it is decoded against the
 * shape ({@link base64ToWords}), not by a regular expression here: a regex
 * over a query's 8 KB of text cost a server more CPU than the rest of parsing.
 */
const Share = z.string().max(64 * 2 ** 20);

export const QueryMeta = z.strictObject({ v: z.literal(SERVING_VERSION), id: QueryId, shape: dims, share: Share });
export type QueryMeta = z.infer<typeof QueryMeta>;

export const CancelMeta = z.strictObject({ id: QueryId });

export const FAILURES = ['busy', 'unavailable', 'invalid_query', 'unauthorized', 'lost', 'timeout', 'mismatch', 'failed'] as const;

export const Reply = z.discriminatedUnion('ok', [
  z.strictObject({ ok: z.literal(true), id: QueryId, shape: dims, fracBits: z.int().min(0).max(62), share: Share }),
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

interface BufferLike {
  from(data: ArrayBufferLike | string, offset?: number | string, length?: number): Uint8Array & { toString(encoding: string): string; write(text: string, offset: number, length: number, encoding: string): number };
}
/** Node's Buffer where there is one (much faster base64), else atob/btoa. */
const NodeBuffer = (globalThis as { Buffer?: BufferLike }).Buffer;

/** The base64 of u64 words. */
export function wordsToBase64(words: BigUint64Array): string {
  if (NodeBuffer !== undefined) return NodeBuffer.from(words.buffer, words.byteOffset, words.byteLength).toString('base64');
  const bytes = new Uint8Array(words.buffer, words.byteOffset, words.byteLength);
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

/**
 * u64 words from base64 (fresh, aligned memory), or undefined unless `text` is
 * the padded standard base64 of exactly `count` words. Node's decoder skips
 * what is not base64 (and stops at a '=' inside), so a text of the right
 * length with any such character decodes to fewer bytes and is refused; the
 * URL alphabet's '-' and '_', which it would take for '+' and '/', are refused
 * by a search. atob throws on anything outside the alphabet.
 */
export function base64ToWords(text: string, count: number): BigUint64Array | undefined {
  const bytes = count * 8;
  if (text.length !== 4 * Math.ceil(bytes / 3)) return undefined;
  const out = new BigUint64Array(count);
  if (NodeBuffer !== undefined) {
    if (text.includes('-') || text.includes('_')) return undefined;
    // Written straight into the words' memory: no intermediate buffer.
    return NodeBuffer.from(out.buffer).write(text, 0, bytes, 'base64') === bytes && decodedLength(text) === bytes ? out : undefined;
  }
  let bin: string;
  try {
    bin = atob(text);
  } catch {
    return undefined;
  }
  if (bin.length !== bytes) return undefined;
  const view = new Uint8Array(out.buffer);
  for (let i = 0; i < bytes; i++) view[i] = bin.charCodeAt(i);
  return out;
}

/** Bytes that padded base64 of this length and padding holds. */
function decodedLength(text: string): number {
  const pad = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  return (text.length / 4) * 3 - pad;
}
