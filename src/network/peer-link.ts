/**
 * One authenticated connection to one peer, as the socket transport sees it:
 * a queue of outgoing socket messages (sends never block; they wait here
 * until the handshake is done), incoming chunks (handed to {@link Inbound}),
 * control messages, and the link's state, from connecting to closed or lost.
 * A message that breaks the rules is rejected, logged without its content,
 * and dropped: a rogue or broken peer cannot crash or corrupt this player; a
 * peer that goes past a bound is dropped altogether.
 */
import { PeerLostError, ProtocolError, setFailureOrigin } from '../errors.js';
import { splitFrame, type ReassemblyLimits } from './chunk.js';
import { Control, failError, originError } from './control.js';
import { encodeFrameParts } from './frame.js';
import { Inbound, OverBudget } from './inbound.js';
import { nextTask } from './next-task.js';
import { describeIssue, EVENTS } from './handshake.js';
import { describeKey, type MessageKey, type Payload } from './message.js';
import type { Mailbox } from './transport.js';

/** What a link needs of a socket.io socket (server or client side). */
export interface Wire {
  emit(event: string, ...args: unknown[]): unknown;
  disconnect(): unknown;
}

/** Chunks at most this big travel as one buffer (header and data copied together): fewer socket messages. */
const SMALL_CHUNK = 64 * 1024;
/** Rejections logged per link before the log goes quiet. */
const MAX_LOGGED = 20;

/**
 * connecting: not yet authenticated; open: frames flow; closed: an orderly
 * end (the peer said bye or fail, or this player ended the link); lost: the
 * peer disconnected, went silent, never connected or was refused.
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
  /** Told when the peer failed or was lost (not during this player's own destroy). */
  readonly onFailure: (error: PeerLostError) => void;
  /** Whether this player is being destroyed: then a disconnect is expected. */
  readonly destroying: () => boolean;
}

export class PeerLink {
  state: LinkState = 'connecting';
  /** How the peer ended: bye (its program is done, everything it sent has arrived) or fail. */
  peerEnded: 'bye' | 'fail' | undefined;
  /** What became of the last incoming connection claiming to be this peer, if refused (for the give-up message). */
  refusal: string | undefined;
  /** When anything (a frame, a ping) last came from the peer. */
  private lastHeard = Date.now();
  private wire: Wire | undefined;
  private queue: unknown[][] = [];
  /** Small frames waiting for the end of the tick (headers and data, in order). */
  private bundle: Uint8Array[] = [];
  private bundleBytes = 0;
  private seq = 0;
  private rejections = 0;
  private readonly inbound: Inbound;
  private readonly settled: Array<() => void> = [];

  constructor(
    readonly peer: string,
    /** Where the peer listens, for messages. */
    readonly address: string,
    private readonly ctx: LinkContext,
  ) {
    this.inbound = new Inbound(peer, ctx);
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
      else if (this.bundle.length === c.parts.length + 1) nextTask(() => this.flushBundle());
      return;
    }
    this.flushBundle();
    for (const c of chunks) {
      // Views of the tensors themselves: large data is never copied on the way out.
      this.emit([EVENTS.chunk, Buffer.from(c.header.buffer, c.header.byteOffset, c.header.byteLength), ...c.parts.map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength))]);
    }
  }

  /** Writes the queued small frames now (see Transport.flush). */
  flush(): void {
    this.flushBundle();
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
    this.lastHeard = Date.now();
    const queued = this.queue;
    this.queue = [];
    for (const args of queued) wire.emit(...(args as [string, ...unknown[]]));
    this.settle();
  }

  /** Something came from the peer (any packet, pings included). */
  heard(): void {
    this.lastHeard = Date.now();
  }

  /**
   * The peer is gone for good: receives from it fail, naming it and the
   * operation, and the transport is told (a lost peer fails the computation).
   * `why` says how: never connected, refused, disconnected, silent, dropped.
   */
  lose(why: string): void {
    if (this.state === 'lost' || this.state === 'closed') return;
    this.state = 'lost';
    this.queue = [];
    const peer = this.peer;
    const waited = this.ctx.mailbox.waitingFor(peer);
    this.ctx.mailbox.fail(peer, (to, key) => {
      const text = `'${to}' lost '${peer}' (${why}) and cannot receive ${describeKey(key)} from it`;
      const e = new PeerLostError(peer, text);
      setFailureOrigin(e, { player: peer, op: key.op, code: 'peer_lost', text });
      return e;
    });
    const text = `'${this.ctx.self}' lost '${peer}': ${why}${waited === undefined ? '' : ` ('${this.ctx.self}' was waiting for ${describeKey(waited)} from it)`}`;
    const failure = new PeerLostError(peer, text);
    setFailureOrigin(failure, { player: peer, op: waited?.op ?? 0, code: 'peer_lost', text });
    this.wire?.disconnect();
    this.settle();
    this.ctx.onFailure(failure);
  }

  /** The socket went away: the end of the link if the peer had ended or this player is being destroyed, else a loss. */
  disconnected(reason: string): void {
    if (this.state !== 'open') return;
    if (this.peerEnded !== undefined || this.ctx.destroying()) {
      this.state = 'closed';
      this.settle();
      return;
    }
    // engine.io's heartbeat: the peer answered nothing for most of the timeout (a stopped process).
    const why = reason === 'ping timeout' ? `silent for ${Date.now() - this.lastHeard} ms` : `disconnected: ${reason}`;
    this.ctx.log(`lost '${this.peer}': ${why}`);
    this.lose(why);
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
   * Orderly end, one side of a barrier: a bye after everything queued, which
   * the peer acknowledges once it has read all of it; then the link waits for
   * the peer's own bye (its program is done too), however long the peer
   * computes: a live peer answers heartbeats, a stopped or dead one is lost
   * within the timeout. Resolves when both byes are through, or when the link
   * is lost or the peer failed (the transport knows the failure then).
   */
  async close(): Promise<void> {
    await this.whenSettled();
    const wire = this.wire;
    if (this.state !== 'open' || wire === undefined) return;
    let acknowledged = false;
    void this.emitAcknowledged(wire, { type: 'bye' }, this.ctx.timeoutMs).then((ok) => {
      if (!ok && this.state === 'open') this.lose(`silent: it did not acknowledge the end within ${this.ctx.timeoutMs} ms`);
      acknowledged = true;
      this.settle();
    });
    while (this.state === 'open' && !(acknowledged && this.peerEnded !== undefined)) await new Promise<void>((resolve) => this.settled.push(resolve));
    if (this.state === 'open') this.state = 'closed';
    wire.disconnect();
    this.settle();
  }

  /**
   * Hard end, without bye: the peer sees a loss. With `failure`, the peer is
   * first told why (briefly waiting for its acknowledgement), so that its
   * errors name the root cause; a link still connecting is waited for (at
   * most until the transport gives up on it) so that the peer learns it too.
   */
  async destroy(failure?: Control): Promise<void> {
    this.queue = [];
    if (failure !== undefined) await this.whenSettled();
    const wire = this.wire;
    // A peer that said bye still waits for this one in its barrier: it must learn the failure too.
    if (failure !== undefined && this.state === 'open' && wire !== undefined && this.peerEnded !== 'fail') {
      // Wait for the acknowledgement itself: socket.io's server drops an event that arrives just
      // before a disconnect (it dispatches events a tick late, once the socket is gone).
      await this.emitAcknowledged(wire, failure, Math.min(this.ctx.timeoutMs, 2000));
    }
    if (this.state === 'open' || this.state === 'connecting') this.state = 'closed';
    wire?.disconnect();
    this.settle();
  }

  /**
   * Sends a control message after everything queued and resolves once the
   * peer acknowledges it (true), or after `ms` or when the link ends (false).
   * The timer is this link's own: socket.io's server keeps an acknowledgement
   * timer running after its socket is gone, which would keep the process alive.
   */
  private emitAcknowledged(wire: Wire, message: Control, ms: number): Promise<boolean> {
    this.flushBundle();
    return new Promise<boolean>((resolve) => {
      let done = false;
      const finish = (ok: boolean): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        resolve(ok);
      };
      const timer = setTimeout(() => finish(false), ms);
      wire.emit(EVENTS.control, message, () => finish(true));
      const untilEnd = (): void => {
        if (done) return;
        if (this.state === 'open') this.settled.push(untilEnd);
        else finish(false);
      };
      this.settled.push(untilEnd);
    });
  }

  // ------------------------------------------------------------ incoming

  /** A chunk event: handled by {@link Inbound}; a bad message is rejected, a peer over its budget dropped. */
  onChunk(args: unknown[]): void {
    this.heard();
    try {
      this.inbound.chunk(args);
    } catch (e) {
      if (e instanceof OverBudget) this.drop(e.message);
      else this.reject(e);
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

  /** A control event, with socket.io's acknowledgement callback when asked. */
  onControl(message: unknown, ack: unknown): void {
    this.heard();
    const r = Control.safeParse(message);
    if (!r.success) {
      this.reject(new ProtocolError(`control message failed its schema: ${describeIssue(r.error)}`));
      return;
    }
    const m = r.data;
    switch (m.type) {
      case 'abort':
        this.ctx.mailbox.failOp(this.peer, m.op, originError(m.origin));
        return;
      case 'fail': {
        if (this.peerEnded !== undefined) return;
        this.peerEnded = 'fail'; // the disconnect that follows is expected
        const e = failError(this.peer, m.origin);
        this.ctx.mailbox.fail(this.peer, e);
        if (typeof ack === 'function') (ack as () => void)();
        this.settle();
        this.ctx.onFailure(e);
        return;
      }
      case 'bye':
        if (this.peerEnded !== undefined) return;
        this.peerEnded = 'bye';
        // Everything the peer sent is in: whatever is still awaited will never come.
        this.ctx.mailbox.fail(this.peer, (to, key) => {
          const text = `'${this.peer}' finished and closed; '${to}' still waits for ${describeKey(key)} from it`;
          const e = new PeerLostError(this.peer, text);
          setFailureOrigin(e, { player: this.peer, op: key.op, code: 'peer_lost', text });
          return e;
        });
        if (typeof ack === 'function') (ack as () => void)();
        this.settle();
        return;
      case 'progress':
        this.ctx.mailbox.touch(this.peer);
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
