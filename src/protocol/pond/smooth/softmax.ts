/**
 * softmax along the last axis: subtract the exact maximum (a comparison
 * tournament), so every exponent is <= 0 and exp needs only its lower clamp;
 * the row sums lie in [1, k], so the reciprocal's comparison ladder is short.
 */
import * as ring from '../../../ring/index.js';
import { MUL, productPrivate } from '../bilinear.js';
import { mapShares, unmasked, type PondContext } from '../context.js';
import * as linear from '../linear.js';
import { maxOverAxis1 } from '../select.js';
import type { PondPrivateTensor, PondSecretTensor } from '../tensors.js';
import { exp } from './exp.js';
import { reciprocalPositive } from './inverse.js';

/** softmax(x) along the last axis. Within 5e-5 of float64 (measured in the tests). */
export function softmax(ctx: PondContext, x: PondSecretTensor): PondPrivateTensor {
  const p = unmasked(x);
  const k = p.shape[p.rank - 1];
  const m = p.size / k;
  const rows = mapShares(ctx, p, [m, k, 1], p.fracBits, (s) => s.withShape([m, k, 1]));
  const max = mapShares(ctx, maxOverAxis1(ctx, rows), [m, 1], p.fracBits, (s) => s.withShape([m, 1]));
  const z = linear.sub(ctx, mapShares(ctx, p, [m, k], p.fracBits, (s) => s.withShape([m, k])), max);
  const e = exp(ctx, z, -20, 0);
  const sums = mapShares(ctx, e, [m, 1], e.fracBits, (s) => ring.sum(s, 1, true));
  // Each sum is in [1, k]: exponents 0 .. floor(log2 k).
  const inv = reciprocalPositive(ctx, sums, 0, Math.max(0, Math.floor(Math.log2(k))));
  const out = productPrivate(ctx, e, inv, MUL);
  return mapShares(ctx, out, p.shape, out.fracBits, (s) => s.withShape(p.shape));
}
