/**
 * Products by a public real number c (x * c, x / c, mean's 1/n) at the
 * precision the range allows, in the one truncation round a product takes.
 *
 * Encoding c with the tensor's f fractional bits, as a product of two tensors
 * does, errs by up to 2^-(f+1) on c, so |x| 2^-(f+1) on the product: 1.5e-2
 * for 3,000 * (1/3) with f = 16, a hundred times float32. A public c needs no
 * such loss: both servers split it the same way (it is public),
 *
 *   c = hi 2^-f + lo 2^-(f+K) + e,   |e| <= 2^-(f+K+1) (e = 0 when c has no more bits),
 *
 * where hi = round(c 2^f) is today's encoding and lo carries the next K bits
 * of c, K as large as |lo| <= max(|hi|, 1) allows. Each server multiplies its
 * share by hi and by lo (exact ring products, no communication), and one
 * opening truncates both terms (truncateSum): z1 = x hi by f, z2 = x lo by
 * f + K. Since |lo| <= |hi|, |z2| <= |z1|: the second term never wraps where
 * the first does not, so the range is the one of any product (|x c| < 2^(62-2f),
 * 2^30 with f = 16; and |x| < 2^(62-f) when hi = 0, c below 2^-(f+1)).
 *
 * Error bound (x at f fractional bits, decoded value x): the result is within
 *   2 units (2^-f) + |x| 2^-(f+K+1)
 * of x * c, each truncation being off by less than one unit (unbiased).
 * K >= min(f + 1 + floor(log2 |c|), 62 - 2f) for |c| >= 2^-f, so the second
 * part is under one unit while |x| <= 2^(f+K): for c = 1/3 and f = 16, K = 16,
 * exact to within 3 units for |x| < 2^32, where encoding c with 16 bits errs by
 * |x| 2^-17 (1.5e-2 at |x| = 2,000, 2^-2 at 2^15).
 *
 * An integer c multiplies the words exactly, and c whose 2^f multiple is an
 * integer (0.5, 0.25, 1.5) has no second term: one truncation, as before.
 * Cost: the truncation round of any product, with twice its bytes when c has
 * a second term; no extra round.
 */
import { FixedPointRangeError } from '../../errors.js';
import { describeRange, RingTensor } from '../../ring/index.js';
import { MUL, product } from './bilinear.js';
import { publicScalar, unmasked, type PondContext } from './context.js';
import * as linear from './linear.js';
import type { PondTensor } from './tensors.js';
import { truncateSum, type TruncationTerm } from './truncate.js';

/** c = hi 2^-f + lo 2^-(f + loBits) + e, |e| <= 2^-(f + loBits + 1). */
export interface ScalarSplit {
  readonly hi: bigint;
  readonly lo: bigint;
  readonly loBits: number;
}

/** round(n / 2^d) for d >= 1 (halves up), exact. */
function roundShift(n: bigint, d: number): bigint {
  return (n + (1n << BigInt(d - 1))) >> BigInt(d);
}

const abs = (v: bigint): bigint => (v < 0n ? -v : v);

/**
 * Splits a finite c exactly (BigInt arithmetic on its binary expansion) into
 * today's encoding hi = round(c 2^f) and the next `loBits` <= maxLoBits bits
 * lo, with |lo| <= max(|hi|, 1). Throws a FixedPointRangeError when c 2^f is
 * not encodable.
 */
export function splitScalar(c: number, f: number, maxLoBits: number, context = 'mul'): ScalarSplit {
  if (!(Math.abs(c) * 2 ** f < 2 ** 63)) throw new FixedPointRangeError(`${context}: the public scalar is out of range; fixed-point values must satisfy ${describeRange(f)}`);
  // c = n / 2^s exactly: doubling a finite double is exact, and one with a
  // fractional part has at most 1074 fractional bits.
  let m = c;
  let s = 0;
  while (!Number.isInteger(m)) {
    m *= 2;
    s += 1;
  }
  const n = BigInt(m);
  if (s <= f) return { hi: n << BigInt(f - s), lo: 0n, loBits: 0 };
  const d = s - f;
  const hi = roundShift(n, d);
  const rest = n - (hi << BigInt(d)); // c 2^f - hi = rest / 2^d, |rest| <= 2^(d-1)
  const limit = hi === 0n ? 1n : abs(hi);
  let best: ScalarSplit = { hi, lo: 0n, loBits: 0 };
  for (let k = 1; k <= Math.min(d, maxLoBits); k++) {
    const lo = k === d ? rest : roundShift(rest << BigInt(k), d);
    if (abs(lo) > limit) break;
    best = { hi, lo, loBits: k };
  }
  return best;
}

/** How many truncation terms x * c opens (0: none, an exact product). */
export function scalarTerms(c: number, f: number, xFracBits: number, xPublic: boolean): number {
  if (Number.isSafeInteger(c) || xPublic || Math.min(xFracBits, f) === 0) return 0;
  const { hi, lo } = splitScalar(c, f, maxLoBits(f, xFracBits));
  return (hi !== 0n || lo === 0n ? 1 : 0) + (lo !== 0n ? 1 : 0);
}

/** The second term's product keeps a scale of at most 62 bits (a truncation divides by less than 2^63). */
function maxLoBits(f: number, xFracBits: number): number {
  return Math.max(0, 62 - f - xFracBits);
}

const word = (v: bigint): RingTensor => RingTensor.fromBigInts([], [v]);

/**
 * x * c for a public number c (see the module's TSDoc for the bound). A
 * public x is multiplied in the clear (c encoded at f bits, floor), and an x
 * with fewer fractional bits than f (integers: 0) exactly by c's f-bit
 * encoding, with no truncation, as a product with a public tensor is.
 */
export function mulScalar(ctx: PondContext, x: PondTensor, c: number, context = 'mul'): PondTensor {
  if (Number.isSafeInteger(c)) return linear.mulPublicWords(ctx, x, word(BigInt(c)));
  const f = ctx.fracBits;
  const bits = Math.min(x.fracBits, f);
  if (x.kind === 'public' || bits === 0) return product(ctx, x, publicScalar(ctx, c, f), MUL);
  const { hi, lo, loBits } = splitScalar(c, f, maxLoBits(f, x.fracBits), context);
  const p = unmasked(x);
  const terms: TruncationTerm[] = [];
  if (hi !== 0n || lo === 0n) terms.push({ x: linear.mulPublicWords(ctx, p, word(hi), f), bits });
  if (lo !== 0n) terms.push({ x: linear.mulPublicWords(ctx, p, word(lo), f + loBits), bits: bits + loBits });
  // z1 (or z2 alone) has the sign of x c: a comparison may start on it.
  return truncateSum(ctx, terms, terms[0].x);
}
