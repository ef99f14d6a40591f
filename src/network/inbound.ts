/**
 * What arrives from one authenticated peer as chunk events: chunks are
 * reassembled into frames, each frame is decoded and validated (shapes,
 * byte lengths, an operation id not far ahead of this player) and handed to
 * the mailbox. A peer may make this player hold only so much: frames nobody
 * has received yet plus a frame being reassembled stay within
 * `maxBufferedBytes`, checked before a frame of several chunks is allocated
 * and after each delivery.
 */
import { ProtocolError } from '../errors.js';
import { CHUNK_HEADER_BYTES, peekChunk, Reassembler, type ReassemblyLimits } from './chunk.js';
import { decodeFrame } from './frame.js';
import { CONTROL_STEP, describeKey } from './message.js';
import type { Mailbox } from './transport.js';

/** Most buffers in one chunk event (a header and views of the tensors it spans). */
export const MAX_PARTS = 64;

/** A peer went past its byte budget: not a bad message, a reason to drop the peer. */
export class OverBudget extends Error {}

/** What the reception of one peer's frames needs (a subset of the link's context). */
export interface InboundContext {
  readonly self: string;
  readonly mailbox: Mailbox;
  readonly tag: bigint;
  readonly limits: ReassemblyLimits;
  /** The last operation id this process has issued. */
  readonly currentOp: () => number;
  /** How far past `currentOp` a peer's operation ids may run. */
  readonly maxOpsAhead: number;
  /** Most bytes the peer may make this player hold. */
  readonly maxBufferedBytes: number;
}

export class Inbound {
  private readonly reassembler: Reassembler;

  constructor(
    private readonly peer: string,
    private readonly ctx: InboundContext,
  ) {
    this.reassembler = new Reassembler(ctx.tag, ctx.limits);
  }

  /**
   * One chunk event: one buffer (a chunk of a larger frame, or whole frames
   * back to back), or a header and the data in several buffers. Throws a
   * {@link ProtocolError} for a message that breaks the rules, and
   * {@link OverBudget} when the peer goes past its budget.
   */
  chunk(args: unknown[]): void {
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
  }

  /** Before a frame of several chunks is allocated: with it, the peer's held bytes must stay within the budget. */
  private checkBudget(header: Uint8Array): void {
    const c = peekChunk(header);
    if (c === undefined || c.index !== 0 || c.count <= 1) return;
    const held = this.ctx.mailbox.heldBytes(this.peer);
    if (held + c.frameBytes > this.ctx.maxBufferedBytes) {
      throw new OverBudget(`it started a frame of ${c.frameBytes} bytes while ${held} bytes of its frames wait to be received: more than ${this.ctx.maxBufferedBytes} bytes (maxBufferedBytes)`);
    }
  }

  /** A reassembled frame: decoded, its operation id checked, and delivered. */
  private accept(whole: ReturnType<Reassembler['push']>): void {
    if (whole === undefined) return;
    const frame = decodeFrame(whole.parts, this.ctx.limits.maxFrameBytes, whole.owned);
    const current = this.ctx.currentOp();
    const { op, step } = frame.key;
    // Flow control (op 0): empty, and no more of them than operations a peer may be ahead.
    const control = op === 0 && step >= CONTROL_STEP && step - CONTROL_STEP <= current + this.ctx.maxOpsAhead && frame.payload.length === 0;
    if (!control && (op < 1 || op > current + this.ctx.maxOpsAhead)) {
      throw new ProtocolError(`frame for unknown ${describeKey(frame.key)} (this player is at operation ${current}; accepted: 1 to ${current + this.ctx.maxOpsAhead})`);
    }
    this.ctx.mailbox.deliver(this.peer, this.ctx.self, frame.key, frame.payload);
    const held = this.ctx.mailbox.heldBytes(this.peer);
    if (held > this.ctx.maxBufferedBytes) {
      throw new OverBudget(`${held} bytes of its frames wait to be received: more than ${this.ctx.maxBufferedBytes} bytes (maxBufferedBytes)`);
    }
  }
}

function asBytes(x: unknown): Uint8Array | undefined {
  if (x instanceof Uint8Array) return x;
  if (x instanceof ArrayBuffer) return new Uint8Array(x);
  return undefined;
}
