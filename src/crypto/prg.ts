/**
 * Seeded pseudo-random generator: AES-128 in counter mode (node:crypto) keyed
 * by a 16-byte seed. A stream id selects an independent stream, so one seed
 * shared between two players stands for any number of tensors of shares: both
 * expand the same (seed, stream id) to the same words, and only the seed ever
 * travels.
 *
 * The 128-bit counter block is (stream id || block index), big-endian, so
 * streams never overlap for fewer than 2^64 blocks each.
 */
import { createCipheriv } from 'node:crypto';
import { check } from '../errors.js';

const CHUNK_BYTES = 1 << 24;
const SEED_BYTES = 16;

export class Prg {
  private readonly key: Uint8Array;

  constructor(seed: Uint8Array) {
    check(seed.length === SEED_BYTES, () => `Prg: a seed has ${SEED_BYTES} bytes, got ${seed.length}`);
    this.key = Uint8Array.from(seed);
  }

  /** `n` pseudo-random 64-bit words of stream `stream` (0 <= stream < 2^64). */
  words(stream: bigint, n: number): BigUint64Array {
    check(stream >= 0n && stream < 1n << 64n, () => 'Prg: stream id must be in [0, 2^64)');
    const out = new BigUint64Array(n);
    if (n === 0) return out;
    const iv = new Uint8Array(16);
    new DataView(iv.buffer).setBigUint64(0, stream, false);
    const cipher = createCipheriv('aes-128-ctr', this.key, iv);
    // The keystream is the encryption of zeros, written in place chunk by chunk.
    const bytes = new Uint8Array(out.buffer);
    for (let off = 0; off < bytes.length; off += CHUNK_BYTES) {
      const end = Math.min(off + CHUNK_BYTES, bytes.length);
      const ks = cipher.update(bytes.subarray(off, end));
      bytes.set(ks, off);
    }
    return out;
  }
}
