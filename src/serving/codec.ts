/**
 * The client's fixed-point codec and additive sharing, in plain JavaScript
 * (no WebAssembly to compile first, so it runs the same in any browser
 * thread): the encoding of `ring.encode` (round half to even of x * 2^f, two's
 * complement) and `ring.decode` (signed), words mod 2^64. Tested bit for bit
 * against the ring's kernels.
 */
import { FixedPointRangeError } from '../errors.js';

/** Encodes `values` at `fracBits` fractional bits; NaN, infinities and |x| >= 2^(63-f) are refused by index. */
export function encodeValues(values: ArrayLike<number>, fracBits: number, context: string): BigUint64Array {
  const scale = 2 ** fracBits;
  const bound = 2 ** (63 - fracBits);
  const out = new BigUint64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const x = values[i];
    if (!(Math.abs(x) < bound)) {
      const what = Number.isNaN(x) ? 'NaN' : Number.isFinite(x) ? 'out of range' : 'infinite';
      throw new FixedPointRangeError(`${context}: element ${i} is ${what}; fixed-point values must satisfy |x| < 2^${63 - fracBits} with ${fracBits} fractional bits`);
    }
    const s = x * scale;
    let r = Math.round(s);
    // Math.round rounds halves up; ties go to even.
    if (r - s === 0.5 && r % 2 !== 0) r -= 1;
    out[i] = BigInt(r);
  }
  return out;
}

/** Decodes words as signed fixed point at `fracBits` fractional bits. */
export function decodeWords(words: BigUint64Array, fracBits: number): Float32Array {
  const scale = 2 ** -fracBits;
  const out = new Float32Array(words.length);
  const signed = new BigInt64Array(words.buffer, words.byteOffset, words.length);
  for (let i = 0; i < words.length; i++) out[i] = Number(signed[i]) * scale;
  return out;
}

/** a - b mod 2^64, elementwise. */
export function subWords(a: BigUint64Array, b: BigUint64Array): BigUint64Array {
  const out = new BigUint64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] - b[i];
  return out;
}

/** a + b mod 2^64, elementwise. */
export function addWords(a: BigUint64Array, b: BigUint64Array): BigUint64Array {
  const out = new BigUint64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] + b[i];
  return out;
}
