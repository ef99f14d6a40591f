/**
 * Pond's linear ops (local on shares, free) and products (Beaver: masks
 * opened once, then a truncation round), as op-table entries.
 */
import { check, checkShape } from '../../../errors.js';
import * as ring from '../../../ring/index.js';
import { pair, windowCounts, windowGeometry } from '../../../ring/index.js';
import { NO_COST, type OpCost } from '../../api/index.js';
import { maskAll } from '../beaver.js';
import { conv2dBackpropFilterOp, conv2dBackpropInputOp, conv2dOp, depthwiseConv2dBackpropFilterOp, depthwiseConv2dBackpropInputOp, depthwiseConv2dOp, MATMUL, MUL, product } from '../bilinear.js';
import { publicValues, toPrivate, unmasked, zipShares, type PondContext } from '../context.js';
import * as linear from '../linear.js';
import { polyval } from '../polynomial.js';
import { PondPublicTensor, type PondTensor } from '../tensors.js';
import { mulScalar, scalarTerms } from '../scalar.js';
import { truncate } from '../truncate.js';
import { MAX_PAIRS } from '../mask-parts.js';
import { lift, secret, toMask, type CostContext, type PondOp, type PondOpTable } from './types.js';

/** The cost of op(x, y) truncated to `target` bits (a product with a public operand only truncates). */
export function productCost(cc: CostContext, out: PondTensor, x: PondTensor, y: PondTensor, target = Math.max(x.fracBits, y.fracBits), elementwise = false): OpCost {
  const bits = x.fracBits + y.fracBits - target;
  if (x.kind === 'public' && y.kind === 'public') return NO_COST;
  if (x.kind === 'public' || y.kind === 'public') return cc.builder().truncate(out.size, bits).build();
  // An elementwise product with a truncation's result opens nothing for it (mask-parts.ts).
  const [px, py] = [cc.partsBefore(x), cc.partsBefore(y)];
  if (elementwise && px + py > 0 && Math.max(px, 1) * Math.max(py, 1) <= MAX_PAIRS) {
    return cc.builder().partProduct(toMask(cc, ...[x, y].filter((t) => cc.partsBefore(t) === 0)), out.size, Math.max(px, 1) * Math.max(py, 1), bits).build();
  }
  return cc.builder().product(toMask(cc, x, y), out.size, bits).build();
}

/** x times a public number: an integer multiplies the words exactly, any other real at full precision (scalar.ts). */
function mulNumber(ctx: PondContext, x: PondTensor, y: number, context = 'mul'): PondTensor {
  return mulScalar(ctx, x, y, context);
}

/** One truncation round, with one term per part of the scalar (scalar.ts). */
function mulNumberCost(cc: CostContext, out: PondTensor, x: PondTensor, y: number): OpCost {
  const terms = scalarTerms(y, cc.fracBits, x.fracBits, x.kind === 'public');
  return terms === 0 ? NO_COST : cc.builder().truncate(out.size, Math.min(x.fracBits, cc.fracBits), terms).build();
}

/** x / c for a public nonzero number: x * (1 / c) at full precision. */
function divNumber(ctx: PondContext, x: PondTensor, c: number): PondTensor {
  check(c !== 0, () => 'div: division by zero');
  return mulNumber(ctx, x, 1 / c, 'div');
}

const free = (): OpCost => NO_COST;

/** An op that maps the value (public) or each share (private) linearly. */
function linearOp<K extends 'neg' | 'col2im' | 'slice' | 'pad' | 'sum' | 'reshape' | 'broadcastTo' | 'gather' | 'transpose'>(run: PondOp<K>['run']): PondOp<K> {
  return { run, cost: free };
}

export const arithmeticOps = {
  add: { run: (ctx, x, y) => linear.add(ctx, x, lift(ctx, y)), cost: free },
  sub: { run: (ctx, x, y) => linear.sub(ctx, x, lift(ctx, y)), cost: free },
  neg: linearOp<'neg'>((ctx, x) => linear.linearMap(ctx, x, x.shape, ring.neg)),
  mul: {
    run: (ctx, x, y) => (typeof y === 'number' ? mulNumber(ctx, x, y) : product(ctx, x, y, MUL)),
    cost: (cc, out, x, y) => (typeof y === 'number' ? mulNumberCost(cc, out, x, y) : productCost(cc, out, x, y, undefined, true)),
  },
  div: { run: (ctx, x, c) => divNumber(ctx, x, c), cost: (cc, out, x, c) => (c === 0 ? NO_COST : mulNumberCost(cc, out, x, 1 / c)) },
  square: { run: (ctx, x) => product(ctx, x, x, MUL), cost: (cc, out, x) => productCost(cc, out, x, x, undefined, true) },
  matmul: { run: (ctx, x, y) => product(ctx, x, y, MATMUL), cost: (cc, out, x, y) => productCost(cc, out, x, y) },
  conv2d: { run: (ctx, x, f, options = {}) => product(ctx, x, f, conv2dOp(options)), cost: (cc, out, x, f) => productCost(cc, out, x, f) },
  depthwiseConv2d: {
    run: (ctx, x, f, options = {}) => product(ctx, x, f, depthwiseConv2dOp(options)),
    cost: (cc, out, x, f) => productCost(cc, out, x, f),
  },
  conv2dBackpropInput: {
    run: (ctx, dy, f, inputShape, options = {}) => product(ctx, dy, f, conv2dBackpropInputOp(inputShape, options)),
    cost: (cc, out, dy, f) => productCost(cc, out, dy, f),
  },
  conv2dBackpropFilter: {
    run: (ctx, x, dy, filterShape, options = {}) => product(ctx, x, dy, conv2dBackpropFilterOp(filterShape, options)),
    cost: (cc, out, x, dy) => productCost(cc, out, x, dy),
  },
  depthwiseConv2dBackpropInput: {
    run: (ctx, dy, f, inputShape, options = {}) => product(ctx, dy, f, depthwiseConv2dBackpropInputOp(inputShape, options)),
    cost: (cc, out, dy, f) => productCost(cc, out, dy, f),
  },
  depthwiseConv2dBackpropFilter: {
    run: (ctx, x, dy, filterShape, options = {}) => product(ctx, x, dy, depthwiseConv2dBackpropFilterOp(filterShape, options)),
    cost: (cc, out, x, dy) => productCost(cc, out, x, dy),
  },
  col2im: linearOp<'col2im'>((ctx, x, inputShape, kernel, options = {}) => {
    const k = pair(kernel, 'kernel', 'col2im');
    const g = windowGeometry(inputShape, k, pair(options.strides ?? k, 'strides', 'col2im'), options.padding ?? 'valid', 'col2im');
    checkShape(x.rank === 2 && x.shape[0] === g.batch * g.outHeight * g.outWidth && x.shape[1] === k[0] * k[1] * g.channels, () => `col2im: expected patches of shape [${g.batch * g.outHeight * g.outWidth},${k[0] * k[1] * g.channels}], got ${ring.fmt(x.shape)}`);
    return linear.linearMap(ctx, x, [...inputShape], (t) => ring.col2im(t, g));
  }),
  slice: linearOp<'slice'>((ctx, x, begin, size) => linear.linearMap(ctx, x, ring.sliceShape(x.shape, begin, size), (t) => ring.slice(t, begin, size))),
  concat: {
    run: (ctx, x, others, axis = 0) => {
      const xs = [x, ...others];
      const f = Math.max(...xs.map((t) => t.fracBits));
      const parts = xs.map((t) => linear.rescaleUp(ctx, t, f));
      const shape = ring.concatShape(parts.map((p) => p.shape), axis);
      if (parts.every((p) => p.kind === 'public')) return new PondPublicTensor(ctx.prot, ring.concat(parts.map((p) => (p as PondPublicTensor).value), axis), f);
      return zipShares(ctx, parts.map((p) => toPrivate(ctx, p)), shape, f, (shares) => ring.concat(shares, axis));
    },
    cost: free,
  },
  pad: linearOp<'pad'>((ctx, x, paddings) => linear.linearMap(ctx, x, ring.padShape(x.shape, paddings), (t) => ring.pad(t, paddings))),
  avgPool2d: {
    // The window sum is exact; the divisor 1/n is encoded with fracBits bits,
    // so the result is within |window sum| 2^-(fracBits+1) + 1 unit of the
    // exact average (exact divisors such as 1/4 add nothing). 'same' padding
    // divides by the pixels under each window, as tfjs does.
    run: (ctx, x, poolSize, options = {}) => {
      const kernel = pair(poolSize, 'poolSize', 'avgPool2d');
      const g = windowGeometry(x.shape, kernel, pair(options.strides ?? kernel, 'strides', 'avgPool2d'), options.padding ?? 'valid', 'avgPool2d');
      const summed = linear.linearMap(ctx, x, [g.batch, g.outHeight, g.outWidth, g.channels], (t) => ring.sumPool2d(t, g));
      const inv = Float64Array.from(windowCounts(g), (c) => 1 / c);
      return product(ctx, summed, publicValues(ctx, inv, [1, g.outHeight, g.outWidth, 1], ctx.fracBits, 'avgPool2d'), MUL);
    },
    cost: (cc, out, x) => (x.kind === 'public' ? NO_COST : cc.builder().truncate(out.size, Math.min(x.fracBits, cc.fracBits)).build()),
  },
  sum: linearOp<'sum'>((ctx, x, axis, keepDims = false) =>
    linear.linearMap(ctx, x, ring.reducedShape(x.shape, axis, keepDims), (t) => ring.sum(t, axis, keepDims)),
  ),
  mean: {
    run: (ctx, x, axis, keepDims = false) => {
      const n = meanCount(x, axis);
      const summed = linear.linearMap(ctx, x, ring.reducedShape(x.shape, axis, keepDims), (t) => ring.sum(t, axis, keepDims));
      return mulNumber(ctx, summed, 1 / n, 'mean');
    },
    cost: (cc, out, x, axis) => mulNumberCost(cc, out, x, 1 / meanCount(x, axis)),
  },
  // Reshapes and transposes keep an open mask (the backward pass multiplies by transposed weights).
  reshape: linearOp<'reshape'>((ctx, x, shape) => {
    const out = ring.resolveReshape(x.shape, shape);
    return linear.linearMapKeepingMask(ctx, x, out, (t) => t.withShape(out));
  }),
  broadcastTo: linearOp<'broadcastTo'>((ctx, x, shape) => {
    const out = ring.broadcastShapes(x.shape, shape, 'broadcastTo');
    checkShape(ring.shapesEqual(out, shape), () => `broadcastTo: shape ${ring.fmt(x.shape)} cannot be broadcast to ${ring.fmt(shape)}`);
    return linear.linearMap(ctx, x, out, (t) => ring.broadcastTo(t, out));
  }),
  gather: linearOp<'gather'>((ctx, x, indices, axis = 0) => {
    const ax = ring.normalizeAxis(axis, x.rank, 'gather');
    const len = x.shape[ax];
    check(indices.every((i) => Number.isInteger(i) && i >= 0 && i < len), () => `gather: indices must be integers in [0, ${len}) along axis ${ax} of ${ring.fmt(x.shape)}`);
    const shape = x.shape.map((d, i) => (i === ax ? indices.length : d));
    // Keeps an open mask: the batches of a dataset masked once are masked.
    return linear.linearMapKeepingMask(ctx, x, shape, (t) => ring.gather(t, indices, ax));
  }),
  transpose: linearOp<'transpose'>((ctx, x, perm) => linear.linearMapKeepingMask(ctx, x, ring.transposeShape(x.shape, perm), (t) => ring.transpose(t, perm))),
  polyval: {
    run: (ctx, x, coefficients) => polyval(ctx, x, coefficients),
    cost: (cc, out, x, coefficients) => (x.kind === 'public' ? NO_COST : cc.builder().polynomial(x.size, coefficients.length - 1, coefficients.length > 1 ? x.fracBits : 0).build()),
  },
  truncate: {
    run: (ctx, x, bits = ctx.fracBits) => {
      const s = secret(x, 'truncate');
      check(Number.isInteger(bits) && bits >= 0 && bits <= s.fracBits, () => `truncate: bits must be an integer in [0, ${s.fracBits}], got ${bits}`);
      return truncate(ctx, unmasked(s), bits);
    },
    cost: (cc, out, x, bits = x.fracBits) => cc.builder().truncate(out.size, bits).build(),
  },
  mask: {
    run: (ctx, x) => maskAll(ctx, [secret(x, 'mask')])[0],
    cost: (cc, out, x) => cc.builder().open(toMask(cc, x)).build(),
  },
} satisfies Pick<PondOpTable, 'add' | 'sub' | 'neg' | 'mul' | 'div' | 'square' | 'matmul' | 'conv2d' | 'depthwiseConv2d' | 'conv2dBackpropInput' | 'conv2dBackpropFilter' | 'depthwiseConv2dBackpropInput' | 'depthwiseConv2dBackpropFilter' | 'col2im' | 'slice' | 'concat' | 'pad' | 'avgPool2d' | 'sum' | 'mean' | 'reshape' | 'broadcastTo' | 'gather' | 'transpose' | 'polyval' | 'truncate' | 'mask'>;

/** The number of entries `mean` divides by. */
function meanCount(x: PondTensor, axis: number | readonly number[] | undefined): number {
  const n = ring.reductionAxes(x.shape, axis, 'mean').reduce((acc, a) => acc * x.shape[a], 1);
  check(n > 0, () => 'mean: cannot average over an empty dimension');
  return n;
}
