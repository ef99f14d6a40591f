/**
 * Pond's linear and bilinear ops: add, sub, neg, mul, square, matmul, conv2d,
 * avgPool2d, sum, mean, reshape, transpose, polyval, truncate, mask.
 */
import { check } from '../../errors.js';
import * as ring from '../../ring/index.js';
import { RingTensor, windowCounts, windowGeometry, pair, type Conv2dOptions } from '../../ring/index.js';
import { maskAll } from './beaver.js';
import { onServers } from './context.js';
import { conv2dOp, depthwiseConv2dOp, MATMUL, MUL, product } from './bilinear.js';
import * as linear from './linear.js';
import { PondBase } from './pond-base.js';
import { polyval } from './polynomial.js';
import { PondPrivateTensor, PondPublicTensor, type Operand, type PondMaskedTensor, type PondSecretTensor, type PondTensor, type PoolOptions } from './tensors.js';
import { truncate } from './truncate.js';

/** Linear ops and products; see {@link Pond}. */
export abstract class PondArithmetic extends PondBase {
  // ---------------------------------------------------------------- ops

  /** x + y with broadcasting. */
  add(x: PondPublicTensor, y: PondPublicTensor | number): PondPublicTensor;
  add(x: PondSecretTensor, y: Operand): PondPrivateTensor;
  add(x: Operand, y: PondSecretTensor): PondPrivateTensor;
  add(x: Operand, y: Operand): PondTensor;
  add(x: Operand, y: Operand): PondTensor {
    return linear.add(this.ctx, this.lift(x, 'add'), this.lift(y, 'add'));
  }

  /** x - y with broadcasting. */
  sub(x: PondPublicTensor, y: PondPublicTensor | number): PondPublicTensor;
  sub(x: PondSecretTensor, y: Operand): PondPrivateTensor;
  sub(x: Operand, y: PondSecretTensor): PondPrivateTensor;
  sub(x: Operand, y: Operand): PondTensor;
  sub(x: Operand, y: Operand): PondTensor {
    return linear.sub(this.ctx, this.lift(x, 'sub'), this.lift(y, 'sub'));
  }

  /** -x. */
  neg(x: PondPublicTensor): PondPublicTensor;
  neg(x: PondSecretTensor): PondPrivateTensor;
  neg(x: PondTensor): PondTensor;
  neg(x: PondTensor): PondTensor {
    this.checkTensor(x, 'neg');
    return linear.linearMap(this.ctx, x, x.shape, ring.neg);
  }

  /**
   * Elementwise x * y with broadcasting. A number that is an integer
   * multiplies exactly; any other real is encoded and the product truncated
   * (as tf-encrypted's `x.mul(1 / n)`).
   */
  mul(x: PondPublicTensor, y: PondPublicTensor | number): PondPublicTensor;
  mul(x: PondSecretTensor, y: Operand): PondPrivateTensor;
  mul(x: Operand, y: PondSecretTensor): PondPrivateTensor;
  mul(x: Operand, y: Operand): PondTensor;
  mul(x: Operand, y: Operand): PondTensor {
    if (typeof y === 'number' && typeof x !== 'number' && Number.isSafeInteger(y)) return linear.mulPublicWords(this.ctx, this.checkTensor(x, 'mul'), RingTensor.fromBigInts([], [BigInt(y)]));
    if (typeof x === 'number' && typeof y !== 'number' && Number.isSafeInteger(x)) return linear.mulPublicWords(this.ctx, this.checkTensor(y, 'mul'), RingTensor.fromBigInts([], [BigInt(x)]));
    return product(this.ctx, this.lift(x, 'mul'), this.lift(y, 'mul'), MUL);
  }

  /** x * x, masking x once. */
  square(x: PondPublicTensor): PondPublicTensor;
  square(x: PondSecretTensor): PondPrivateTensor;
  square(x: PondTensor): PondTensor;
  square(x: PondTensor): PondTensor {
    this.checkTensor(x, 'square');
    return product(this.ctx, x, x, MUL);
  }

  /** Matrix product of the last two dimensions (tf.matMul, batch dims broadcast). */
  matmul(x: PondPublicTensor, y: PondPublicTensor): PondPublicTensor;
  matmul(x: PondSecretTensor, y: PondTensor): PondPrivateTensor;
  matmul(x: PondTensor, y: PondSecretTensor): PondPrivateTensor;
  matmul(x: PondTensor, y: PondTensor): PondTensor;
  matmul(x: PondTensor, y: PondTensor): PondTensor {
    return product(this.ctx, this.checkTensor(x, 'matmul'), this.checkTensor(y, 'matmul'), MATMUL);
  }

  /** tf.conv2d: input NHWC, filter HWIO, 'valid' or 'same' padding, dilation 1. */
  conv2d(x: PondSecretTensor, filter: PondTensor, options?: Conv2dOptions): PondPrivateTensor;
  conv2d(x: PondTensor, filter: PondTensor, options?: Conv2dOptions): PondTensor;
  conv2d(x: PondTensor, filter: PondTensor, options: Conv2dOptions = {}): PondTensor {
    return product(this.ctx, this.checkTensor(x, 'conv2d'), this.checkTensor(filter, 'conv2d'), conv2dOp(options));
  }

  /** tf.depthwiseConv2d: input NHWC, filter [kh, kw, in, multiplier], dilation 1. */
  depthwiseConv2d(x: PondSecretTensor, filter: PondTensor, options?: Conv2dOptions): PondPrivateTensor;
  depthwiseConv2d(x: PondTensor, filter: PondTensor, options?: Conv2dOptions): PondTensor;
  depthwiseConv2d(x: PondTensor, filter: PondTensor, options: Conv2dOptions = {}): PondTensor {
    return product(this.ctx, this.checkTensor(x, 'depthwiseConv2d'), this.checkTensor(filter, 'depthwiseConv2d'), depthwiseConv2dOp(options));
  }

  /** tf.slice: `size` entries from `begin` (-1 takes the rest of a dimension). */
  slice(x: PondPublicTensor, begin: readonly number[], size?: readonly number[]): PondPublicTensor;
  slice(x: PondSecretTensor, begin: readonly number[], size?: readonly number[]): PondPrivateTensor;
  slice(x: PondTensor, begin: readonly number[], size?: readonly number[]): PondTensor;
  slice(x: PondTensor, begin: readonly number[], size?: readonly number[]): PondTensor {
    this.checkTensor(x, 'slice');
    const shape = ring.sliceShape(x.shape, begin, size);
    return linear.linearMap(this.ctx, x, shape, (t) => ring.slice(t, begin, size));
  }

  /** tf.concat along `axis`; secret as soon as one tensor is. */
  concat(xs: readonly PondTensor[], axis = 0): PondPrivateTensor {
    check(xs.length > 0, () => 'concat: needs at least one tensor');
    xs.forEach((x) => this.checkTensor(x, 'concat'));
    const f = Math.max(...xs.map((x) => x.fracBits));
    const parts = xs.map((x) => this.toPrivate(x.fracBits === f ? x : this.rescaleUp(x, f)));
    const shape = ring.concatShape(parts.map((p) => p.shape), axis);
    const shares = onServers(this.ctx, async (i) => ring.concat(await Promise.all(parts.map((p) => p.shares[i].value())), axis));
    return new PondPrivateTensor(this.ctx.prot, shape, shares, f);
  }

  /** x at a larger scale (an exact shift). */
  private rescaleUp(x: PondTensor, fracBits: number): PondTensor {
    return linear.linearMap(this.ctx, x, x.shape, (t) => ring.shl(t, fracBits - x.fracBits), fracBits);
  }

  /** Zero padding (tf.pad with zeros): `paddings[i] = [before, after]`. */
  pad(x: PondPublicTensor, paddings: ReadonlyArray<readonly [number, number]>): PondPublicTensor;
  pad(x: PondSecretTensor, paddings: ReadonlyArray<readonly [number, number]>): PondPrivateTensor;
  pad(x: PondTensor, paddings: ReadonlyArray<readonly [number, number]>): PondTensor;
  pad(x: PondTensor, paddings: ReadonlyArray<readonly [number, number]>): PondTensor {
    this.checkTensor(x, 'pad');
    const shape = ring.padShape(x.shape, paddings);
    return linear.linearMap(this.ctx, x, shape, (t) => ring.pad(t, paddings));
  }

  /**
   * tf.avgPool over NHWC input. With 'same' padding each window is divided by
   * the number of input pixels under it, as tfjs does. The window sum is exact;
   * the divisor 1/n is encoded with fracBits bits, so the result is within
   * |window sum| * 2^-(fracBits+1) + 1 unit of the exact average (exact
   * divisors such as 1/4 for 2x2 pools add nothing).
   */
  avgPool2d(x: PondSecretTensor, poolSize: number | readonly [number, number], options?: PoolOptions): PondPrivateTensor;
  avgPool2d(x: PondTensor, poolSize: number | readonly [number, number], options?: PoolOptions): PondTensor;
  avgPool2d(x: PondTensor, poolSize: number | readonly [number, number], options: PoolOptions = {}): PondTensor {
    this.checkTensor(x, 'avgPool2d');
    const kernel = pair(poolSize, 'poolSize', 'avgPool2d');
    const g = windowGeometry(x.shape, kernel, pair(options.strides ?? kernel, 'strides', 'avgPool2d'), options.padding ?? 'valid', 'avgPool2d');
    const summed = linear.linearMap(this.ctx, x, [g.batch, g.outHeight, g.outWidth, g.channels], (t) => ring.sumPool2d(t, g));
    const inv = Float64Array.from(windowCounts(g), (c) => 1 / c);
    const divisor = new PondPublicTensor(this.ctx.prot, ring.encode(inv, [1, g.outHeight, g.outWidth, 1], this.fracBits, 'avgPool2d'), this.fracBits);
    return product(this.ctx, summed, divisor, MUL);
  }

  /** Sum over `axis` (all axes when omitted), as tf.sum. */
  sum(x: PondPublicTensor, axis?: number | number[], keepDims?: boolean): PondPublicTensor;
  sum(x: PondSecretTensor, axis?: number | number[], keepDims?: boolean): PondPrivateTensor;
  sum(x: PondTensor, axis?: number | number[], keepDims?: boolean): PondTensor;
  sum(x: PondTensor, axis?: number | number[], keepDims = false): PondTensor {
    this.checkTensor(x, 'sum');
    return linear.linearMap(this.ctx, x, ring.reducedShape(x.shape, axis, keepDims), (t) => ring.sum(t, axis, keepDims));
  }

  /** Mean over `axis` (all axes when omitted): the sum times the public 1/n. */
  mean(x: PondSecretTensor, axis?: number | number[], keepDims?: boolean): PondPrivateTensor;
  mean(x: PondTensor, axis?: number | number[], keepDims?: boolean): PondTensor;
  mean(x: PondTensor, axis?: number | number[], keepDims = false): PondTensor {
    this.checkTensor(x, 'mean');
    const n = ring.reductionAxes(x.shape, axis, 'mean').reduce((acc, a) => acc * x.shape[a], 1);
    check(n > 0, () => 'mean: cannot average over an empty dimension');
    return this.mul(this.sum(x, axis, keepDims), 1 / n);
  }

  /** Same values in a new shape (one dimension may be -1). */
  reshape(x: PondPublicTensor, shape: readonly number[]): PondPublicTensor;
  reshape(x: PondSecretTensor, shape: readonly number[]): PondPrivateTensor;
  reshape(x: PondTensor, shape: readonly number[]): PondTensor;
  reshape(x: PondTensor, shape: readonly number[]): PondTensor {
    this.checkTensor(x, 'reshape');
    const out = ring.resolveReshape(x.shape, shape);
    return linear.linearMap(this.ctx, x, out, (t) => t.withShape(out));
  }

  /** Permutes dimensions (reverses them without `perm`), as tf.transpose. */
  transpose(x: PondPublicTensor, perm?: readonly number[]): PondPublicTensor;
  transpose(x: PondSecretTensor, perm?: readonly number[]): PondPrivateTensor;
  transpose(x: PondTensor, perm?: readonly number[]): PondTensor;
  transpose(x: PondTensor, perm?: readonly number[]): PondTensor {
    this.checkTensor(x, 'transpose');
    const shape = ring.transposeShape(x.shape, perm);
    return linear.linearMap(this.ctx, x, shape, (t) => ring.transpose(t, perm));
  }

  /**
   * Polynomial sum_k c_k x^k with public coefficients (c_0 first). Powers are
   * built by repeated squaring-style products (depth ceil(log2 degree)), each
   * masked once; the weighted sum is truncated once. Keep |c_k x^k| < 2^(62-2f).
   */
  polyval(x: PondSecretTensor, coefficients: readonly number[]): PondPrivateTensor;
  polyval(x: PondTensor, coefficients: readonly number[]): PondTensor;
  polyval(x: PondTensor, coefficients: readonly number[]): PondTensor {
    this.checkTensor(x, 'polyval');
    return polyval(this.ctx, x, coefficients);
  }

  /** Divides by 2^bits with the configured truncation. */
  truncate(x: PondSecretTensor, bits = this.fracBits): PondPrivateTensor {
    this.checkTensor(x, 'truncate');
    check(Number.isInteger(bits) && bits >= 0 && bits <= x.fracBits, () => `truncate: bits must be an integer in [0, ${x.fracBits}], got ${bits}`);
    return truncate(this.ctx, linear.unmasked(x), bits);
  }

  /** Masks and opens x once (cached); later products reuse it. */
  mask(x: PondSecretTensor): PondMaskedTensor {
    this.checkTensor(x, 'mask');
    return maskAll(this.ctx, [x])[0];
  }
}
