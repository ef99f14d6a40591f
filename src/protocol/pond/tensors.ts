/**
 * The three kinds of Pond tensors, tagged by `kind`:
 * - public: the same value on every player;
 * - private: additive shares x = x0 + x1 mod 2^64 placed on the two servers;
 * - masked: a private tensor with its Beaver mask a and the opened x - a,
 *   cached so that a tensor multiplied several times is masked and opened once.
 *
 * Shapes are public. `fracBits` is the fixed-point scale of the encoding (16
 * by default, 0 for integers). Methods are the fluent form of the protocol's
 * ops (`x.add(y)` is `prot.add(x, y)`).
 */
import type { Conv2dOptions, Padding, RingTensor, Shape } from '../../ring/index.js';
import { fmt, sizeOf } from '../../ring/index.js';
import type { MaskShares, ServerPair } from '../dealer/triple-source.js';
import type { Pond } from './pond.js';

/** What Pond ops accept: a Pond tensor or a public number. */
export type Operand = PondTensor | number;

export type PondTensor = PondPublicTensor | PondPrivateTensor | PondMaskedTensor;

/** Private or masked: the tensors whose value no single party knows. */
export type PondSecretTensor = PondPrivateTensor | PondMaskedTensor;

/** Options of average pooling (tf.avgPool). */
export interface PoolOptions {
  strides?: number | readonly [number, number];
  padding?: Padding;
}

abstract class PondTensorBase {
  abstract readonly kind: 'public' | 'private' | 'masked';

  constructor(
    readonly prot: Pond,
    readonly shape: Shape,
    private readonly initialFracBits: number,
  ) {}

  /** Fractional bits of the fixed-point encoding (0 for integers). */
  get fracBits(): number {
    return this.initialFracBits;
  }

  get size(): number {
    return sizeOf(this.shape);
  }

  get rank(): number {
    return this.shape.length;
  }

  toString(): string {
    // Never the value: private tensors are shares.
    return `Pond${this.kind[0].toUpperCase()}${this.kind.slice(1)}Tensor(shape=${fmt(this.shape)}, fracBits=${this.fracBits})`;
  }
}

/** A value known to every player. */
export class PondPublicTensor extends PondTensorBase {
  readonly kind = 'public' as const;

  constructor(prot: Pond, readonly value: RingTensor, fracBits: number) {
    super(prot, value.shape, fracBits);
  }

  add(y: PondPublicTensor | number): PondPublicTensor;
  add(y: Operand): PondTensor;
  add(y: Operand): PondTensor {
    return this.prot.add(this, y);
  }
  sub(y: PondPublicTensor | number): PondPublicTensor;
  sub(y: Operand): PondTensor;
  sub(y: Operand): PondTensor {
    return this.prot.sub(this, y);
  }
  mul(y: PondPublicTensor | number): PondPublicTensor;
  mul(y: Operand): PondTensor;
  mul(y: Operand): PondTensor {
    return this.prot.mul(this, y);
  }
  matmul(y: PondPublicTensor): PondPublicTensor;
  matmul(y: PondTensor): PondTensor;
  matmul(y: PondTensor): PondTensor {
    return this.prot.matmul(this, y);
  }
  neg(): PondPublicTensor {
    return this.prot.neg(this);
  }
  sum(axis?: number | number[], keepDims = false): PondPublicTensor {
    return this.prot.sum(this, axis, keepDims);
  }
  reshape(shape: readonly number[]): PondPublicTensor {
    return this.prot.reshape(this, shape);
  }
  transpose(perm?: readonly number[]): PondPublicTensor {
    return this.prot.transpose(this, perm);
  }
}

/** Additive shares on the two servers. */
export class PondPrivateTensor extends PondTensorBase {
  readonly kind = 'private' as const;
  /** Set when first masked (see Pond.mask). */
  maskedCache: PondMaskedTensor | undefined;
  /**
   * The product this tensor truncates, when it is one: it has the same sign
   * (to within the rounding of values below one unit), so a comparison can
   * start on it while the truncation is still being opened.
   */
  truncatedFrom: PondPrivateTensor | undefined;
  private currentShares: ServerPair<RingTensor>;
  private scale: number;

  constructor(prot: Pond, shape: Shape, shares: ServerPair<RingTensor>, fracBits: number) {
    super(prot, shape, fracBits);
    this.currentShares = shares;
    this.scale = fracBits;
  }

  /** Share i lives on server i. */
  get shares(): ServerPair<RingTensor> {
    return this.currentShares;
  }

  override get fracBits(): number {
    return this.scale;
  }

  /** For variables: new shares (and scale); the cached mask is dropped. */
  protected replaceShares(shares: ServerPair<RingTensor>, fracBits: number): void {
    this.currentShares = shares;
    this.scale = fracBits;
    this.maskedCache = undefined;
  }

  add(y: Operand): PondPrivateTensor {
    return this.prot.add(this, y);
  }
  sub(y: Operand): PondPrivateTensor {
    return this.prot.sub(this, y);
  }
  mul(y: Operand): PondPrivateTensor {
    return this.prot.mul(this, y);
  }
  matmul(y: PondTensor): PondPrivateTensor {
    return this.prot.matmul(this, y);
  }
  conv2d(filter: PondTensor, options?: Conv2dOptions): PondPrivateTensor {
    return this.prot.conv2d(this, filter, options);
  }
  avgPool2d(poolSize: number | readonly [number, number], options?: PoolOptions): PondPrivateTensor {
    return this.prot.avgPool2d(this, poolSize, options);
  }
  neg(): PondPrivateTensor {
    return this.prot.neg(this);
  }
  square(): PondPrivateTensor {
    return this.prot.square(this);
  }
  sum(axis?: number | number[], keepDims = false): PondPrivateTensor {
    return this.prot.sum(this, axis, keepDims);
  }
  mean(axis?: number | number[], keepDims = false): PondPrivateTensor {
    return this.prot.mean(this, axis, keepDims);
  }
  reshape(shape: readonly number[]): PondPrivateTensor {
    return this.prot.reshape(this, shape);
  }
  transpose(perm?: readonly number[]): PondPrivateTensor {
    return this.prot.transpose(this, perm);
  }
  polyval(coefficients: readonly number[]): PondPrivateTensor {
    return this.prot.polyval(this, coefficients);
  }
  mask(): PondMaskedTensor {
    return this.prot.mask(this);
  }
  relu(): PondPrivateTensor {
    return this.prot.relu(this);
  }
  maxPool2d(poolSize: number | readonly [number, number], options?: PoolOptions): PondPrivateTensor {
    return this.prot.maxPool2d(this, poolSize, options);
  }
  argmax(axis = -1): PondPrivateTensor {
    return this.prot.argmax(this, axis);
  }
  abs(): PondPrivateTensor {
    return this.prot.abs(this);
  }
  sign(): PondPrivateTensor {
    return this.prot.sign(this);
  }
  greater(y: Operand): PondPrivateTensor {
    return this.prot.greater(this, y);
  }
  less(y: Operand): PondPrivateTensor {
    return this.prot.less(this, y);
  }
  greaterEqual(y: Operand): PondPrivateTensor {
    return this.prot.greaterEqual(this, y);
  }
  lessEqual(y: Operand): PondPrivateTensor {
    return this.prot.lessEqual(this, y);
  }
  equal(y: Operand): PondPrivateTensor {
    return this.prot.equal(this, y);
  }
  maximum(y: Operand): PondPrivateTensor {
    return this.prot.maximum(this, y);
  }
  minimum(y: Operand): PondPrivateTensor {
    return this.prot.minimum(this, y);
  }
  clip(lo: Operand, hi: Operand): PondPrivateTensor {
    return this.prot.clip(this, lo, hi);
  }
}

/** A private tensor together with its Beaver mask and opened difference. */
export class PondMaskedTensor extends PondTensorBase {
  readonly kind = 'masked' as const;

  constructor(
    prot: Pond,
    readonly unmasked: PondPrivateTensor,
    readonly mask: MaskShares,
    /** alpha = x - a, opened: the same public value on each server. */
    readonly alpha: ServerPair<RingTensor>,
  ) {
    super(prot, unmasked.shape, unmasked.fracBits);
  }

  add(y: Operand): PondPrivateTensor {
    return this.prot.add(this, y);
  }
  sub(y: Operand): PondPrivateTensor {
    return this.prot.sub(this, y);
  }
  mul(y: Operand): PondPrivateTensor {
    return this.prot.mul(this, y);
  }
  matmul(y: PondTensor): PondPrivateTensor {
    return this.prot.matmul(this, y);
  }
  conv2d(filter: PondTensor, options?: Conv2dOptions): PondPrivateTensor {
    return this.prot.conv2d(this, filter, options);
  }
  neg(): PondPrivateTensor {
    return this.prot.neg(this);
  }
  square(): PondPrivateTensor {
    return this.prot.square(this);
  }
  sum(axis?: number | number[], keepDims = false): PondPrivateTensor {
    return this.prot.sum(this, axis, keepDims);
  }
  reshape(shape: readonly number[]): PondPrivateTensor {
    return this.prot.reshape(this, shape);
  }
  transpose(perm?: readonly number[]): PondPrivateTensor {
    return this.prot.transpose(this, perm);
  }
}
