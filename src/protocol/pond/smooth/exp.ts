/**
 * exp by a limit-style approximation with range reduction by squaring:
 *   e^x = (e^(x/64))^64,  e^u ~ 1 + u + u^2/2 + ... + u^5/120 for |u| <= 1/3,
 * after clamping x to [lower, upper]. The Taylor error is below
 * |u|^6 e^|u| / 720 < 2.8e-6 relative, times 64 after the squarings: < 2e-4
 * relative. Each step runs at the highest fixed-point scale its values allow
 * (up to 30 fractional bits while the values stay below 1), so rounding adds
 * little; the tests measure the total.
 */
import { check } from '../../../errors.js';
import { MUL, productPrivate } from '../bilinear.js';
import { clip, relu } from '../compare.js';
import { publicScalar, type PondContext } from '../context.js';
import * as linear from '../linear.js';
import { polyval } from '../polynomial.js';
import type { PondPrivateTensor, PondSecretTensor } from '../tensors.js';
import { reinterpret, rescale } from './tools.js';

/** Default domain of exp: below -20 the result is 0 to fixed-point precision. */
export const EXP_LOWER = -20;
/** Default upper clamp: e^10 = 22026; larger inputs saturate there. */
export const EXP_UPPER = 10;

const SQUARINGS = 6;
const TAYLOR = [1, 1, 1 / 2, 1 / 6, 1 / 24, 1 / 120];
/** Highest internal scale: products of values below 2 must stay below 2^62. */
const MAX_SCALE = 30;

/**
 * e^x for x clamped to [lower, upper] (upper = 0 skips the upper clamp's cost
 * when the caller knows x <= 0, as softmax does).
 */
export function exp(ctx: PondContext, x: PondSecretTensor, lower = EXP_LOWER, upper = EXP_UPPER): PondPrivateTensor {
  check(lower < upper && lower >= -64 && upper <= 20, () => `exp: clamp interval [${lower}, ${upper}] must lie in [-64, 20]`);
  const f = x.fracBits;
  const xc = upper === 0
    ? linear.add(ctx, publicScalar(ctx, lower, f), relu(ctx, linear.sub(ctx, x, publicScalar(ctx, lower, f))))
    : linear.expectPrivate(clip(ctx, x, publicScalar(ctx, lower, f), publicScalar(ctx, upper, f)), 'exp');
  // Before squaring k, y <= B_k = e^(U 2^k / 64) with U = max(upper, 0); squaring
  // it at scale F needs B_(k+1) 2^(2F) < 2^62, i.e. F < 31 - log2(B_(k+1)) / 2.
  const log2Bound = (k: number): number => (Math.max(upper, 0) * 2 ** k) / 64 / Math.LN2;
  const scaleBefore = (k: number): number => Math.min(MAX_SCALE, Math.ceil(31 - log2Bound(k + 1) / 2) - 1);
  check(scaleBefore(SQUARINGS - 1) >= f, () => `exp: an upper clamp of ${upper} is too large for ${f} fractional bits`);
  // u = x / 64: the same words at 6 more fractional bits, raised to the working scale.
  const u = rescale(ctx, reinterpret(ctx, linear.expectPrivate(xc, 'exp'), f + 6), Math.max(scaleBefore(0), f + 6));
  let y = linear.expectPrivate(polyval(ctx, u, TAYLOR, scaleBefore(0)), 'exp');
  for (let k = 0; k < SQUARINGS; k++) {
    const target = k < SQUARINGS - 1 ? scaleBefore(k + 1) : f;
    y = productPrivate(ctx, y, y, MUL, target);
  }
  return y;
}
