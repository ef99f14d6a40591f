/**
 * The client's fixed-point codec and additive sharing, in plain JavaScript
 * (no WebAssembly to compile first, so it runs the same in any browser
 * thread): the encoding of `ring.encode` (round half to even of x * 2^f, two's
 * complement) and `ring.decode` (signed), words mod 2^64. Words are handled
 * as pairs of 32-bit halves (little-endian), never as BigInts: a query of
 * 784 values costs microseconds. Tested bit for bit against the ring's kernels.
 */
import { FixedPointRangeError } from '../errors.js';

const TWO32 = 2 ** 32;

/** The 32-bit halves of words (a view). */
function halves(words: BigUint64Array): Uint32Array {
  return new Uint32Array(words.buffer, words.byteOffset, words.length * 2);
}

/** Encodes `values` at `fracBits` fractional bits; NaN, infinities and |x| >= 2^(63-f) are refused by index. */
export function encodeValues(values: ArrayLike<number>, fracBits: number, context: string): BigUint64Array {
  const scale = 2 ** fracBits;
  const bound = 2 ** (63 - fracBits);
  const out = new BigUint64Array(values.length);
  const h = halves(out);
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
    if (Math.abs(r) < 2 ** 53) {
      // Two's complement halves of an exact integer: hi = floor(r / 2^32) mod 2^32.
      const hi = Math.floor(r / TWO32);
      h[2 * i] = r - hi * TWO32;
      h[2 * i + 1] = hi >>> 0;
    } else out[i] = BigInt(r); // beyond 2^53 a double is an integer already
  }
  return out;
}

/** Decodes words as signed fixed point at `fracBits` fractional bits. */
export function decodeWords(words: BigUint64Array, fracBits: number): Float32Array {
  const scale = 2 ** -fracBits;
  const out = new Float32Array(words.length);
  const h = halves(words);
  for (let i = 0; i < words.length; i++) out[i] = ((h[2 * i + 1] | 0) * TWO32 + h[2 * i]) * scale;
  return out;
}

/** a - b mod 2^64, elementwise. */
export function subWords(a: BigUint64Array, b: BigUint64Array): BigUint64Array {
  const out = new BigUint64Array(a.length);
  const [x, y, z] = [halves(a), halves(b), halves(out)];
  for (let i = 0; i < x.length; i += 2) {
    const lo = x[i] - y[i];
    z[i] = lo;
    z[i + 1] = x[i + 1] - y[i + 1] - (lo < 0 ? 1 : 0);
  }
  return out;
}

/** a + b mod 2^64, elementwise. */
export function addWords(a: BigUint64Array, b: BigUint64Array): BigUint64Array {
  const out = new BigUint64Array(a.length);
  const [x, y, z] = [halves(a), halves(b), halves(out)];
  for (let i = 0; i < x.length; i += 2) {
    const lo = x[i] + y[i];
    z[i] = lo;
    z[i + 1] = x[i + 1] + y[i + 1] + (lo >= TWO32 ? 1 : 0);
  }
  return out;
}
