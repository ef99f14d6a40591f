/**
 * One authenticated connection to one peer, as the socket transport sees it:
 * a queue of outgoing socket messages (sends never block; they wait here
 * until the handshake is done), the reassembly of incoming chunks into
 * validated frames, control messages, and the link's state. A message that
 * breaks the rules is rejected, logged without its content, and dropped: a
 * rogue or broken peer cannot crash or corrupt this player.
 */
import { PeerLostError, ProtocolError } from '../errors.js';
import { CHUNK_HEADER_BYTES, peekChunk, splitFrame, Reassembler, type ReassemblyLimits } from './chunk.js';
import { abortError, Control, failError } from './control.js';
import { decodeFrame, encodeFrameParts } from './frame.js';
import { describeIssue, EVENTS } from './handshake.js';
import { describeKey, type MessageKey, type Payload } from './message.js';
import type { Mailbox } from './transport.js';

/** What a link needs of a socket.io socket (server or client side). */
export interface Wire {
  emit(event: string, ...args: unknown[]): unknown;
  timeout(ms: number): { emit(event: string, ...args: unknown[]): unknown };
  disconnect(): unknown;
}

/** Chunks at most this big travel as one buffer (header and data copied together): fewer socket messages. */
const SMALL_CHUNK = 64 * 1024;
/** Most buffers in one chunk event (a header and views of the tensors it spans). */
export const MAX_PARTS = 64;
/** Runs `fn` once the current tick's microtasks are done (setImmediate where it exists). */
const afterMicrotasks: (fn: () => void) => void =
  typeof setImmediate === 'function' ? (fn) => void setImmediate(fn) : (fn) => void setTimeout(fn, 0);
/** Rejections logged per link before the log goes quiet. */
const MAX_LOGGED = 20;

/**
 * connecting: not yet authenticated; open: frames flow; closed: an orderly
 * end (either side said bye); lost: the peer disconnected, failed to connect
 * or was refused.
 */
export type LinkState = 'connecting' | 'open' | 'closed' | 'lost';

/** Settings shared by the links of one transport. */
export interface LinkContext {
  readonly self: string;
  readonly mailbox: Mailbox;
  readonly tag: bigint;
  readonly chunkBytes: number;
  readonly limits: ReassemblyLimits;
  readonly timeoutMs: number;
  /** The last operation id this process has issued. */
  readonly currentOp: () => number;
  /** How far past `currentOp` a peer's operation ids may run. */
  readonly maxOpsAhead: number;
  /** Most bytes a peer may make this player hold: frames nobody has received yet, and the frame being reassembled. */
  readonly maxBufferedBytes: number;
  readonly log: (message: string) => void;
}

export class PeerLink {
  state: LinkState = 'connecting';
  /** The peer said bye: everything it sent has arrived. */
  peerDone = false;
  private wire: Wire | undefined;
  private queue: unknown[][] = [];
  /** Small frames waiting for the end of the tick (headers and data, in order). */
  private bundle: Uint8Array[] = [];
  private bundleBytes = 0;
  private seq = 0;
  private rejections = 0;
  private readonly reassembler: Reassembler;
  private readonly settled: Array<() => void> = [];

  constructor(
    readonly peer: string,
    /** Where the peer listens, for messages. */
    readonly address: string,
    private readonly ctx: LinkContext,
  ) {
    this.reassembler = new Reassembler(ctx.tag, ctx.limits);
  }

  /** Queues a frame for the peer (sent at once when the link is open). */
  sendFrame(key: MessageKey, payload: Payload): void {
    if (this.state === 'closed' || this.state === 'lost') return; // nobody will read it
    const chunks = splitFrame(encodeFrameParts(key, payload), this.seq++, this.ctx.tag, this.ctx.chunkBytes);
    if (chunks.length === 1 && chunks[0].bytes <= SMALL_CHUNK) {
      // Small whole frames sent within one tick travel together (see flushBundle).
      const c = chunks[0];
      this.bundle.push(c.header, ...c.parts);
      this.bundleBytes += c.header.byteLength + c.bytes;
      if (this.bundleBytes >= SMALL_CHUNK) this.flushBundle();
      else if (this.bundle.length === c.parts.length + 1) afterMicrotasks(() => this.flushBundle());
      return;
    }
    this.flushBundle();
    for (const c of chunks) {
      // Views of the tensors themselves: large data is never copied on the way out.
      this.emit([EVENTS.chunk, Buffer.from(c.header.buffer, c.header.byteOffset, c.header.byteLength), ...c.parts.map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength))]);
    }
  }

  /**
   * Sends the small single-chunk frames queued in this tick as one socket
   * message (their headers say where each ends): a burst of the dealer's
   * corrections becomes one write instead of dozens. Runs right after the
   * tick's microtasks, before anything else the peer is sent.
   */
  private flushBundle(): void {
    if (this.bundle.length === 0) return;
    const parts = this.bundle;
    this.bundle = [];
    this.bundleBytes = 0;
    this.emit([EVENTS.chunk, Buffer.concat(parts)]);
  }

  sendControl(message: Control): void {
    if (this.state === 'closed' || this.state === 'lost') return;
    this.flushBundle();
    this.emit([EVENTS.control, message]);
  }

  private emit(args: unknown[]): void {
    if (this.state === 'open' && this.wire !== undefined) this.wire.emit(...(args as [string, ...unknown[]]));
    else this.queue.push(args);
  }

  /** The handshake succeeded: flush the queue in order. */
  open(wire: Wire): void {
    if (this.state !== 'connecting') return;
    this.wire = wire;
    this.state = 'open';
    const queued = this.queue;
    this.queue = [];
    for (const args of queued) wire.emit(...(args as [string, ...unknown[]]));
    this.settle();
  }

  /** The peer is gone for good: receives from it fail, naming it and the operation. */
  lose(why: string): void {
    if (this.state === 'lost' || this.state === 'closed') return;
    this.state = 'lost';
    this.queue = [];
    this.ctx.mailbox.fail(this.peer, (to, key) => new PeerLostError(this.peer, `lost '${this.peer}' (${why}); '${to}' cannot receive ${describeKey(key)} from it`));
    this.wire?.disconnect();
    this.settle();
  }

  /** The socket went away; a loss unless one side had said bye. */
  disconnected(reason: string, closing: boolean): void {
    if (this.state !== 'open') return;
    if (this.peerDone || closing) {
      this.state = 'closed';
      this.settle();
      return;
    }
    this.ctx.log(`lost the connection to '${this.peer}' (${reason})`);
    this.lose(`disconnected: ${reason}`);
  }

  /** Resolves once the link is no longer connecting. */
  whenSettled(): Promise<void> {
    if (this.state !== 'connecting') return Promise.resolve();
    return new Promise((resolve) => this.settled.push(resolve));
  }

  private settle(): void {
    for (const f of this.settled.splice(0)) f();
  }

  /**
   * Orderly end: a bye after everything queued, answered by the peer once it
   * has read all of it, then the socket closes. Bounded by the timeout.
   */
  async close(): Promise<void> {
    await this.whenSettled();
    const wire = this.wire;
    if (this.state !== 'open' || wire === undefined) return;
    if (!this.peerDone) {
      await new Promise<void>((resolve) => {
        this.flushBundle();
        wire.timeout(this.ctx.timeoutMs).emit(EVENTS.control, { type: 'bye' }, () => resolve());
        this.settled.push(resolve);
      });
    }
    if (this.state === 'open') this.state = 'closed';
    wire.disconnect();
  }

  /**
   * Hard end, without bye: the peer sees a loss. With `failure`, the peer is
   * first told why (briefly waiting for its acknowledgement), so that its
   * errors name the cause rather than this player.
   */
  async destroy(failure?: Control): Promise<void> {
    this.queue = [];
    const wire = this.wire;
    if (failure !== undefined && this.state === 'open' && wire !== undefined && !this.peerDone) {
      await new Promise<void>((resolve) => {
        this.flushBundle();
        wire.timeout(Math.min(this.ctx.timeoutMs, 2000)).emit(EVENTS.control, failure, () => resolve());
        this.settled.push(resolve);
      });
    }
    if (this.state === 'open' || this.state === 'connecting') this.state = 'closed';
    wire?.disconnect();
    this.settle();
  }

  // ------------------------------------------------------------ incoming

  /** A chunk event: one buffer (header + data), or the header and the data in several buffers. */
  onChunk(args: unknown[]): void {
    try {
      const buffers = args.map(asBytes);
      if (buffers.length === 0 || buffers.length > MAX_PARTS || buffers.some((b) => b === undefined)) {
        throw new ProtocolError(`a chunk must be 1 to ${MAX_PARTS} binary buffers`);
      }
      const [head, ...rest] = buffers as Uint8Array[];
      if (rest.length > 0) {
        this.checkBudget(head);
        this.accept(this.reassembler.push(head, rest));
        return;
      }
      // One buffer: a chunk of a larger frame, or one or more whole frames back to back.
      let at = 0;
      while (at < head.byteLength) {
        const left = head.byteLength - at;
        if (left < CHUNK_HEADER_BYTES) throw new ProtocolError(`${left} stray bytes after the last chunk of a message`);
        const header = head.subarray(at, at + CHUNK_HEADER_BYTES);
        const dv = new DataView(header.buffer, header.byteOffset, CHUNK_HEADER_BYTES);
        const whole = dv.getUint32(20, true) === 1;
        const length = whole ? Number(dv.getBigUint64(24, true)) : left - CHUNK_HEADER_BYTES;
        if (length > left - CHUNK_HEADER_BYTES) throw new ProtocolError(`a chunk declares ${length} bytes but only ${left - CHUNK_HEADER_BYTES} follow`);
        const end = at + CHUNK_HEADER_BYTES + length;
        this.checkBudget(header);
        this.accept(this.reassembler.push(header, [head.subarray(at + CHUNK_HEADER_BYTES, end)]));
        at = end;
      }
    } catch (e) {
      if (e instanceof OverBudget) this.drop(e.message);
      else this.reject(e);
    }
  }

  /**
   * Before a frame of several chunks is allocated: what the peer makes this
   * player hold, with that frame, must stay within the budget.
   */
  private checkBudget(header: Uint8Array): void {
    const c = peekChunk(header);
    if (c === undefined || c.index !== 0 || c.count <= 1) return;
    const held = this.ctx.mailbox.heldBytes(this.peer);
    if (held + c.frameBytes > this.ctx.maxBufferedBytes) {
      throw new OverBudget(`it started a frame of ${c.frameBytes} bytes while ${held} bytes of its frames wait to be received: more than ${this.ctx.maxBufferedBytes} bytes (maxBufferedBytes)`);
    }
  }

  /** The peer's connection broke a rule of the wire itself (its decoder says why): it is cut off. */
  violation(why: string): void {
    this.drop(why);
  }

  /** The peer broke a bound: it is cut off, so that it cannot grow this player's memory further. */
  private drop(why: string): void {
    if (this.state !== 'open') return;
    this.ctx.log(`dropped '${this.peer}': ${why}`);
    this.ctx.mailbox.discard(this.peer);
    this.lose(`dropped: ${why}`);
  }

  /** A reassembled frame: decoded, its operation id checked, and delivered. */
  private accept(whole: ReturnType<Reassembler['push']>): void {
    if (whole === undefined) return;
    const frame = decodeFrame(whole.parts, this.ctx.limits.maxFrameBytes, whole.owned);
    const current = this.ctx.currentOp();
    const { op } = frame.key;
    if (op < 1 || op > current + this.ctx.maxOpsAhead) {
      throw new ProtocolError(`frame for unknown ${describeKey(frame.key)} (this player is at operation ${current}; accepted: 1 to ${current + this.ctx.maxOpsAhead})`);
    }
    this.ctx.mailbox.deliver(this.peer, this.ctx.self, frame.key, frame.payload);
    const held = this.ctx.mailbox.heldBytes(this.peer);
    if (held > this.ctx.maxBufferedBytes) {
      throw new OverBudget(`${held} bytes of its frames wait to be received: more than ${this.ctx.maxBufferedBytes} bytes (maxBufferedBytes)`);
    }
  }

  /** A control event, with socket.io's acknowledgement callback when asked. */
  onControl(message: unknown, ack: unknown): void {
    const r = Control.safeParse(message);
    if (!r.success) {
      this.reject(new ProtocolError(`control message failed its schema: ${describeIssue(r.error)}`));
      return;
    }
    const m = r.data;
    switch (m.type) {
      case 'abort':
        this.ctx.mailbox.failOp(this.peer, m.op, abortError(this.peer, m));
        return;
      case 'fail':
        this.peerDone = true; // the disconnect that follows is expected
        this.ctx.mailbox.fail(this.peer, failError(this.peer, m));
        if (typeof ack === 'function') (ack as () => void)();
        return;
      case 'bye':
        this.peerDone = true;
        // Everything the peer sent is in: whatever is still awaited will never come.
        this.ctx.mailbox.fail(this.peer, (to, key) => new PeerLostError(this.peer, `'${this.peer}' finished and closed; '${to}' still waits for ${describeKey(key)} from it`));
        if (typeof ack === 'function') (ack as () => void)();
        return;
    }
  }

  /** An event that no authenticated peer sends. */
  onUnexpected(event: string): void {
    this.reject(new ProtocolError(`unexpected event ${JSON.stringify(event.slice(0, 40))}`));
  }

  private reject(e: unknown): void {
    this.rejections += 1;
    if (this.rejections > MAX_LOGGED) return;
    const why = e instanceof Error ? e.message : String(e);
    this.ctx.log(`rejected a message from '${this.peer}': ${why}${this.rejections === MAX_LOGGED ? ' (further rejections from it are not logged)' : ''}`);
  }

  /** Rejected messages so far (for tests and diagnostics). */
  get rejected(): number {
    return this.rejections;
  }
}

/** A peer went past its byte budget (not a bad message: the peer is dropped). */
class OverBudget extends Error {}

function asBytes(x: unknown): Uint8Array | undefined {
  if (x instanceof Uint8Array) return x;
  if (x instanceof ArrayBuffer) return new Uint8Array(x);
  return undefined;
}
