/**
 * Binary frames: a small header (magic, session, operation id, step, one
 * descriptor per tensor: dtype, rank, byte length, dims) followed by the raw
 * little-endian words, each tensor padded to 8 bytes. Decoding checks every
 * length against the shapes before anything is used.
 */
import { ProtocolError } from '../errors.js';
import { dtypeOf, type MessageKey, type Payload, type WireDtype, type WireTensor } from './message.js';

const MAGIC = 0x31454654; // 'TFE1' little-endian
const FIXED = 24; // magic, header length, op (u64), step, tensor count
const DTYPE_CODE: Record<WireDtype, number> = { u64: 1, u8: 2 };
const ELEMENT_BYTES: Record<WireDtype, number> = { u64: 8, u8: 1 };
const MAX_RANK = 8;

const pad8 = (n: number): number => (n + 7) & ~7;

function headerLength(payload: Payload): number {
  return pad8(FIXED + payload.reduce((acc, t) => acc + 8 + 4 * t.shape.length, 0));
}

/** Size in bytes of the frame that carries `payload`. */
export function frameByteLength(payload: Payload): number {
  return headerLength(payload) + payload.reduce((acc, t) => acc + pad8(t.data.byteLength), 0);
}

/** A decoded frame. */
export interface Frame {
  readonly key: MessageKey;
  readonly payload: Payload;
}

/**
 * A frame as a list of byte ranges: the header, then each tensor's data as a
 * view of the tensor itself (no copy) followed by its zero padding. Their
 * concatenation is {@link encodeFrame}'s buffer; a socket can send the parts
 * as they are. The tensors must not change until the parts are sent.
 */
export function encodeFrameParts(key: MessageKey, payload: Payload): Uint8Array[] {
  const head = headerLength(payload);
  const header = new Uint8Array(head);
  const dv = new DataView(header.buffer);
  dv.setUint32(0, MAGIC, true);
  dv.setUint32(4, head, true);
  dv.setBigUint64(8, BigInt(key.op), true);
  dv.setUint32(16, key.step, true);
  dv.setUint32(20, payload.length, true);
  const parts: Uint8Array[] = [header];
  let at = FIXED;
  for (const t of payload) {
    dv.setUint8(at, DTYPE_CODE[dtypeOf(t)]);
    dv.setUint8(at + 1, t.shape.length);
    dv.setUint32(at + 4, t.data.byteLength, true);
    at += 8;
    for (const d of t.shape) {
      dv.setUint32(at, d, true);
      at += 4;
    }
    if (t.data.byteLength > 0) parts.push(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
    const pad = pad8(t.data.byteLength) - t.data.byteLength;
    if (pad > 0) parts.push(new Uint8Array(pad));
  }
  return parts;
}

/** Serialises a message into one buffer. */
export function encodeFrame(key: MessageKey, payload: Payload): Uint8Array {
  const out = new Uint8Array(frameByteLength(payload));
  let at = 0;
  for (const part of encodeFrameParts(key, payload)) {
    out.set(part, at);
    at += part.byteLength;
  }
  return out;
}

/**
 * A frame's bytes as consecutive ranges (one buffer, or the buffers a socket
 * delivered one by one), read without joining them.
 */
class ByteRanges {
  readonly byteLength: number;
  private readonly starts: number[] = [];

  constructor(private readonly parts: readonly Uint8Array[]) {
    let at = 0;
    for (const p of parts) {
      this.starts.push(at);
      at += p.byteLength;
    }
    this.byteLength = at;
  }

  /** Bytes [start, start + length): a view when they lie in one range, else a fresh copy. */
  range(start: number, length: number): { bytes: Uint8Array; copied: boolean } {
    let i = this.index(start);
    const first = this.parts[i];
    const offset = start - this.starts[i];
    if (offset + length <= first.byteLength) return { bytes: first.subarray(offset, offset + length), copied: false };
    const out = new Uint8Array(length);
    let filled = 0;
    let from = offset;
    while (filled < length) {
      const p = this.parts[i++];
      const take = Math.min(length - filled, p.byteLength - from);
      out.set(p.subarray(from, from + take), filled);
      filled += take;
      from = 0;
    }
    return { bytes: out, copied: true };
  }

  /** The last range starting at or before byte `at` (past any empty ones). */
  private index(at: number): number {
    let lo = 0;
    let hi = this.parts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= at) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
}

/**
 * Parses and validates a frame, given as one buffer or as consecutive byte
 * ranges. Throws a {@link ProtocolError} naming what is wrong (never echoing
 * content). Tensor data is copied into fresh aligned arrays, unless `view` is
 * set: then a tensor whose data lies in one range, 8-aligned in its
 * ArrayBuffer, views it without copying (only for memory that nothing else
 * will write).
 */
export function decodeFrame(frame: Uint8Array | readonly Uint8Array[], maxBytes = Number.MAX_SAFE_INTEGER, view = false): Frame {
  const buf = new ByteRanges(frame instanceof Uint8Array ? [frame] : frame);
  const fail = (why: string): never => {
    throw new ProtocolError(`malformed frame (${buf.byteLength} bytes): ${why}`);
  };
  if (buf.byteLength > maxBytes) fail(`larger than the ${maxBytes}-byte limit`);
  if (buf.byteLength < FIXED) fail(`shorter than the ${FIXED}-byte fixed header`);
  const fixed = buf.range(0, FIXED).bytes;
  let dv = new DataView(fixed.buffer, fixed.byteOffset, FIXED);
  if (dv.getUint32(0, true) !== MAGIC) fail('bad magic number');
  const head = dv.getUint32(4, true);
  const op = dv.getBigUint64(8, true);
  if (op > BigInt(Number.MAX_SAFE_INTEGER)) fail('operation id out of range');
  const step = dv.getUint32(16, true);
  const count = dv.getUint32(20, true);
  if (head > buf.byteLength || head < FIXED || head % 8 !== 0) fail(`header length ${head} is invalid`);
  const header = buf.range(0, head).bytes;
  dv = new DataView(header.buffer, header.byteOffset, head);
  const descriptors: Array<{ dtype: WireDtype; shape: number[]; bytes: number }> = [];
  let at = FIXED;
  for (let i = 0; i < count; i++) {
    if (at + 8 > head) fail(`tensor ${i} descriptor runs past the header`);
    const code = dv.getUint8(at);
    const rank = dv.getUint8(at + 1);
    const bytes = dv.getUint32(at + 4, true);
    at += 8;
    const dtype = code === 1 ? 'u64' : code === 2 ? 'u8' : fail(`tensor ${i} has unknown dtype code ${code}`);
    if (rank > MAX_RANK) fail(`tensor ${i} has rank ${rank}, above ${MAX_RANK}`);
    if (at + 4 * rank > head) fail(`tensor ${i} shape runs past the header`);
    const shape: number[] = [];
    for (let d = 0; d < rank; d++) shape.push(dv.getUint32(at + 4 * d, true));
    at += 4 * rank;
    const elements = shape.reduce((a, b) => a * b, 1);
    if (elements * ELEMENT_BYTES[dtype] !== bytes) {
      fail(`tensor ${i} declares ${bytes} bytes but shape [${shape.join(',')}] of ${dtype} needs ${elements * ELEMENT_BYTES[dtype]}`);
    }
    descriptors.push({ dtype, shape, bytes });
  }
  if (pad8(at) !== head) fail('header length does not match its descriptors');
  let data = head;
  const payload: WireTensor[] = [];
  for (const [i, d] of descriptors.entries()) {
    if (data + d.bytes > buf.byteLength) fail(`tensor ${i} data runs past the end of the frame`);
    const r = buf.range(data, d.bytes);
    // (Not slice: on a Node Buffer that is a view, not a copy.)
    const bytes = r.copied || (view && r.bytes.byteOffset % 8 === 0) ? r.bytes : new Uint8Array(r.bytes);
    payload.push({ shape: d.shape, data: d.dtype === 'u64' ? new BigUint64Array(bytes.buffer, bytes.byteOffset, d.bytes / 8) : bytes });
    data += pad8(d.bytes);
  }
  if (data !== buf.byteLength) fail(`${buf.byteLength - data} trailing bytes after the last tensor`);
  return { key: { op: Number(op), step }, payload };
}
