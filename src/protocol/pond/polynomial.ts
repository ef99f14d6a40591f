/**
 * Polynomials with public coefficients, the building block of tf-encrypted's
 * approximations (sigmoid, approximate ReLU).
 */
import { check } from '../../errors.js';
import * as ring from '../../ring/index.js';
import { MUL, product } from './bilinear.js';
import type { PondContext } from './context.js';
import * as linear from './linear.js';
import { PondPublicTensor, type PondTensor } from './tensors.js';
import { truncate } from './truncate.js';

/**
 * sum_k c_k x^k (c_0 first). Power k is the product of powers floor(k/2) and
 * ceil(k/2), so the depth is ceil(log2 degree) products, and each power is
 * masked once however often it is used. Terms are added at scale 2f and
 * truncated once. Keep |c_k x^k| < 2^(62 - 2f) (2^30 for f = 16).
 */
export function polyval(ctx: PondContext, x: PondTensor, coefficients: readonly number[]): PondTensor {
  check(
    coefficients.length > 0 && coefficients.every((c) => Number.isFinite(c)),
    () => 'polyval: coefficients must be a non-empty list of finite numbers',
  );
  const f = x.fracBits;
  const powers: PondTensor[] = [x];
  for (let k = 2; k < coefficients.length; k++) {
    powers.push(product(ctx, powers[Math.floor(k / 2) - 1], powers[Math.ceil(k / 2) - 1], MUL));
  }
  // c_0 at scale 2f, broadcast to x's shape so the sum has it even if all other c_k are 0.
  let acc: PondTensor = new PondPublicTensor(ctx.prot, ring.broadcastTo(ring.encode([coefficients[0]], [], 2 * f, 'polyval'), x.shape), 2 * f);
  coefficients.forEach((c, k) => {
    if (k === 0 || c === 0) return;
    acc = linear.add(ctx, acc, linear.mulPublicWords(ctx, powers[k - 1], ring.encode([c], [], f, 'polyval'), f));
  });
  if (acc.kind === 'public') return new PondPublicTensor(ctx.prot, ring.shr(acc.value, f), f);
  return truncate(ctx, linear.unmasked(acc), f);
}
