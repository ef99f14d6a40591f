/**
 * Seeded pseudo-random generator: AES-128 in counter mode keyed by a 16-byte
 * seed. A stream id selects an independent stream, so one seed shared between
 * two players stands for any number of tensors of shares: both expand the
 * same (seed, stream id) to the same words, and only the seed ever travels.
 *
 * The 128-bit counter block is (stream id || block index), big-endian, so
 * streams never overlap for fewer than 2^64 blocks each. Every
 * {@link CryptoBackend} gives the same words, so players on different
 * platforms (Node and a browser) agree.
 */
import { check } from '../errors.js';
import { SEED_BYTES, type CryptoBackend, type Keystream } from './backend.js';
import { defaultCryptoBackend } from './default-backend.js';

export class Prg {
  private readonly keystream: Keystream;

  /** `backend` defaults to this runtime's (node:crypto in Node, WebCrypto elsewhere). */
  constructor(seed: Uint8Array, backend: CryptoBackend = defaultCryptoBackend()) {
    check(seed.length === SEED_BYTES, () => `Prg: a seed has ${SEED_BYTES} bytes, got ${seed.length}`);
    this.keystream = backend.keystream(Uint8Array.from(seed));
  }

  /**
   * `n` pseudo-random 64-bit words of stream `stream` (0 <= stream < 2^64).
   * Asynchronous because WebCrypto is; with node:crypto the promise is
   * already settled.
   */
  words(stream: bigint, n: number): Promise<BigUint64Array> {
    try {
      check(stream >= 0n && stream < 1n << 64n, () => 'Prg: stream id must be in [0, 2^64)');
      check(Number.isSafeInteger(n) && n >= 0, () => `Prg: a word count is a non-negative integer, got ${n}`);
    } catch (e) {
      return Promise.reject(e as Error);
    }
    if (n === 0) return Promise.resolve(new BigUint64Array(0));
    return this.keystream.words(stream, n);
  }
}
