/**
 * The service's own messages between its players (manifest, batch
 * announcements, deal requests, bundles), on the transport the protocol
 * uses, so they share its connections, handshake, TLS and failure detection.
 *
 * Each ordered pair of players is a stream of messages under one operation
 * id reserved when the players meet (the first id of the session, so every
 * player accepts it): message n travels as frames of steps 3n, 3n+1, 3n+2:
 * its JSON length and tensor count (u64[2]), its JSON (u8, with the shapes of
 * its tensors), then the tensors. The receiver learns each frame's shapes
 * before it asks for the frame, as the transport requires. Messages count as
 * preprocessing traffic (they are not protocol rounds).
 *
 * A player that sent nothing to a peer for `heartbeatMs` sends a heartbeat,
 * so that a receive waiting on an idle stream never times out while the
 * peer is alive; a peer silent past the transport's timeout is lost.
 */
import { z } from 'zod';
import { ProtocolError } from '../errors.js';
import type { Config, Payload, WireSpec, WireTensor } from '../network/index.js';
import { SharedModelSpec } from '../models/shares-io.js';
import { describeIssue } from './wire.js';

const MAX_JSON_BYTES = 4 * 2 ** 20;
const MAX_TENSORS = 1 << 16;
const count = z.int().min(0).max(2 ** 31);
const size = z.int().min(1).max(4096);

const TensorSpec = z.strictObject({ dtype: z.enum(['u64', 'u8']), shape: z.array(z.int().min(0).max(2 ** 31)).max(8) });

/** A shared model's spec with its fingerprint and sharing id, as it travels. */
export const SharedModelSchema = SharedModelSpec.extend({ fingerprint: z.string().regex(/^[0-9a-f]{64}$/), sharingId: z.string().regex(/^[0-9a-f]{32}$/) });

/** A comparison method (PondOptions.comparison), as the serving section and the manifest carry it. */
export const ComparisonSchema = z.enum(['adder', 'fss']);

/** What the leading server tells the others when they meet: the model (none yet: the epoch only waits), the batch sizes and the comparison method. */
export const Manifest = z.strictObject({
  type: z.literal('manifest'),
  model: SharedModelSchema.optional(),
  sizes: z.array(size).min(1).max(32),
  comparison: ComparisonSchema,
});

export const MeshMessage = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('heartbeat') }),
  Manifest,
  /** The answer to a manifest: ok, or why this player cannot serve it. */
  z.strictObject({ type: z.literal('manifest-reply'), ok: z.boolean(), reason: z.string().max(1000) }),
  /** A batch, in order: its size class, the bundle it uses and its queries (ids and rows), row by row. */
  z.strictObject({
    type: z.literal('batch'),
    seq: count,
    size,
    bundle: count,
    queries: z.array(z.strictObject({ id: z.string().regex(/^[0-9a-f]{32}$/), rows: z.int().min(1).max(4096) })).min(1).max(4096),
  }),
  /** The leading server asks the crypto producer for `count` bundles of batch size `size`. */
  z.strictObject({ type: z.literal('deal'), size, count: z.int().min(1).max(1000), urgent: z.boolean() }),
  /**
   * One server's half of a bundle: the seed, then server 1's corrections as
   * one tensor of words, cut by the shapes listed here (each key with its
   * tensors' shapes, in order).
   */
  z.strictObject({
    type: z.literal('bundle'),
    id: count,
    size,
    requests: count,
    corrections: z.array(z.strictObject({ key: z.string().regex(/^\d+:\d+$/), shapes: z.array(z.array(z.int().min(0).max(2 ** 31)).max(8)).min(1).max(64) })).max(1 << 16),
  }),
]);
export type MeshMessage = z.infer<typeof MeshMessage>;

const Envelope = z.strictObject({ message: z.unknown(), tensors: z.array(TensorSpec).max(MAX_TENSORS) });

/** A message and its tensors. */
export interface Received {
  readonly message: MeshMessage;
  readonly tensors: Payload;
}

export class MeshChannel {
  private readonly sent = new Map<string, number>();
  private readonly received = new Map<string, number>();
  private readonly lastSent = new Map<string, number>();
  private readonly timer: ReturnType<typeof setInterval>;

  /**
   * `op` is the operation id every player reserved for the service's
   * messages; `peers` are the players this one talks to.
   */
  constructor(
    private readonly config: Config,
    private readonly op: number,
    readonly self: string,
    readonly peers: readonly string[],
    heartbeatMs: number,
  ) {
    for (const p of peers) this.lastSent.set(p, Date.now());
    this.timer = setInterval(() => {
      const now = Date.now();
      for (const p of peers) if (now - (this.lastSent.get(p) ?? 0) >= heartbeatMs) this.send(p, { type: 'heartbeat' });
    }, Math.max(10, Math.floor(heartbeatMs / 2)));
    this.timer.unref?.();
  }

  /** Sends `message` with `tensors` to `to` (never blocks). */
  send(to: string, message: MeshMessage, tensors: readonly WireTensor[] = []): void {
    const n = this.sent.get(to) ?? 0;
    this.sent.set(to, n + 1);
    this.lastSent.set(to, Date.now());
    const json = new TextEncoder().encode(JSON.stringify({ message, tensors: tensors.map((t) => ({ dtype: t.data instanceof BigUint64Array ? 'u64' : 'u8', shape: [...t.shape] })) }));
    const t = this.config.transport;
    t.send(this.self, to, { op: this.op, step: 3 * n }, [{ shape: [2], data: BigUint64Array.of(BigInt(json.byteLength), BigInt(tensors.length)) }], 'preprocessing');
    t.send(this.self, to, { op: this.op, step: 3 * n + 1 }, [{ shape: [json.byteLength], data: json }], 'preprocessing');
    if (tensors.length > 0) t.send(this.self, to, { op: this.op, step: 3 * n + 2 }, tensors, 'preprocessing');
  }

  /** Writes what was sent to `to` now instead of at the end of this tick (see Transport.flush). */
  flush(to: string): void {
    this.config.transport.flush?.(to);
  }

  /**
   * The next message from `from` that is not a heartbeat. Rejects with a
   * PeerLostError when `from` is lost or silent past the timeout, and with a
   * ProtocolError for a malformed message.
   */
  async receive(from: string): Promise<Received> {
    for (;;) {
      const r = await this.receiveOne(from);
      if (r.message.type !== 'heartbeat') return r;
    }
  }

  private async receiveOne(from: string): Promise<Received> {
    const n = this.received.get(from) ?? 0;
    this.received.set(from, n + 1);
    const t = this.config.transport;
    const [head] = await t.receive(this.self, from, { op: this.op, step: 3 * n }, [{ dtype: 'u64', shape: [2] }]);
    const words = head.data as BigUint64Array;
    const jsonBytes = Number(words[0]);
    const tensorCount = Number(words[1]);
    if (jsonBytes > MAX_JSON_BYTES || tensorCount > MAX_TENSORS) throw new ProtocolError(`mesh message from '${from}': ${jsonBytes} bytes of JSON and ${tensorCount} tensors exceed the limits`);
    const [body] = await t.receive(this.self, from, { op: this.op, step: 3 * n + 1 }, [{ dtype: 'u8', shape: [jsonBytes] }]);
    let parsed: unknown;
    try {
      parsed = JSON.parse(new TextDecoder().decode(body.data as Uint8Array));
    } catch {
      throw new ProtocolError(`mesh message from '${from}' is not valid JSON`);
    }
    const envelope = Envelope.safeParse(parsed);
    if (!envelope.success || envelope.data.tensors.length !== tensorCount) throw new ProtocolError(`mesh message from '${from}': malformed envelope`);
    const message = MeshMessage.safeParse(envelope.data.message);
    if (!message.success) throw new ProtocolError(`mesh message from '${from}' failed its schema: ${describeIssue(message.error)}`);
    const specs: WireSpec[] = envelope.data.tensors;
    const tensors = tensorCount === 0 ? [] : await t.receive(this.self, from, { op: this.op, step: 3 * n + 2 }, specs);
    return { message: message.data, tensors };
  }

  /** Stops the heartbeats. */
  close(): void {
    clearInterval(this.timer);
  }
}
