/**
 * What travels between players: a list of typed arrays with public shapes,
 * addressed by operation id and step. The network validates frames (dtype,
 * shape, byte length) but knows nothing of what the words mean.
 */

/** Element types on the wire. */
export type WireDtype = 'u64' | 'u8';

/** A tensor as the network sees it. `RingTensor` satisfies this shape. */
export interface WireTensor {
  readonly shape: readonly number[];
  readonly data: BigUint64Array | Uint8Array;
}

/** One message's content. */
export type Payload = readonly WireTensor[];

/** What a receiver expects: the shapes are public, so every frame is checked. */
export interface WireSpec {
  readonly dtype: WireDtype;
  readonly shape: readonly number[];
}

/** Address of a message within a session. */
export interface MessageKey {
  /** Operation id, identical on every player (see {@link OpIdCounter}). */
  readonly op: number;
  /** Step within the operation. */
  readonly step: number;
}

/**
 * Whether a message is on the critical path (its round counts), dealer
 * preprocessing sent ahead of time (bytes count, rounds do not), or flow
 * control that carries no data (the servers' acknowledgements that pace the
 * dealer: not counted, so a program's cost does not depend on its pacing).
 */
export type TrafficKind = 'online' | 'preprocessing' | 'control';

/**
 * Flow-control messages (traffic kind 'control') use operation id 0, which no
 * operation takes, and steps from here on: no abort of a real operation can
 * cancel them. They carry no tensor.
 */
export const CONTROL_STEP = 2 ** 31;

/** How a receive waits. */
export interface ReceiveOptions {
  /**
   * `false`: no silence timeout; the receive waits until the message arrives,
   * the peer is lost or the transport closes. For messages whose timing
   * depends on how far the peer has got, not on whether it is alive (the
   * dealer window's acknowledgements); liveness is the heartbeat's job.
   * Default `true`.
   */
  readonly timeout?: boolean;
}

export function dtypeOf(t: WireTensor): WireDtype {
  return t.data instanceof BigUint64Array ? 'u64' : 'u8';
}

export function describeKey(key: MessageKey): string {
  return `operation ${key.op} step ${key.step}`;
}
