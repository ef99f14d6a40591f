/**
 * The seam between protocols and networks. A protocol talks to other players
 * only through a {@link Transport}; the in-memory one (one process) and the
 * socket.io one (several processes) implement the same interface.
 */
import { PeerLostError, ProtocolError } from '../errors.js';
import type { TrafficCounters } from './counters.js';
import { describeKey, dtypeOf, type MessageKey, type Payload, type ReceiveOptions, type TrafficKind, type WireSpec } from './message.js';

export interface Transport {
  /** Players whose part of the program runs in this process. */
  readonly localPlayers: ReadonlySet<string>;
  /** Bytes, messages and rounds sent by the local players. */
  readonly counters: TrafficCounters;
  /**
   * Sends from a local player; never blocks (messages queue until delivered).
   * The payload must not be modified afterwards.
   */
  send(from: string, to: string, key: MessageKey, payload: Payload, kind: TrafficKind): void;
  /**
   * Writes what the local player queued for `to` now rather than at the end
   * of the current tick (where small messages of one tick travel together).
   * For a message another player waits on before it can start its own work.
   */
  flush?(to: string): void;
  /**
   * Resolves with the message `from` sent to the local player `to` under
   * `key`, checked against `expect`. Rejects with a ProtocolError for a
   * malformed message and a PeerLostError when `from` is gone or silent past
   * the timeout (unless `options.timeout` is false).
   */
  receive(to: string, from: string, key: MessageKey, expect: readonly WireSpec[], options?: ReceiveOptions): Promise<Payload>;
  /**
   * Tells every player that the local player `from` failed in operation `op`,
   * so receives of that operation's messages from it fail at once instead of
   * timing out. The error's message travels; it must hold nothing secret.
   */
  abort(from: string, op: number, error: Error): void;
  /** Releases connections and timers; pending receives reject. */
  close(): Promise<void>;
}

function fmtShape(s: readonly number[]): string {
  return `[${s.join(',')}]`;
}

/** Throws unless `payload` matches `expect` in count, dtype and shape. */
export function checkPayload(payload: Payload, expect: readonly WireSpec[], from: string, key: MessageKey): void {
  const what = `message from '${from}' for ${describeKey(key)}`;
  if (payload.length !== expect.length) {
    throw new ProtocolError(`${what} has ${payload.length} tensors, expected ${expect.length}`);
  }
  payload.forEach((t, i) => {
    const e = expect[i];
    const dtype = dtypeOf(t);
    if (dtype !== e.dtype || t.shape.length !== e.shape.length || t.shape.some((d, j) => d !== e.shape[j])) {
      throw new ProtocolError(`${what}: tensor ${i} is ${dtype} ${fmtShape(t.shape)}, expected ${e.dtype} ${fmtShape(e.shape)}`);
    }
  });
}

function payloadBytes(payload: Payload): number {
  return payload.reduce((acc, t) => acc + t.data.byteLength, 0);
}

/** The error for a receive by `to` of message `key` from a lost peer. */
export type LostError = (to: string, key: MessageKey) => Error;

interface Waiter {
  resolve(p: Payload): void;
  reject(e: Error): void;
  timer: ReturnType<typeof setTimeout> | undefined;
  expect: readonly WireSpec[];
}

/**
 * Matches deliveries with receives by (from, to, op, step), whichever comes
 * first, so frames may arrive early and in any order. Shared by transports.
 */
export class Mailbox {
  private readonly arrived = new Map<string, Payload>();
  private readonly waiting = new Map<string, Waiter>();
  private readonly lost = new Map<string, LostError>();
  /** Operations a peer reported failed: `${from}\u0000${op}` -> error (recent ones only). */
  private readonly failedOps = new Map<string, Error>();
  /** Bytes of the frames in `arrived`, per sender: what a peer makes this player hold. */
  private readonly held = new Map<string, number>();
  /** When each peer last showed progress (a message, or a progress notice). */
  private readonly progressed = new Map<string, number>();
  private closed: Error | undefined;

  /**
   * `silence` makes the error of a receive that timed out (a transport knows
   * whether the peer ever connected); by default the peer "sent nothing".
   */
  constructor(
    private readonly timeoutMs: number,
    private readonly silence?: (from: string, to: string, key: MessageKey, timeoutMs: number) => Error,
  ) {}

  private static slot(from: string, to: string, key: MessageKey): string {
    return `${from}\u0000${to}\u0000${key.op}\u0000${key.step}`;
  }

  /**
   * `peer` is making progress (it sent something, to anyone): receives from
   * it wait on. A receive times out only after `timeoutMs` without progress
   * from its sender, so a message that comes late because the program issued
   * much work before it (the result of a long computation, asked for when it
   * was issued) is not mistaken for a lost peer, while a peer that stops or
   * waits forever is still found within `timeoutMs`.
   */
  touch(peer: string): void {
    this.progressed.set(peer, Date.now());
  }

  /** Hands a message to its receiver (now or when it asks). */
  deliver(from: string, to: string, key: MessageKey, payload: Payload): void {
    this.touch(from);
    const slot = Mailbox.slot(from, to, key);
    const w = this.waiting.get(slot);
    if (w !== undefined) {
      this.waiting.delete(slot);
      clearTimeout(w.timer);
      try {
        checkPayload(payload, w.expect, from, key);
        w.resolve(payload);
      } catch (e) {
        w.reject(e as Error);
      }
      return;
    }
    if (this.arrived.has(slot)) {
      throw new ProtocolError(`'${from}' sent a second message to '${to}' for ${describeKey(key)}`);
    }
    this.arrived.set(slot, payload);
    this.held.set(from, this.heldBytes(from) + payloadBytes(payload));
  }

  /** Bytes of the messages from `from` that arrived and that nobody has received yet. */
  heldBytes(from: string): number {
    return this.held.get(from) ?? 0;
  }

  /** Drops the messages from `from` that nobody has received yet. */
  discard(from: string): void {
    for (const slot of [...this.arrived.keys()]) if (slot.startsWith(`${from}\u0000`)) this.arrived.delete(slot);
    this.held.delete(from);
  }

  take(to: string, from: string, key: MessageKey, expect: readonly WireSpec[], options: ReceiveOptions = {}): Promise<Payload> {
    const slot = Mailbox.slot(from, to, key);
    const ready = this.arrived.get(slot);
    if (ready !== undefined) {
      this.arrived.delete(slot);
      this.held.set(from, this.heldBytes(from) - payloadBytes(ready));
      try {
        checkPayload(ready, expect, from, key);
        return Promise.resolve(ready);
      } catch (e) {
        return Promise.reject(e as Error);
      }
    }
    const gone = this.closed ?? (this.lost.get(from) ?? this.lost.get(to))?.(to, key) ?? this.failedOps.get(`${from}\u0000${key.op}`);
    if (gone !== undefined) return Promise.reject(gone);
    if (this.waiting.has(slot)) {
      return Promise.reject(new ProtocolError(`'${to}' is already waiting for ${describeKey(key)} from '${from}'`));
    }
    return new Promise<Payload>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, timer: undefined, expect };
      const arm = (armedAt: number, ms: number): void => {
        waiter.timer = setTimeout(() => {
          const last = this.progressed.get(from) ?? 0;
          if (last > armedAt) {
            // The sender moved on since: wait `timeoutMs` from its last progress.
            arm(Date.now(), Math.max(1, last + this.timeoutMs - Date.now()));
            return;
          }
          this.waiting.delete(slot);
          reject(this.silence?.(from, to, key, this.timeoutMs) ?? new PeerLostError(from, `'${from}' sent nothing to '${to}' for ${describeKey(key)} within ${this.timeoutMs} ms`));
        }, ms);
      };
      if (options.timeout !== false) arm(Date.now(), this.timeoutMs);
      this.waiting.set(slot, waiter);
    });
  }

  /** Fails pending and future receives of operation `op` from `peer`. */
  failOp(peer: string, op: number, error: Error): void {
    this.failedOps.set(`${peer}\u0000${op}`, error);
    if (this.failedOps.size > 1024) this.failedOps.delete(this.failedOps.keys().next().value as string);
    const prefix = `${peer}\u0000`;
    for (const [slot, w] of this.waiting) {
      const parts = slot.split('\u0000');
      if (slot.startsWith(prefix) && parts[2] === String(op)) {
        this.waiting.delete(slot);
        clearTimeout(w.timer);
        w.reject(error);
      }
    }
  }

  /**
   * Fails every pending and future receive from or by `peer`. `error` may be a
   * function of the receiver and the message key, so that each error names
   * the operation it interrupted.
   */
  fail(peer: string, error: Error | LostError): void {
    const make = typeof error === 'function' ? error : (): Error => error;
    this.lost.set(peer, make);
    for (const [slot, w] of this.waiting) {
      const [from, to, op, step] = slot.split('\u0000');
      if (from === peer || to === peer) {
        this.waiting.delete(slot);
        clearTimeout(w.timer);
        w.reject(make(to, { op: Number(op), step: Number(step) }));
      }
    }
  }

  /** The first message `to` is waiting for from `from`, if any. */
  waitingFor(from: string): MessageKey | undefined {
    for (const slot of this.waiting.keys()) {
      const [f, , op, step] = slot.split('\u0000');
      if (f === from) return { op: Number(op), step: Number(step) };
    }
    return undefined;
  }

  /** Whether `peer` was failed (lost or closed). */
  isLost(peer: string): boolean {
    return this.lost.has(peer);
  }

  /** Fails everything pending; later receives fail at once. */
  close(error: Error): void {
    this.closed = error;
    for (const [slot, w] of this.waiting) {
      this.waiting.delete(slot);
      clearTimeout(w.timer);
      w.reject(error);
    }
    this.arrived.clear();
    this.held.clear();
  }

  get pending(): number {
    return this.waiting.size;
  }
}
