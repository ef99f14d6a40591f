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

/**
 * The fluent methods private and masked tensors share: each is `prot.op(x, ...)`
 * with x this tensor, and its result is private.
 */
abstract class PondSecretTensorBase extends PondTensorBase {
  /** This tensor as the union the protocol's ops take (subclasses are exactly its members). */
  protected get self(): PondSecretTensor {
    return this as unknown as PondSecretTensor;
  }

  add(y: Operand): PondPrivateTensor {
    return this.prot.add(this.self, y);
  }
  sub(y: Operand): PondPrivateTensor {
    return this.prot.sub(this.self, y);
  }
  mul(y: Operand): PondPrivateTensor {
    return this.prot.mul(this.self, y);
  }
  matmul(y: PondTensor): PondPrivateTensor {
    return this.prot.matmul(this.self, y);
  }
  conv2d(filter: PondTensor, options?: Conv2dOptions): PondPrivateTensor {
    return this.prot.conv2d(this.self, filter, options);
  }
  avgPool2d(poolSize: number | readonly [number, number], options?: PoolOptions): PondPrivateTensor {
    return this.prot.avgPool2d(this.self, poolSize, options);
  }
  neg(): PondPrivateTensor {
    return this.prot.neg(this.self);
  }
  square(): PondPrivateTensor {
    return this.prot.square(this.self);
  }
  sum(axis?: number | number[], keepDims = false): PondPrivateTensor {
    return this.prot.sum(this.self, axis, keepDims);
  }
  mean(axis?: number | number[], keepDims = false): PondPrivateTensor {
    return this.prot.mean(this.self, axis, keepDims);
  }
  reshape(shape: readonly number[]): PondPrivateTensor {
    return this.prot.reshape(this.self, shape);
  }
  transpose(perm?: readonly number[]): PondPrivateTensor {
    return this.prot.transpose(this.self, perm);
  }
  polyval(coefficients: readonly number[]): PondPrivateTensor {
    return this.prot.polyval(this.self, coefficients);
  }
  relu(): PondPrivateTensor {
    return this.prot.relu(this.self);
  }
  maxPool2d(poolSize: number | readonly [number, number], options?: PoolOptions): PondPrivateTensor {
    return this.prot.maxPool2d(this.self, poolSize, options);
  }
  argmax(axis = -1): PondPrivateTensor {
    return this.prot.argmax(this.self, axis);
  }
  abs(): PondPrivateTensor {
    return this.prot.abs(this.self);
  }
  sign(): PondPrivateTensor {
    return this.prot.sign(this.self);
  }
  greater(y: Operand): PondPrivateTensor {
    return this.prot.greater(this.self, y);
  }
  less(y: Operand): PondPrivateTensor {
    return this.prot.less(this.self, y);
  }
  greaterEqual(y: Operand): PondPrivateTensor {
    return this.prot.greaterEqual(this.self, y);
  }
  lessEqual(y: Operand): PondPrivateTensor {
    return this.prot.lessEqual(this.self, y);
  }
  equal(y: Operand): PondPrivateTensor {
    return this.prot.equal(this.self, y);
  }
  maximum(y: Operand): PondPrivateTensor {
    return this.prot.maximum(this.self, y);
  }
  minimum(y: Operand): PondPrivateTensor {
    return this.prot.minimum(this.self, y);
  }
  clip(lo: Operand, hi: Operand): PondPrivateTensor {
    return this.prot.clip(this.self, lo, hi);
  }
}

/** Additive shares on the two servers. */
export class PondPrivateTensor extends PondSecretTensorBase {
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

  /** Masks and opens this tensor once (cached); later products reuse it. */
  mask(): PondMaskedTensor {
    return this.prot.mask(this);
  }

  /** For variables: new shares (and scale); the cached mask is dropped. */
  protected replaceShares(shares: ServerPair<RingTensor>, fracBits: number): void {
    this.currentShares = shares;
    this.scale = fracBits;
    this.maskedCache = undefined;
  }
}

/** A private tensor together with its Beaver mask and opened difference. */
export class PondMaskedTensor extends PondSecretTensorBase {
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
}
