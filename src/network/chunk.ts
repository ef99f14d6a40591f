/**
 * Chunks: how a frame crosses a socket. A frame larger than one chunk is split
 * so that no single socket message exceeds the socket's size limit (a 512 MiB
 * tensor passes in 32 chunks of 16 MiB). Each chunk starts with a 32-byte
 * header: magic, message sequence number, session tag, chunk index, chunk
 * count, frame byte length. The receiver reassembles one message at a time
 * (a connection delivers in order) into a buffer of the declared length,
 * after checking that length against its limit.
 */
import { createHash } from 'node:crypto';
import { ProtocolError } from '../errors.js';

/** First word of every chunk: "TFC1", little-endian. */
export const CHUNK_MAGIC = 0x31434654;
const MAGIC = CHUNK_MAGIC;
/** Bytes of the chunk header. */
export const CHUNK_HEADER_BYTES = 32;
/**
 * Default payload bytes per chunk. A frame of one chunk is decoded where the
 * socket put it; a larger one costs a copy into a reassembly buffer, which at
 * 4 MiB made 8 MiB tensors 1.6-2.4x slower than raw TCP (BENCHMARKS.md).
 */
export const DEFAULT_CHUNK_BYTES = 16 * 2 ** 20;

/** 64-bit tag of a session id, carried by every chunk. */
export function sessionTag(session: string): bigint {
  return createHash('sha256').update(`tfjs-encrypted/session/${session}`).digest().readBigUInt64LE(0);
}

/** One chunk to put on the wire: its header and views of the frame's bytes (no copy). */
export interface Chunk {
  readonly header: Uint8Array;
  readonly parts: readonly Uint8Array[];
  /** Bytes of frame data in `parts`. */
  readonly bytes: number;
}

/**
 * Splits a frame, given as consecutive byte ranges (see `encodeFrameParts`),
 * into chunks of at most `chunkBytes` bytes of frame data each.
 */
export function splitFrame(frame: Uint8Array | readonly Uint8Array[], seq: number, tag: bigint, chunkBytes: number): Chunk[] {
  const parts = frame instanceof Uint8Array ? [frame] : frame;
  const total = parts.reduce((acc, p) => acc + p.byteLength, 0);
  const count = Math.max(1, Math.ceil(total / chunkBytes));
  const chunks: Chunk[] = [];
  let part = 0;
  let offset = 0; // within parts[part]
  for (let i = 0; i < count; i++) {
    const header = new Uint8Array(CHUNK_HEADER_BYTES);
    const dv = new DataView(header.buffer);
    dv.setUint32(0, MAGIC, true);
    dv.setUint32(4, seq >>> 0, true);
    dv.setBigUint64(8, tag, true);
    dv.setUint32(16, i, true);
    dv.setUint32(20, count, true);
    dv.setBigUint64(24, BigInt(total), true);
    const views: Uint8Array[] = [];
    let room = Math.min(chunkBytes, total - i * chunkBytes);
    const bytes = room;
    while (room > 0) {
      const p = parts[part];
      const take = Math.min(room, p.byteLength - offset);
      if (take > 0) views.push(p.subarray(offset, offset + take));
      room -= take;
      offset += take;
      if (offset === p.byteLength) {
        part += 1;
        offset = 0;
      }
    }
    chunks.push({ header, parts: views, bytes });
  }
  return chunks;
}

/** What a chunk header says of its frame (read before anything is allocated for it); undefined for a short header. */
export function peekChunk(header: Uint8Array): { index: number; count: number; frameBytes: number } | undefined {
  if (header.byteLength < CHUNK_HEADER_BYTES) return undefined;
  const dv = new DataView(header.buffer, header.byteOffset, CHUNK_HEADER_BYTES);
  return { index: dv.getUint32(16, true), count: dv.getUint32(20, true), frameBytes: Number(dv.getBigUint64(24, true)) };
}

/** Limits a {@link Reassembler} enforces. */
export interface ReassemblyLimits {
  /** Largest frame accepted, in bytes. */
  readonly maxFrameBytes: number;
  /** Largest chunk payload accepted, in bytes. */
  readonly maxChunkBytes: number;
}

/**
 * A whole frame as consecutive byte ranges; `owned` when nothing else uses
 * their memory, so decoded tensors may view it without copying.
 */
export interface Reassembled {
  readonly parts: readonly Uint8Array[];
  readonly owned: boolean;
}

/**
 * Rebuilds frames from the chunks of one connection. `push` returns a whole
 * frame when its last chunk arrives, `undefined` while one is incomplete, and
 * throws a {@link ProtocolError} for a chunk that breaks the rules; after an
 * error the rest of that message is skipped, so later messages still decode.
 */
export class Reassembler {
  private current: { seq: number; count: number; next: number; buf: Uint8Array; filled: number } | undefined;
  private skipping: number | undefined;

  constructor(
    private readonly tag: bigint,
    private readonly limits: ReassemblyLimits,
  ) {}

  push(header: Uint8Array, parts: readonly Uint8Array[]): Reassembled | undefined {
    if (header.byteLength !== CHUNK_HEADER_BYTES) throw new ProtocolError(`chunk header of ${header.byteLength} bytes, expected ${CHUNK_HEADER_BYTES}`);
    const dv = new DataView(header.buffer, header.byteOffset, header.byteLength);
    if (dv.getUint32(0, true) !== MAGIC) throw this.abandon(undefined, 'chunk header has a bad magic number');
    const seq = dv.getUint32(4, true);
    if (dv.getBigUint64(8, true) !== this.tag) throw this.abandon(seq, 'chunk belongs to another session');
    const index = dv.getUint32(16, true);
    const count = dv.getUint32(20, true);
    const total = dv.getBigUint64(24, true);
    if (index > 0 && this.skipping === seq) return undefined;
    this.skipping = undefined;
    const size = parts.reduce((acc, p) => acc + p.byteLength, 0);
    if (size > this.limits.maxChunkBytes) {
      throw this.abandon(seq, `chunk of ${size} bytes exceeds the ${this.limits.maxChunkBytes}-byte chunk limit`);
    }
    if (index === 0) {
      const interrupted = this.current;
      this.current = undefined;
      if (interrupted !== undefined) {
        throw this.abandon(seq, `message ${interrupted.seq} was interrupted after ${interrupted.next} of ${interrupted.count} chunks`);
      }
      if (total > BigInt(this.limits.maxFrameBytes)) {
        throw this.abandon(seq, `oversized frame: ${total} bytes declared, the limit is ${this.limits.maxFrameBytes}`);
      }
      const bytes = Number(total);
      if (count < 1 || count > Math.max(1, bytes)) throw this.abandon(seq, `chunk count ${count} does not fit a ${bytes}-byte frame`);
      if (count === 1) {
        if (size !== bytes) throw this.abandon(seq, `a one-chunk frame of ${bytes} bytes came with ${size} bytes`);
        // Several buffers are separate socket messages: the decoder views them as they are
        // (no reassembly copy). One buffer may hold other frames too (a bundle): not owned.
        return { parts, owned: parts.length > 1 };
      }
      // Fresh, 8-aligned memory that the decoded tensors may view without copying.
      this.current = { seq, count, next: 1, buf: new Uint8Array(bytes), filled: 0 };
      return this.fill(parts);
    }
    const c = this.current;
    if (c === undefined || c.seq !== seq || c.next !== index || c.count !== count || BigInt(c.buf.byteLength) !== total) {
      throw this.abandon(seq, `unexpected chunk ${index} of message ${seq}`);
    }
    c.next += 1;
    return this.fill(parts);
  }

  private fill(parts: readonly Uint8Array[]): Reassembled | undefined {
    const c = this.current;
    if (c === undefined) return undefined;
    for (const data of parts) {
      if (c.filled + data.byteLength > c.buf.byteLength) throw this.abandon(c.seq, `chunks exceed the declared ${c.buf.byteLength} bytes`);
      c.buf.set(data, c.filled);
      c.filled += data.byteLength;
    }
    if (c.next < c.count) return undefined;
    this.current = undefined;
    if (c.filled !== c.buf.byteLength) throw new ProtocolError(`message ${c.seq} ended after ${c.filled} of ${c.buf.byteLength} bytes`);
    return { parts: [c.buf], owned: true };
  }

  /** Drops the message in progress and the rest of message `seq`. */
  private abandon(seq: number | undefined, why: string): ProtocolError {
    this.current = undefined;
    this.skipping = seq;
    return new ProtocolError(why);
  }
}
