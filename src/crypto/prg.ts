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
import { createCipheriv, type Cipher } from 'node:crypto';
import { check } from '../errors.js';

const CHUNK_BYTES = 1 << 24;
const SEED_BYTES = 16;
/**
 * Below this many words a stream is the ECB encryption of its counter blocks
 * under one cipher kept per seed: setting up a CTR cipher per stream costs
 * about 5 us, more than encrypting a few KiB. Both give the same keystream.
 */
const SMALL_WORDS = 8192;

export class Prg {
  private readonly key: Uint8Array;
  private ecb: Cipher | undefined;

  constructor(seed: Uint8Array) {
    check(seed.length === SEED_BYTES, () => `Prg: a seed has ${SEED_BYTES} bytes, got ${seed.length}`);
    this.key = Uint8Array.from(seed);
  }

  /** `n` pseudo-random 64-bit words of stream `stream` (0 <= stream < 2^64). */
  words(stream: bigint, n: number): BigUint64Array {
    check(stream >= 0n && stream < 1n << 64n, () => 'Prg: stream id must be in [0, 2^64)');
    if (n === 0) return new BigUint64Array(0);
    if (n <= SMALL_WORDS) return this.counterBlocks(stream, n);
    const out = new BigUint64Array(n);
    this.counterMode(stream, out);
    return out;
  }

  /** E_k(stream || i) for the blocks of `n` words, through the kept ECB cipher. */
  private counterBlocks(stream: bigint, n: number): BigUint64Array {
    const blocks = Math.ceil(n / 2);
    // Counter blocks: big-endian stream id, then big-endian index (below 2^32 here).
    const input = new Uint8Array(16 * blocks);
    const view = new DataView(input.buffer);
    const hi = Number(stream >> 32n);
    const lo = Number(stream & 0xffffffffn);
    for (let i = 0; i < blocks; i++) {
      view.setUint32(16 * i, hi);
      view.setUint32(16 * i + 4, lo);
      view.setUint32(16 * i + 12, i);
    }
    this.ecb ??= createCipheriv('aes-128-ecb', this.key, null).setAutoPadding(false);
    const ks = this.ecb.update(input);
    // The cipher's output is fresh memory: view it when aligned rather than copy.
    if (ks.byteOffset % 8 === 0) return new BigUint64Array(ks.buffer, ks.byteOffset, n);
    const out = new BigUint64Array(n);
    new Uint8Array(out.buffer).set(ks.subarray(0, n * 8));
    return out;
  }

  private counterMode(stream: bigint, out: BigUint64Array): void {
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
  }
}
