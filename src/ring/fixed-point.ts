/**
 * Fixed-point encoding of real numbers in Z_(2^64): x is stored as the integer
 * round(x * 2^f) in two's complement, f fractional bits (16 by default).
 *
 * Ranges with f = 16: a value is encodable while |x| < 2^47 (the word must stay
 * below 2^63 in magnitude); the product of two encoded values is exact before
 * truncation while |x * y| < 2^30, because it carries 2f = 32 fractional bits
 * and must stay below 2^62 for truncation to be exact. In general: encodable
 * while |x| < 2^(63-f), products while |x * y| < 2^(62-2f).
 */
import { check, FixedPointRangeError } from '../errors.js';
import { kernels } from './kernels.js';
import { RingTensor } from './ring-tensor.js';
import { fmt, sizeOf, type Shape } from './shape.js';

/** Default number of fractional bits. */
export const DEFAULT_FRAC_BITS = 16;

/** Throws unless f is an integer with room for products (2f <= 62): a protocol's scale. */
export function checkFracBits(fracBits: number): void {
  check(Number.isInteger(fracBits) && fracBits >= 0 && fracBits <= 31, () => `fixed point: fracBits must be an integer in [0, 31], got ${fracBits}`);
}

/** Any scale an encoding may carry, including the 2f of an untruncated product. */
function checkScale(fracBits: number): void {
  check(Number.isInteger(fracBits) && fracBits >= 0 && fracBits <= 62, () => `fixed point: fracBits must be an integer in [0, 62], got ${fracBits}`);
}

/** Encodable magnitude bound 2^(63 - f) (exclusive). */
export function encodableBound(fracBits: number): number {
  return 2 ** (63 - fracBits);
}

/** Bound 2^(62 - 2f) (exclusive) on |x * y| for an exact truncated product. */
export function productBound(fracBits: number): number {
  return 2 ** (62 - 2 * fracBits);
}

/** Human-readable encodable range, e.g. "|x| < 2^47 (fracBits = 16)". */
export function describeRange(fracBits: number): string {
  return `|x| < 2^${63 - fracBits} (about ${encodableBound(fracBits).toExponential(3)}) with ${fracBits} fractional bits`;
}

/**
 * Encodes float64 values, rounding to nearest (ties to even). NaN, infinities
 * and values outside the encodable range throw a {@link FixedPointRangeError}
 * that names the range; the offending value itself is not printed.
 */
export function encode(values: ArrayLike<number>, shape: Shape, fracBits = DEFAULT_FRAC_BITS, context = 'encode'): RingTensor {
  checkScale(fracBits);
  const n = sizeOf(shape);
  check(values.length === n, () => `${context}: shape ${fmt(shape)} needs ${n} values, got ${values.length}`);
  const input = values instanceof Float64Array ? values : Float64Array.from(values);
  const { bad, data } = kernels().run((arena, k) => {
    const px = arena.putF64(input);
    const out = arena.alloc(n);
    const first = k.encode(px, out, n, 2 ** fracBits, encodableBound(fracBits));
    return { bad: first, data: first < 0 ? arena.take(out, n) : undefined };
  });
  if (data === undefined) {
    const v = input[bad];
    const what = Number.isNaN(v) ? 'NaN' : Number.isFinite(v) ? 'out of range' : 'infinite';
    throw new FixedPointRangeError(`${context}: element ${bad} of a tensor of shape ${fmt(shape)} is ${what}; fixed-point values must satisfy ${describeRange(fracBits)}`);
  }
  return new RingTensor(shape, data);
}

/** Decodes words as signed fixed point with `fracBits` fractional bits. */
export function decode(t: RingTensor, fracBits = DEFAULT_FRAC_BITS): Float64Array {
  checkScale(fracBits);
  const n = t.size;
  return kernels().run((arena, k) => {
    const pa = arena.put(t.data);
    const out = arena.alloc(n);
    k.decode(pa, out, n, 2 ** -fracBits);
    return arena.takeF64(out, n);
  });
}

/** Encodes one real number as a ring word (same rounding and range as {@link encode}). */
export function encodeScalar(x: number, fracBits = DEFAULT_FRAC_BITS, context = 'encode'): bigint {
  return encode([x], [], fracBits, context).data[0];
}
