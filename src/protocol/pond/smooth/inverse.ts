/**
 * reciprocal, invSqrt and log for positive inputs, from exact comparisons
 * with powers of two: b_j = [x >= 2^j] for j in [jmin, jmax] (one bit
 * decomposition and a suffix OR, see powerOfTwoBits) locates x in [2^j, 2^(j+1)). That gives Newton a
 * starting point within a third of the answer (so 4 iterations reach 2^-20)
 * and log its exponent. Internally values carry SCALE = 24 fractional bits.
 *
 * Domains: 2^-8 <= x < 2^15 (DOMAIN). Outside it the results are wrong;
 * reciprocal(0), log(0) and log or invSqrt of a negative value are undefined
 * (public inputs are checked by Pond).
 */
import { check } from '../../../errors.js';
import * as ring from '../../../ring/index.js';
import { RingTensor } from '../../../ring/index.js';
import { bitsXor } from '../../binary/adder.js';
import { injectDots, type PackedBitRows } from '../../binary/bit-injection.js';
import { suffixOr } from '../../binary/suffix-or.js';
import { MUL, productPrivate } from '../bilinear.js';
import { signAndAbs } from '../compare.js';
import { onServers, publicScalar, unmasked, type PondContext } from '../context.js';
import * as linear from '../linear.js';
import { polyval } from '../polynomial.js';
import { PondPrivateTensor, type PondSecretTensor } from '../tensors.js';
import { reinterpret, rescale } from './tools.js';

/** Exponent ranges are bounded by the internal scale: 2^-jmin must fit in SCALE bits with room for products. */
function checkRange(jmin: number, jmax: number, op: string): void {
  check(
    Number.isInteger(jmin) && Number.isInteger(jmax) && DOMAIN.minExponent <= jmin && jmin <= jmax && jmax <= DOMAIN.maxExponent,
    () => `${op}: exponent range [${jmin}, ${jmax}] must lie within [${DOMAIN.minExponent}, ${DOMAIN.maxExponent}]`,
  );
}

/** The documented domain of reciprocal, invSqrt and log: [2^-8, 2^15). */
export const DOMAIN = { minExponent: -8, maxExponent: 14 } as const;
const SCALE = 24;
const TWO = RingTensor.fill([], 2n);
/** Newton steps of reciprocal and the default of invSqrt: from a start within a third, 2^-20 relative. */
export const NEWTON_STEPS = 4;

/**
 * XOR-shared bits [x >= 2^j] for j = jmin..jmax, packed row by row (row
 * k = j - jmin). One adder run decomposes x into bits; a suffix OR over
 * a window of w = 2^ceil(log2(jmax - jmin + 1)) bits turns bit j + f into
 * [x >= 2^j]. For 0 <= x < 2^(jmin + w), which holds the domain [2^jmin,
 * 2^(jmax + 1)) (and with jmin + f >= 0, f the fractional bits), the bits
 * equal the comparisons [x - 2^j >= 0] of a ladder of adder runs, for one
 * adder run instead of jmax - jmin + 1 (about 9 times fewer bytes for the
 * default domain). Beyond 2^(jmin + w), and for negative x (outside every
 * domain here), some bits differ from the ladder's.
 */
export function powerOfTwoBits(ctx: PondContext, x: PondPrivateTensor, jmin: number, jmax: number): PackedBitRows {
  const count = jmax - jmin + 1;
  const f = x.fracBits;
  // 2^j sits at bit j + f; below bit 0 (f < -jmin) [x >= 2^j] is read as [x >= 1 unit].
  const low = Math.max(0, jmin + f);
  const window = suffixOr(ctx, bitsXor(ctx, x), jmax + f - low + 1);
  return { shape: x.shape, count, shares: onServers(ctx, async (i) => ring.packBitRows(await window.shares[i].value(), jmin + f, count)) };
}

/**
 * g(j*) for the largest j* in [jmin - 1, jmax] with x >= 2^j* (jmin - 1 when
 * none), for each g: g(jmin - 1) + sum_j b_j (g(j) - g(j - 1)), linear in the
 * bits, at `scale`; one injection of the bits serves every g.
 */
function bySegment(ctx: PondContext, bits: PackedBitRows, jmin: number, gs: readonly ((j: number) => number)[], scale: number): PondPrivateTensor[] {
  const weights = gs.map((g) => ring.encode(Float64Array.from({ length: bits.count }, (_, k) => g(jmin + k) - g(jmin + k - 1)), [bits.count], scale, 'segment'));
  return injectDots(ctx, bits, weights).map((shares, k) =>
    linear.add(ctx, new PondPrivateTensor(ctx.prot, bits.shape, shares, scale), publicScalar(ctx, gs[k](jmin - 1), scale)),
  );
}

/** 1 / x for x in [2^jmin, 2^(jmax+1)): Newton y <- y (2 - x y) from (2/3) 2^-j*. */
export function reciprocalPositive(ctx: PondContext, x: PondSecretTensor, jmin: number = DOMAIN.minExponent, jmax: number = DOMAIN.maxExponent): PondPrivateTensor {
  const p = unmasked(x);
  const f = p.fracBits;
  checkRange(jmin, jmax, 'reciprocal');
  const bits = powerOfTwoBits(ctx, p, jmin, jmax);
  let [y] = bySegment(ctx, bits, jmin, [(j) => (2 / 3) * 2 ** -j], SCALE);
  for (let k = 0; k < NEWTON_STEPS; k++) {
    const xy = productPrivate(ctx, p, y, MUL, SCALE);
    const twoMinus = linear.sub(ctx, publicScalar(ctx, 2, SCALE), xy);
    y = productPrivate(ctx, y, twoMinus, MUL, k === NEWTON_STEPS - 1 ? f : SCALE);
  }
  return y;
}

/** 1 / sqrt(x): Newton y <- y (3 - x y^2) / 2, starting from sqrt(2/3) 2^(-e/2) for x in [2^e, 2^(e+1)). */
export function invSqrtPositive(ctx: PondContext, x: PondSecretTensor, jmin: number = DOMAIN.minExponent, jmax: number = DOMAIN.maxExponent, steps = NEWTON_STEPS): PondPrivateTensor {
  const p = unmasked(x);
  const f = p.fracBits;
  checkRange(jmin, jmax, 'invSqrt');
  check(Number.isInteger(steps) && steps >= 1 && steps <= 8, () => `invSqrt: newtonSteps must be an integer in [1, 8], got ${String(steps)}`);
  const bits = powerOfTwoBits(ctx, p, jmin, jmax);
  let [y] = bySegment(ctx, bits, jmin, [(j) => Math.sqrt(2 / 3) * 2 ** (-j / 2)], SCALE);
  for (let k = 0; k < steps; k++) {
    const y2 = productPrivate(ctx, y, y, MUL, SCALE);
    const xy2 = productPrivate(ctx, p, y2, MUL, SCALE);
    const h = linear.sub(ctx, publicScalar(ctx, 3, SCALE), xy2);
    // y h / 2: truncate one bit further and read at the same scale.
    const last = k === steps - 1;
    const target = last ? f : SCALE;
    y = reinterpret(ctx, productPrivate(ctx, y, h, MUL, target - 1), target);
  }
  return y;
}

/** log(m) for m in [1, 2], in u = 2 (m - 1.5) (scripts/fit-approximations.py; error 3.4e-8). */
const LOG_1_2 = [
  0.405465103793, 0.333333083029, -0.0555553420567, 0.0123489689547, -0.0030881011462, 0.000811479047268, -0.000224036594437,
  8.00299111809e-5, -2.40291834406e-5,
];

/** Natural log: x = 2^j* m with m in [1, 2); log x = j* ln 2 + log m. */
export function logPositive(ctx: PondContext, x: PondSecretTensor, jmin: number = DOMAIN.minExponent, jmax: number = DOMAIN.maxExponent): PondPrivateTensor {
  const p = unmasked(x);
  const f = p.fracBits;
  checkRange(jmin, jmax, 'log');
  const bits = powerOfTwoBits(ctx, p, jmin, jmax);
  // 2^-j* is a sum of exact powers of two; m = x 2^-j*.
  const [inv, exponent] = bySegment(ctx, bits, jmin, [(j) => 2 ** -j, (j) => j * Math.LN2], SCALE);
  const m = productPrivate(ctx, p, inv, MUL, SCALE);
  const u = linear.sub(ctx, linear.mulPublicWords(ctx, m, TWO), publicScalar(ctx, 3, SCALE));
  const logM = linear.expectPrivate(polyval(ctx, u, LOG_1_2), 'log');
  return rescale(ctx, linear.add(ctx, exponent, logM), f);
}

/**
 * 1 / x for 2^-8 <= |x| < 2^15 of either sign: the sign bit and |x| come from
 * one adder run, then 1 / x = (1 - 2 s) / |x|.
 */
export function reciprocal(ctx: PondContext, x: PondSecretTensor): PondPrivateTensor {
  const { sign, abs } = signAndAbs(ctx, x);
  const r = reciprocalPositive(ctx, abs);
  // r (1 - 2 s): s is an integer, no truncation.
  return linear.sub(ctx, r, linear.mulPublicWords(ctx, productPrivate(ctx, sign, r, MUL), TWO));
}
