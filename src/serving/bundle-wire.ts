/**
 * A bundle half as a mesh message: two tensors, the seed (u8[16]) and server
 * 1's corrections joined into one tensor of u64 words (empty for server 0),
 * cut by the shapes the message lists. One tensor rather than hundreds: a
 * frame travels with one socket.io attachment per tensor, and socket.io
 * refuses packets with many attachments.
 */
import { ProtocolError } from '../errors.js';
import { SEED_BYTES } from '../crypto/index.js';
import type { Payload, WireTensor } from '../network/index.js';
import type { BundleShare } from '../protocol/index.js';
import { RingTensor, sizeOf } from '../ring/index.js';
import type { MeshMessage } from './mesh.js';

type BundleMessage = Extract<MeshMessage, { type: 'bundle' }>;

/** The message and tensors carrying bundle `id`'s half `share`. */
export function encodeBundle(id: number, size: number, share: BundleShare): { message: BundleMessage; tensors: WireTensor[] } {
  const corrections: BundleMessage['corrections'] = [];
  let words = 0;
  for (const [key, ts] of share.corrections) {
    corrections.push({ key, shapes: ts.map((t) => [...t.shape]) });
    words += ts.reduce((n, t) => n + t.size, 0);
  }
  const joined = new BigUint64Array(words);
  let at = 0;
  for (const ts of share.corrections.values()) {
    for (const t of ts) {
      joined.set(t.data, at);
      at += t.size;
    }
  }
  return { message: { type: 'bundle', id, size, requests: share.requests, corrections }, tensors: [{ shape: [SEED_BYTES], data: share.seed }, { shape: [words], data: joined }] };
}

/** The half a bundle message carries (its tensors were checked against the shapes it declared). */
export function decodeBundle(message: BundleMessage, tensors: Payload, from: string): BundleShare {
  const [seed, joined] = tensors;
  const words = message.corrections.reduce((n, c) => n + c.shapes.reduce((m, s) => m + sizeOf(s), 0), 0);
  if (tensors.length !== 2 || !(seed.data instanceof Uint8Array) || seed.data.byteLength !== SEED_BYTES || !(joined.data instanceof BigUint64Array) || joined.data.length !== words) {
    throw new ProtocolError(`bundle ${message.id} from '${from}': expected a ${SEED_BYTES}-byte seed and ${words} words of corrections`);
  }
  const corrections = new Map<string, RingTensor[]>();
  let at = 0;
  for (const c of message.corrections) {
    corrections.set(c.key, c.shapes.map((shape) => {
      const n = sizeOf(shape);
      const t = new RingTensor(shape, joined.data.subarray(at, at + n) as BigUint64Array);
      at += n;
      return t;
    }));
  }
  return { seed: seed.data, requests: message.requests, corrections };
}
