/**
 * Pond's comparisons, selections and smooth functions as op-table entries.
 * Comparisons are exact (a parallel-prefix adder on XOR shares); smooth
 * functions are approximations whose error bounds the tests measure.
 */
import { check, ValueError } from '../../../errors.js';
import * as ring from '../../../ring/index.js';
import { NO_COST, type OpCost } from '../../api/index.js';
import { suffixOrLevels } from '../../binary/suffix-or.js';
import { MUL, product } from '../bilinear.js';
import * as compare from '../compare.js';
import type { CostBuilder } from '../cost.js';
import { publicValues, type PondContext } from '../context.js';
import * as linear from '../linear.js';
import { argmax, maxPool2d, reduceMax } from '../select.js';
import { exp as smoothExp, EXP_LOWER, EXP_UPPER } from '../smooth/exp.js';
import * as inverse from '../smooth/inverse.js';
import { reluApprox, sigmoid, tanh } from '../smooth/sigmoid.js';
import { softmax } from '../smooth/softmax.js';
import type { PondPublicTensor, PondTensor } from '../tensors.js';
import { lift, secret, toMask, type CostContext, type PondOpTable } from './types.js';

/** Cost of an exact comparison producing `out` bits, free when every operand is public. */
function msbCost(cc: CostContext, out: PondTensor): OpCost {
  return out.kind === 'public' ? NO_COST : cc.builder().msb(out.size).build();
}

function reluCost(cc: CostContext, out: PondTensor, n = out.size): OpCost {
  return out.kind === 'public' ? NO_COST : cc.builder().relu(n).build();
}

/** A function of a public tensor computed in the clear; `domain` rejects bad inputs by name. */
function publicMap(ctx: PondContext, x: PondPublicTensor, fn: (v: number) => number, op: string, domain?: (v: number) => boolean, expected?: string): PondPublicTensor {
  const values = ring.decode(x.value, x.fracBits);
  if (domain !== undefined && !values.every(domain)) throw new ValueError(`${op}: the public input has values outside the domain; expected ${expected}`);
  return publicValues(ctx, values.map(fn), x.shape, ctx.fracBits, op);
}

/**
 * The bits [x >= 2^j] of reciprocal, invSqrt and log (inverse.powerOfTwoBits): one adder run
 * decomposing x, a suffix OR over a window of `count` bits, the injection of `count` bits per element.
 */
function ladder(c: CostBuilder, n: number, count = inverse.DOMAIN.maxExponent - inverse.DOMAIN.minExponent + 1): CostBuilder {
  return c.adder(n).suffixOr(n, suffixOrLevels(count)).inject(count * n, 0);
}

/** The accurate sigmoid (smooth/sigmoid.ts): sign and |x|, five polynomials, piece selection, symmetry. */
function sigmoidCost(c: CostBuilder, n: number, method: 'accurate' | 'polynomial'): CostBuilder {
  if (method === 'polynomial') return c.relu(2 * n).polynomial(n, 9);
  return c.relu(n).polynomial(5 * n, 4).relu(5 * n).product(2 * n, n, 0);
}

/** exp (smooth/exp.ts): the clamp, a degree-5 Taylor polynomial, six squarings of truncated values (four part products each, nothing opened). */
function expCost(c: CostBuilder, n: number, upper: number): CostBuilder {
  c.relu(upper === 0 ? n : 2 * n).polynomial(n, 5);
  for (let k = 0; k < 6; k++) c.partProduct(0, n, 4);
  return c;
}

/**
 * 1/x for positive x (smooth/inverse.ts): the ladder, then 4 Newton steps of
 * two products. The first opens x and y; after it every operand is masked
 * already: y and 2 - x y carry truncation masks (mask-parts.ts).
 */
function reciprocalPositiveCost(c: CostBuilder, n: number, ladderN = n): CostBuilder {
  ladder(c, ladderN);
  c.product(2 * n, n).partProduct(0, n, 2);
  for (let k = 1; k < 4; k++) c.partProduct(0, n, 2).partProduct(0, n, 4);
  return c;
}

/** softmax over rows of k (smooth/softmax.ts): the max tournament, exp, the reciprocal of the row sums, the product. */
function softmaxCost(c: CostBuilder, n: number, k: number): CostBuilder {
  const rows = n / k;
  c.tournament(k, rows);
  expCost(c, n, 0);
  ladder(c, rows, Math.max(0, Math.floor(Math.log2(k))) + 1);
  c.product(2 * rows, rows).partProduct(0, rows, 2);
  for (let s = 1; s < 4; s++) c.partProduct(0, rows, 2).partProduct(0, rows, 4);
  // e * (1 / sum): both truncation results, nothing opened.
  return c.partProduct(0, n, 4);
}

export const nonlinearOps = {
  maxPool2d: {
    run: (ctx, x, poolSize, options) => maxPool2d(ctx, secret(x, 'maxPool2d'), poolSize, options),
    cost: (cc, out, x, poolSize) => {
      const [h, w] = typeof poolSize === 'number' ? [poolSize, poolSize] : poolSize;
      return cc.builder().tournament(h * w, out.size).build();
    },
  },
  max: {
    run: (ctx, x, axis, keepDims = false) => reduceMax(ctx, secret(x, 'max'), axis === undefined || typeof axis === 'number' ? axis : [...axis], keepDims),
    cost: (cc, out, x) => cc.builder().tournament(x.size / out.size, out.size).build(),
  },
  argmax: {
    run: (ctx, x, axis = -1) => argmax(ctx, secret(x, 'argmax'), axis),
    cost: (cc, out, x) => {
      const c = cc.builder();
      for (let k = x.size / out.size; k > 1; k = Math.ceil(k / 2)) {
        const h = Math.floor(k / 2) * out.size;
        c.open(2 * h).sign(h).inject(h, 2);
      }
      return c.build();
    },
  },
  isNegative: { run: (ctx, x) => compare.isNegative(ctx, x), cost: msbCost },
  greater: { run: (ctx, x, y) => compare.greater(ctx, x, lift(ctx, y)), cost: msbCost },
  less: { run: (ctx, x, y) => compare.less(ctx, x, lift(ctx, y)), cost: msbCost },
  greaterEqual: { run: (ctx, x, y) => compare.greaterEqual(ctx, x, lift(ctx, y)), cost: msbCost },
  lessEqual: { run: (ctx, x, y) => compare.lessEqual(ctx, x, lift(ctx, y)), cost: msbCost },
  equal: {
    run: (ctx, x, y) => compare.equal(ctx, x, lift(ctx, y)),
    cost: (cc, out) => (out.kind === 'public' ? NO_COST : cc.builder().sign(2 * out.size).inject(out.size, 0).build()),
  },
  sign: {
    run: (ctx, x) => compare.sign(ctx, x),
    cost: (cc, out) => (out.kind === 'public' ? NO_COST : cc.builder().msb(2 * out.size).build()),
  },
  abs: { run: (ctx, x) => compare.abs(ctx, x), cost: (cc, out) => reluCost(cc, out) },
  relu: { run: (ctx, x) => compare.relu(ctx, x, ctx.reluBits), cost: (cc, out) => (out.kind === 'public' ? NO_COST : cc.builder().relu(out.size, cc.reluBits).build()) },
  reluGrad: { run: (ctx, x) => compare.reluGrad(ctx, x), cost: msbCost },
  maximum: { run: (ctx, x, y) => compare.maximum(ctx, x, lift(ctx, y)), cost: (cc, out) => reluCost(cc, out) },
  minimum: { run: (ctx, x, y) => compare.minimum(ctx, x, lift(ctx, y)), cost: (cc, out) => reluCost(cc, out) },
  clip: {
    run: (ctx, x, lo, hi) => {
      if (typeof lo === 'number' && typeof hi === 'number') check(lo <= hi, () => `clip: lo (${lo}) must not exceed hi (${hi})`);
      return compare.clip(ctx, x, lift(ctx, lo), lift(ctx, hi));
    },
    cost: (cc, out) => reluCost(cc, out, 2 * out.size),
  },
  where: {
    // b + condition * (a - b): the condition is an integer 0/1, so nothing is truncated.
    run: (ctx, cond, a, b) => {
      const bb = lift(ctx, b);
      return linear.add(ctx, bb, product(ctx, cond, linear.sub(ctx, lift(ctx, a), bb), MUL));
    },
    cost: (cc, out, cond, a, b) => {
      const diffSecret = [a, b].some((v) => typeof v !== 'number' && v.kind !== 'public');
      if (cond.kind === 'public' || !diffSecret) return NO_COST;
      return cc.builder().product(toMask(cc, cond) + out.size, out.size, 0).build();
    },
  },
  sigmoid: {
    run: (ctx, x, options = {}) => sigmoid(ctx, secret(x, 'sigmoid'), options.method),
    cost: (cc, out, x, options = {}) => sigmoidCost(cc.builder(), x.size, options.method ?? 'accurate').build(),
  },
  tanh: {
    run: (ctx, x, options = {}) => tanh(ctx, secret(x, 'tanh'), options.method),
    cost: (cc, out, x, options = {}) => sigmoidCost(cc.builder(), x.size, options.method ?? 'accurate').build(),
  },
  reluApprox: { run: (ctx, x) => reluApprox(ctx, secret(x, 'reluApprox')), cost: (cc, out, x) => cc.builder().polynomial(x.size, 4).build() },
  exp: {
    run: (ctx, x, options = {}) => {
      const lower = options.lower ?? EXP_LOWER;
      const upper = options.upper ?? EXP_UPPER;
      if (x.kind === 'public') return publicMap(ctx, x, (v) => Math.exp(Math.min(Math.max(v, lower), upper)), 'exp');
      return smoothExp(ctx, x, lower, upper);
    },
    cost: (cc, out, x, options = {}) => (x.kind === 'public' ? NO_COST : expCost(cc.builder(), x.size, options.upper ?? EXP_UPPER).build()),
  },
  reciprocal: {
    run: (ctx, x) => (x.kind === 'public' ? publicMap(ctx, x, (v) => 1 / v, 'reciprocal', (v) => v !== 0, 'x != 0') : inverse.reciprocal(ctx, x)),
    cost: (cc, out, x) => (x.kind === 'public' ? NO_COST : reciprocalPositiveCost(cc.builder().relu(x.size), x.size).partProduct(x.size, x.size, 2, 0).build()),
  },
  invSqrt: {
    run: (ctx, x, options = {}) =>
      x.kind === 'public' ? publicMap(ctx, x, (v) => 1 / Math.sqrt(v), 'invSqrt', (v) => v > 0, 'x > 0') : inverse.invSqrtPositive(ctx, x, undefined, undefined, options.newtonSteps),
    cost: (cc, out, x, options = {}) => {
      if (x.kind === 'public') return NO_COST;
      const n = x.size;
      // The first step opens y, then x (y^2 carries a truncation's mask, and 3 - x y^2 too);
      // the later ones open nothing: y, y^2, x and 3 - x y^2 are all masked.
      const c = ladder(cc.builder(), n).product(n, n).partProduct(n, n, 2).partProduct(0, n, 2);
      for (let k = 1; k < (options.newtonSteps ?? inverse.NEWTON_STEPS); k++) c.partProduct(0, n, 4).partProduct(0, n, 2).partProduct(0, n, 4);
      return c.build();
    },
  },
  log: {
    run: (ctx, x) => (x.kind === 'public' ? publicMap(ctx, x, Math.log, 'log', (v) => v > 0, 'x > 0') : inverse.logPositive(ctx, x)),
    cost: (cc, out, x) => (x.kind === 'public' ? NO_COST : ladder(cc.builder(), x.size).product(2 * x.size, x.size).polynomial(x.size, 8).truncate(x.size).build()),
  },
  softmax: {
    run: (ctx, x) => softmax(ctx, secret(x, 'softmax')),
    cost: (cc, out, x) => softmaxCost(cc.builder(), x.size, x.shape[x.rank - 1]).build(),
  },
} satisfies Pick<
  PondOpTable,
  | 'maxPool2d' | 'max' | 'argmax' | 'isNegative' | 'greater' | 'less' | 'greaterEqual' | 'lessEqual' | 'equal' | 'sign' | 'abs' | 'relu'
  | 'reluGrad' | 'maximum' | 'minimum' | 'clip' | 'where' | 'sigmoid' | 'tanh' | 'reluApprox' | 'exp' | 'reciprocal' | 'invSqrt' | 'log' | 'softmax'
>;
