/**
 * Polynomials with public coefficients, the building block of tf-encrypted's
 * approximations (sigmoid, approximate ReLU) and of the piecewise ones here.
 */
import { check } from '../../errors.js';
import * as ring from '../../ring/index.js';
import { MUL, product } from './bilinear.js';
import { unmasked, type PondContext } from './context.js';
import * as linear from './linear.js';
import { PondPublicTensor, type PondTensor } from './tensors.js';
import { truncate } from './truncate.js';

/** A coefficient: one number for every element, or one per element (row-major). */
export type Coefficient = number | ArrayLike<number>;

function encodeCoefficient(c: Coefficient, x: PondTensor, fracBits: number): ring.RingTensor {
  if (typeof c === 'number') return ring.encode([c], [], fracBits, 'polyval');
  check(c.length === x.size, () => `polyval: a per-element coefficient needs ${x.size} values, got ${c.length}`);
  return ring.encode(c, x.shape, fracBits, 'polyval');
}

/**
 * sum_k c_k x^k (c_0 first), with the result at `target` fractional bits
 * (default: x's). Power k is the product of powers floor(k/2) and ceil(k/2),
 * so the depth is ceil(log2 degree) products, and each power is masked once
 * however often it is used. Terms are added at scale 2f and truncated once.
 * Keep |c_k x^k| < 2^(62 - 2f) (2^30 for f = 16).
 */
export function polyval(ctx: PondContext, x: PondTensor, coefficients: readonly Coefficient[], target = x.fracBits): PondTensor {
  check(coefficients.length > 0, () => 'polyval: needs at least one coefficient');
  for (const c of coefficients) {
    const values = typeof c === 'number' ? [c] : Array.from(c);
    check(values.every((v) => Number.isFinite(v)), () => 'polyval: coefficients must be finite numbers');
  }
  const f = x.fracBits;
  check(Number.isInteger(target) && target >= 0 && target <= 2 * f, () => `polyval: target scale ${target} must be in [0, ${2 * f}]`);
  const isZero = (c: Coefficient): boolean => (typeof c === 'number' ? c === 0 : Array.from(c).every((v) => v === 0));
  const degree = coefficients.length - 1;
  const powers: PondTensor[] = [x];
  for (let k = 2; k <= degree; k++) {
    powers.push(product(ctx, powers[Math.floor(k / 2) - 1], powers[Math.ceil(k / 2) - 1], MUL));
  }
  // c_0 at scale 2f, broadcast to x's shape so that the sum has it even if all other c_k are 0.
  let acc: PondTensor = new PondPublicTensor(ctx.prot, ring.broadcastTo(encodeCoefficient(coefficients[0], x, 2 * f), x.shape), 2 * f);
  coefficients.forEach((c, k) => {
    if (k === 0 || isZero(c)) return;
    acc = linear.add(ctx, acc, linear.mulPublicWords(ctx, powers[k - 1], encodeCoefficient(c, x, f), f));
  });
  if (acc.kind === 'public') return new PondPublicTensor(ctx.prot, ring.shr(acc.value, 2 * f - target), target);
  return truncate(ctx, unmasked(acc), 2 * f - target);
}
