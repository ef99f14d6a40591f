/**
 * Public randomness: a fast generator (xoshiro128**) seeded by a seed every
 * player knows, for choices that must be the same everywhere and need not be
 * secret (the order of training batches, dropout masks). Never for shares,
 * masks or seeds: those come from the CSPRNG and AES streams.
 */
import { check } from '../errors.js';

export class PublicRandom {
  private readonly s = new Uint32Array(4);

  constructor(seed: Uint8Array) {
    check(seed.length >= 16, () => `PublicRandom: a seed has at least 16 bytes, got ${seed.length}`);
    const view = new DataView(seed.buffer, seed.byteOffset, 16);
    for (let i = 0; i < 4; i++) this.s[i] = view.getUint32(4 * i, true);
    // xoshiro's state must not be all zero.
    if (this.s.every((v) => v === 0)) this.s[0] = 0x9e3779b9;
  }

  /** The next 32 random bits. */
  nextUint32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  /** A uniform number in [0, 1) with 53 random bits. */
  uniform(): number {
    const hi = this.nextUint32() >>> 5;
    const lo = this.nextUint32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** `n` uniform numbers in [0, 1). */
  uniforms(n: number): Float64Array {
    return Float64Array.from({ length: n }, () => this.uniform());
  }

  /** A uniformly random permutation of 0..n-1 (Fisher-Yates). */
  permutation(n: number): number[] {
    const p = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(this.uniform() * (i + 1));
      [p[i], p[j]] = [p[j], p[i]];
    }
    return p;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
