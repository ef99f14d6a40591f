/**
 * Products: elementwise mul, matmul and conv2d share one dispatch on operand
 * kinds and one Beaver routine. A product of scales fx and fy has fx + fy
 * fractional bits and is truncated back to max(fx, fy): multiplying by an
 * integer (fracBits 0) is exact and needs no truncation.
 */
import { check, checkShape } from '../../errors.js';
import * as ring from '../../ring/index.js';
import { broadcastShapes, conv2dGeometry, depthwiseGeometry, fmt, matmulShape, shapesEqual, type Conv2dOptions, type Shape } from '../../ring/index.js';
import type { BilinearOp } from '../dealer/triple-source.js';
import { beaver, maskAll } from './beaver.js';
import { mulByParts } from './mask-parts.js';
import { mapShares, unmasked, type PondContext } from './context.js';
import { truncate } from './truncate.js';
import type { PondPrivateTensor } from './tensors.js';
import { PondPublicTensor, type PondSecretTensor, type PondTensor } from './tensors.js';

/** Elementwise product with broadcasting. */
export const MUL: BilinearOp = {
  name: 'mul',
  outShape: (x, y) => broadcastShapes(x, y, 'mul'),
  apply: ring.mul,
};

/** Matrix product of the last two dimensions. */
export const MATMUL: BilinearOp = {
  name: 'matmul',
  outShape: matmulShape,
  apply: (x, y) => ring.matmul(x, y),
};

/** conv2d with fixed options: input NHWC, filter HWIO. */
export function conv2dOp(options: Conv2dOptions): BilinearOp {
  return {
    name: 'conv2d',
    outShape: (x, f) => {
      const g = conv2dGeometry(x, f, options);
      return [g.batch, g.outHeight, g.outWidth, f[3]];
    },
    apply: (x, f) => ring.conv2d(x, f, options),
  };
}

/** depthwiseConv2d with fixed options: input NHWC, filter [kh, kw, in, multiplier]. */
export function depthwiseConv2dOp(options: Conv2dOptions): BilinearOp {
  return {
    name: 'depthwiseConv2d',
    outShape: (x, f) => {
      const g = depthwiseGeometry(x, f, options);
      return [g.batch, g.outHeight, g.outWidth, f[2] * f[3]];
    },
    apply: (x, f) => ring.depthwiseConv2d(x, f, options),
  };
}

/** The input gradient of conv2d(x, filter) for an input of `inputShape`: bilinear in (dy, filter). */
export function conv2dBackpropInputOp(inputShape: Shape, options: Conv2dOptions): BilinearOp {
  return {
    name: 'conv2dBackpropInput',
    outShape: (dy, f) => {
      const g = conv2dGeometry(inputShape, f, options);
      checkShape(shapesEqual(dy, [g.batch, g.outHeight, g.outWidth, f[3]]), () => `conv2dBackpropInput: dy ${fmt(dy)} is not conv2d's output for input ${fmt(inputShape)} and filter ${fmt(f)}`);
      return [...inputShape];
    },
    apply: (dy, f) => ring.conv2dBackpropInput(dy, f, conv2dGeometry(inputShape, f.shape, options)),
  };
}

/** The filter gradient of conv2d(x, filter) for a filter of `filterShape`: bilinear in (x, dy). */
export function conv2dBackpropFilterOp(filterShape: Shape, options: Conv2dOptions): BilinearOp {
  return {
    name: 'conv2dBackpropFilter',
    outShape: (x, dy) => {
      const g = conv2dGeometry(x, filterShape, options);
      checkShape(shapesEqual(dy, [g.batch, g.outHeight, g.outWidth, filterShape[3]]), () => `conv2dBackpropFilter: dy ${fmt(dy)} is not conv2d's output for input ${fmt(x)} and filter ${fmt(filterShape)}`);
      return [...filterShape];
    },
    apply: (x, dy) => ring.conv2dBackpropFilter(x, dy, conv2dGeometry(x.shape, filterShape, options), filterShape),
  };
}

/** The input gradient of depthwiseConv2d: bilinear in (dy, filter). */
export function depthwiseConv2dBackpropInputOp(inputShape: Shape, options: Conv2dOptions): BilinearOp {
  return {
    name: 'depthwiseConv2dBackpropInput',
    outShape: (dy, f) => {
      const g = depthwiseGeometry(inputShape, f, options);
      checkShape(shapesEqual(dy, [g.batch, g.outHeight, g.outWidth, f[2] * f[3]]), () => `depthwiseConv2dBackpropInput: dy ${fmt(dy)} is not depthwiseConv2d's output for input ${fmt(inputShape)} and filter ${fmt(f)}`);
      return [...inputShape];
    },
    apply: (dy, f) => ring.depthwiseConv2dBackpropInput(dy, f, depthwiseGeometry(inputShape, f.shape, options)),
  };
}

/** The filter gradient of depthwiseConv2d: bilinear in (x, dy). */
export function depthwiseConv2dBackpropFilterOp(filterShape: Shape, options: Conv2dOptions): BilinearOp {
  return {
    name: 'depthwiseConv2dBackpropFilter',
    outShape: (x, dy) => {
      const g = depthwiseGeometry(x, filterShape, options);
      checkShape(shapesEqual(dy, [g.batch, g.outHeight, g.outWidth, filterShape[2] * filterShape[3]]), () => `depthwiseConv2dBackpropFilter: dy ${fmt(dy)} is not depthwiseConv2d's output for input ${fmt(x)} and filter ${fmt(filterShape)}`);
      return [...filterShape];
    },
    apply: (x, dy) => ring.depthwiseConv2dBackpropFilter(x, dy, depthwiseGeometry(x.shape, filterShape, options), filterShape),
  };
}

function productPublicPublic(ctx: PondContext, x: PondPublicTensor, y: PondPublicTensor, op: BilinearOp, target: number): PondPublicTensor {
  op.outShape(x.shape, y.shape);
  const z = op.apply(x.value, y.value);
  const bits = x.fracBits + y.fracBits - target;
  // Public values truncate exactly (floor) by an arithmetic shift.
  return new PondPublicTensor(ctx.prot, bits === 0 ? z : ring.shr(z, bits), target);
}

/** Shares times a public operand, keeping the operand order (matters for matmul/conv). */
function productPrivatePublic(ctx: PondContext, x: PondPrivateTensor, y: PondPublicTensor, op: BilinearOp, privateFirst: boolean, target: number): PondPrivateTensor {
  const shape = privateFirst ? op.outShape(x.shape, y.shape) : op.outShape(y.shape, x.shape);
  const z = mapShares(ctx, x, shape, x.fracBits + y.fracBits, (s) => (privateFirst ? op.apply(s, y.value) : op.apply(y.value, s)));
  return truncate(ctx, z, x.fracBits + y.fracBits - target);
}

function productSecret(ctx: PondContext, x: PondSecretTensor, y: PondSecretTensor, op: BilinearOp, target: number): PondPrivateTensor {
  op.outShape(x.shape, y.shape);
  // An operand that is a truncation's result is masked already (mask-parts.ts): no opening for it.
  const byParts = op === MUL && ctx.truncation === 'dealer' ? mulByParts(ctx, x, y) : undefined;
  if (byParts !== undefined) return truncate(ctx, byParts, x.fracBits + y.fracBits - target);
  const [mx, my] = maskAll(ctx, [x, y]);
  const z = beaver(ctx, mx, my, op);
  return truncate(ctx, z, x.fracBits + y.fracBits - target);
}

/**
 * op(x, y) for any kinds of operands, truncated to `target` fractional bits
 * (by default the larger of the two scales, which makes integer factors exact).
 */
export function product(ctx: PondContext, x: PondTensor, y: PondTensor, op: BilinearOp, target = Math.max(x.fracBits, y.fracBits)): PondTensor {
  check(target <= x.fracBits + y.fracBits, () => `${op.name}: cannot raise the scale to ${target} bits in a product of ${x.fracBits} and ${y.fracBits}`);
  if (x.kind === 'public') {
    return y.kind === 'public' ? productPublicPublic(ctx, x, y, op, target) : productPrivatePublic(ctx, unmasked(y), x, op, false, target);
  }
  if (y.kind === 'public') return productPrivatePublic(ctx, unmasked(x), y, op, true, target);
  return productSecret(ctx, x, y, op, target);
}

/** As {@link product}, for a secret operand: always private. */
export function productPrivate(ctx: PondContext, x: PondSecretTensor, y: PondTensor, op: BilinearOp, target = Math.max(x.fracBits, y.fracBits)): PondPrivateTensor {
  check(target <= x.fracBits + y.fracBits, () => `${op.name}: cannot raise the scale to ${target} bits in a product of ${x.fracBits} and ${y.fracBits}`);
  return y.kind === 'public' ? productPrivatePublic(ctx, unmasked(x), y, op, true, target) : productSecret(ctx, x, y, op, target);
}
