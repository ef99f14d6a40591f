/**
 * Exact comparisons from the top bit (the sign in two's complement): x < y is
 * msb(x - y), valid while |x - y| < 2^63 in the ring, i.e. for any two
 * encodable values. Results are private integers 0 or 1 (fracBits 0), so
 * multiplying by them needs no truncation.
 *
 * Costs, per element: relu is 6 rounds (5 for the adder, the sign bit injected
 * together with the product x * b) and about 410 bytes in all up to 2,048
 * elements (radix-4 levels, adder.ts), 8 rounds and 340 bytes beyond; see
 * bench/nonlinear.ts.
 */
import * as ring from '../../ring/index.js';
import { RingTensor, type Shape } from '../../ring/index.js';
import { msbXor, type AdderBits } from '../binary/adder.js';
import { msbXorFss, signsByFss } from '../binary/fss-sign.js';
import { injectBits, notBits } from '../binary/bit-injection.js';
import type { XorShares } from '../binary/xor.js';
import { maskAll } from './beaver.js';
import { join, onServers, split, toPrivate, unmasked, type PondContext } from './context.js';
import type { SharedWords } from '../two-server.js';
import * as linear from './linear.js';
import { PondPrivateTensor, PondPublicTensor, type PondSecretTensor, type PondTensor } from './tensors.js';

/** Private integer (0/1) tensors from XOR-shared bits of joined words. */
function bitsToPrivate(ctx: PondContext, bits: XorShares, shapes: readonly Shape[]): PondPrivateTensor[] {
  const { bits: arith } = injectBits(ctx, bits);
  return split(ctx, { shape: bits.shape, shares: arith }, shapes).map((shares, j) => new PondPrivateTensor(ctx.prot, shapes[j], shares, 0));
}

// ------------------------------------------------------------------ sign bits

/**
 * XOR shares of the sign of each word (of its low 32 bits with bits = 32), by
 * the protocol's comparison method: with 'fss', comparisons of up to
 * FSS_MAX_ELEMENTS elements by function secret sharing, larger ones by the adder.
 */
export function signBits(ctx: PondContext, x: SharedWords, bits: AdderBits = 64): XorShares {
  return signsByFss(ctx.comparison, ring.sizeOf(x.shape)) ? msbXorFss(ctx, x, bits) : msbXor(ctx, x, bits);
}

const ZERO = RingTensor.zeros([]);
const ONE = RingTensor.fill([], 1n);
const TWO = RingTensor.fill([], 2n);
const isNegativePublic = (t: RingTensor): RingTensor => ring.shrLogical(t, 63);

/** msb of each of `xs` (private integers 0/1), in one adder run. */
export function msbMany(ctx: PondContext, xs: readonly PondTensor[]): PondTensor[] {
  if (xs.every((x) => x.kind === 'public')) {
    return xs.map((x) => new PondPublicTensor(ctx.prot, isNegativePublic((x as PondPublicTensor).value), 0));
  }
  const priv = xs.map((x) => toPrivate(ctx, x));
  return bitsToPrivate(ctx, signBits(ctx, join(ctx, priv)), priv.map((x) => x.shape));
}

/** 1 where x < 0, else 0 (exact). */
export function isNegative(ctx: PondContext, x: PondTensor): PondTensor {
  return msbMany(ctx, [x])[0];
}

/** x < y. */
export function less(ctx: PondContext, x: PondTensor, y: PondTensor): PondTensor {
  return isNegative(ctx, linear.sub(ctx, x, y));
}

/** x > y. */
export function greater(ctx: PondContext, x: PondTensor, y: PondTensor): PondTensor {
  return isNegative(ctx, linear.sub(ctx, y, x));
}

/** 1 - b for 0/1 tensors. */
function not01(ctx: PondContext, b: PondTensor): PondTensor {
  return linear.sub(ctx, new PondPublicTensor(ctx.prot, ONE, 0), b);
}

/** x >= y. */
export function greaterEqual(ctx: PondContext, x: PondTensor, y: PondTensor): PondTensor {
  return not01(ctx, less(ctx, x, y));
}

/** x <= y. */
export function lessEqual(ctx: PondContext, x: PondTensor, y: PondTensor): PondTensor {
  return not01(ctx, greater(ctx, x, y));
}

/**
 * x == y: with z = x - y, z is zero exactly when neither z nor -z is negative;
 * both signs come from one adder run and combine by XOR locally.
 */
export function equal(ctx: PondContext, x: PondTensor, y: PondTensor): PondTensor {
  const z = linear.sub(ctx, x, y);
  if (z.kind === 'public') return new PondPublicTensor(ctx.prot, ring.xor(ring.xor(isNegativePublic(z.value), isNegativePublic(ring.neg(z.value))), ONE), 0);
  const zp = unmasked(z);
  const both = signBits(ctx, join(ctx, [zp, linear.linearMap(ctx, zp, zp.shape, ring.neg)]));
  const n = zp.size;
  const eq: XorShares = {
    shape: zp.shape,
    shares: onServers(ctx, async (i) => {
      const bits = await both.shares[i].value();
      const sameSign = ring.xor(ring.slice(bits, [0], [n]), ring.slice(bits, [n], [n]));
      return (i === 0 ? ring.xor(sameSign, ONE) : sameSign).withShape(zp.shape);
    }),
  };
  return bitsToPrivate(ctx, eq, [zp.shape])[0];
}

/** -1, 0 or 1 (tf.sign), from the signs of x and -x in one adder run. */
export function sign(ctx: PondContext, x: PondTensor): PondTensor {
  const [neg, pos] = msbMany(ctx, [x, linear.linearMap(ctx, x, x.shape, ring.neg)]);
  return linear.sub(ctx, pos, neg);
}

// ------------------------------------------------------------------ relu and friends

/** relu results with their derivative bits. */
export interface ReluResults {
  readonly outputs: PondPrivateTensor[];
  /** [x >= 0] for each input, a private 0/1 (fracBits 0): the bit injection yields it for free. */
  readonly keep: PondPrivateTensor[];
}

/**
 * relu of each of `xs` (same fracBits each), in one adder run: x * (1 - msb(x)),
 * the product injected with the sign bit. Exact: the result is x or 0. With
 * bits = 32 the sign is read from the low 32 bits (two values per adder word):
 * exact while |x| < 2^31 units (see msbXor).
 */
export function reluMany(ctx: PondContext, xs: readonly PondSecretTensor[], adderBits: AdderBits = 64): ReluResults {
  // One joined tensor needs one scale: bring all to the largest (an exact shift).
  const f = Math.max(...xs.map((x) => x.fracBits));
  const priv = xs.map((x) => linear.rescaleUp(ctx, unmasked(x), f));
  const all = priv.length === 1 ? priv[0] : join(ctx, priv);
  const [masked] = maskAll(ctx, [all]);
  // The sign of a truncated product is the sign of the product (a value
  // rounded to 0 or -1 unit has relu 0 either way), so the adder starts on the
  // product, in parallel with the truncation: one round less after each layer.
  // With 32 bits the product (at twice the scale) would not fit: the adder waits for the truncation.
  const signOf = adderBits === 64 && priv.length === 1 && priv[0].truncatedFrom !== undefined ? priv[0].truncatedFrom : all;
  const keep = notBits(ctx, signBits(ctx, signOf, adderBits));
  const { bits, products } = injectBits(ctx, keep, [masked]);
  const shapes = priv.map((x) => x.shape);
  return {
    outputs: split(ctx, { shape: all.shape, shares: products[0] }, shapes).map((shares, j) => new PondPrivateTensor(ctx.prot, shapes[j], shares, f)),
    keep: split(ctx, { shape: all.shape, shares: bits }, shapes).map((shares, j) => new PondPrivateTensor(ctx.prot, shapes[j], shares, 0)),
  };
}

/** relu of one secret tensor, saving its derivative bit for a gradient tape. */
function reluSaving(ctx: PondContext, x: PondSecretTensor, bits: AdderBits): PondPrivateTensor {
  const { outputs, keep } = reluMany(ctx, [x], bits);
  ctx.saved?.set('keep', keep[0]);
  return outputs[0];
}

/** max(x, 0), exact (with bits = 32, while |x| < 2^31 units: see reluMany). */
export function relu(ctx: PondContext, x: PondTensor, bits: AdderBits = 64): PondTensor {
  if (x.kind === 'public') return new PondPublicTensor(ctx.prot, ring.mul(x.value, ring.xor(isNegativePublic(x.value), ONE)), x.fracBits);
  return reluSaving(ctx, x, bits);
}

/** The sign bit s (a private 0/1) and |x| = x - 2 x s, from one adder run and one bit injection. */
export function signAndAbs(ctx: PondContext, x: PondSecretTensor): { sign: PondPrivateTensor; abs: PondPrivateTensor } {
  const p = unmasked(x);
  const [masked] = maskAll(ctx, [p]);
  const { bits, products } = injectBits(ctx, signBits(ctx, p), [masked]);
  const xs = new PondPrivateTensor(ctx.prot, p.shape, products[0], p.fracBits);
  const sign = new PondPrivateTensor(ctx.prot, p.shape, bits, 0);
  ctx.saved?.set('sign', sign);
  return { sign, abs: linear.sub(ctx, p, linear.mulPublicWords(ctx, xs, TWO)) };
}

/** |x| = x - 2 x msb(x), exact. */
export function abs(ctx: PondContext, x: PondTensor): PondTensor {
  if (x.kind === 'public') return linear.sub(ctx, x, linear.mulPublicWords(ctx, x, ring.shl(isNegativePublic(x.value), 1)));
  return signAndAbs(ctx, x).abs;
}

/** Elementwise max(x, y) = y + relu(x - y). */
export function maximum(ctx: PondContext, x: PondTensor, y: PondTensor): PondTensor {
  return linear.add(ctx, y, relu(ctx, linear.sub(ctx, x, y)));
}

/** Elementwise min(x, y) = x - relu(x - y). */
export function minimum(ctx: PondContext, x: PondTensor, y: PondTensor): PondTensor {
  return linear.sub(ctx, x, relu(ctx, linear.sub(ctx, x, y)));
}

/**
 * Clip to [lo, hi] (lo <= hi): x + relu(lo - x) - relu(x - hi), both relus in
 * one adder run.
 */
export function clip(ctx: PondContext, x: PondTensor, lo: PondTensor, hi: PondTensor): PondTensor {
  const below = linear.sub(ctx, lo, x);
  const above = linear.sub(ctx, x, hi);
  if (below.kind === 'public' && above.kind === 'public') return linear.sub(ctx, linear.add(ctx, x, relu(ctx, below)), relu(ctx, above));
  const { outputs: [rb, ra], keep: [kb, ka] } = reluMany(ctx, [toPrivate(ctx, below), toPrivate(ctx, above)]);
  // Where neither clamp bites the derivative is 1: keep bits are [lo - x >= 0] and [x - hi >= 0].
  ctx.saved?.set('below', kb);
  ctx.saved?.set('above', ka);
  return linear.sub(ctx, linear.add(ctx, x, rb), ra);
}

/**
 * The derivative of relu as tfjs defines it, 1 where x > 0 and 0 elsewhere
 * (a private 0/1 mask), for training.
 */
export function reluGrad(ctx: PondContext, x: PondTensor): PondTensor {
  return greater(ctx, x, new PondPublicTensor(ctx.prot, ZERO, x.fracBits));
}
