/**
 * The secure ops, declared once for every protocol: the tensor kinds, the
 * signature of each op in receiver-first form (`OpSignatures<S>`, the fluent
 * method of a tensor of type S), and the result rule (public only when every
 * tensor operand is public). A protocol implements each `OpName` in its op
 * table; tensors get the fluent method and protocols the `prot.op(x, ...)`
 * form from this one declaration (see docs/architecture.md, "Adding an op").
 */
import type { Conv2dOptions, Conv2dTransposeOptions, Padding, Shape } from '../../ring/index.js';

/** The kind tag of a secure tensor. */
export type TensorKind = 'public' | 'private' | 'masked';

/** What runs ops: the protocol a tensor belongs to (its one choke point). */
export interface OpRunner {
  /** Runs op `op` on `args` (receiver first): validation, cost, recording, then the protocol's implementation. */
  run(op: OpName, args: readonly unknown[]): Tensor;
}

/** The fields every secure tensor has, whatever its kind and protocol. */
export interface TensorCore<K extends TensorKind> {
  readonly kind: K;
  /** Public shape. */
  readonly shape: Shape;
  /** Fractional bits of the fixed-point encoding (0 for integers such as comparison results). */
  readonly fracBits: number;
  readonly size: number;
  readonly rank: number;
  /** The protocol the tensor belongs to. */
  readonly protocol: OpRunner;
}

/** A value known to every player. */
export interface PublicTensor extends TensorCore<'public'>, OpSignatures<PublicTensor> {}
/** A value secret-shared between the protocol's servers. */
export interface PrivateTensor extends TensorCore<'private'>, OpSignatures<PrivateTensor> {}
/** A private value whose Beaver mask is opened (cached so it is opened once). */
export interface MaskedTensor extends TensorCore<'masked'>, OpSignatures<MaskedTensor> {}

export type Tensor = PublicTensor | PrivateTensor | MaskedTensor;
/** The tensors whose value no single player knows. */
export type SecretTensor = PrivateTensor | MaskedTensor;
/** What ops accept beside tensors: a public number. */
export type Operand = Tensor | number;

/** The result kind of an op on one operand: public stays public, secret becomes private. */
export type Result<S> = [S] extends [PublicTensor | number] ? PublicTensor : [S] extends [SecretTensor] ? PrivateTensor : Tensor;
/** The result kind of an op on two operands: private as soon as one is secret. */
export type Result2<A, B> = [A] extends [SecretTensor] ? PrivateTensor : [B] extends [SecretTensor] ? PrivateTensor : [A | B] extends [PublicTensor | number] ? PublicTensor : Tensor;

/** Options of pooling (tf.avgPool / tf.maxPool). */
export interface PoolOptions {
  strides?: number | readonly [number, number];
  padding?: Padding;
}

/** How sigmoid and tanh are computed. */
export type SigmoidMethod = 'accurate' | 'polynomial';

/** Options of sigmoid and tanh. */
export interface SigmoidOptions {
  /** 'accurate' (default): piecewise polynomials selected by exact comparisons; 'polynomial': one clamped polynomial. */
  method?: SigmoidMethod;
}

/** Options of exp: the clamp interval of the input. */
export interface ExpOptions {
  lower?: number;
  upper?: number;
}

/**
 * Options of invSqrt: Newton steps after the start within a third of the
 * answer. 4 (the default) reach 2 units in the last place plus 2^-20
 * relative; each step less costs three products less and leaves about the
 * square of the error: 3 steps are within 2^-15 relative (Adam uses 3).
 */
export interface InvSqrtOptions {
  newtonSteps?: number;
}

/** A polynomial coefficient: one number for every element, or one per element (row-major). */
export type Coefficient = number | ArrayLike<number>;

/**
 * Every secure op in receiver-first form: `x.op(...args)`, also callable as
 * `prot.op(x, ...args)`. The protocol's TSDoc gives each op's cost and error bound.
 */
export interface OpSignatures<S> {
  /** x + y with broadcasting. */
  add<Y extends Operand>(y: Y): Result2<S, Y>;
  /** x - y with broadcasting. */
  sub<Y extends Operand>(y: Y): Result2<S, Y>;
  /** -x. */
  neg(): Result<S>;
  /**
   * Elementwise x * y with broadcasting; an integer number multiplies exactly,
   * any other number at full precision (within 2 units in the last place plus
   * |x| 2^-(2f+1) / |y| of x * y, in one truncation round; Pond's scalar.ts).
   */
  mul<Y extends Operand>(y: Y): Result2<S, Y>;
  /**
   * x / c for a public nonzero number c (tf.div by a scalar): x * (1 / c) at
   * full precision, as `mul` by a number. Divide by a private value with
   * `reciprocal` and `mul`.
   */
  div(c: number): Result<S>;
  /** x * x, masking x once. */
  square(): Result<S>;
  /** Matrix product of the last two dimensions (tf.matMul, batch dimensions broadcast). */
  matmul<Y extends Tensor>(y: Y): Result2<S, Y>;
  /** tf.conv2d: input NHWC, filter HWIO; `dilations` by a strided im2col (the cost of the undilated product). */
  conv2d<F extends Tensor>(filter: F, options?: Conv2dOptions): Result2<S, F>;
  /**
   * tf.conv2dTranspose: input NHWC, filter [kh, kw, outChannels, inChannels],
   * output size tf.layers.conv2dTranspose's unless `outputSize` is given. One
   * Beaver product whose masks have the input's and the filter's sizes.
   */
  conv2dTranspose<F extends Tensor>(filter: F, options?: Conv2dTransposeOptions): Result2<S, F>;
  /** tf.depthwiseConv2d: input NHWC, filter [kh, kw, in, multiplier]. */
  depthwiseConv2d<F extends Tensor>(filter: F, options?: Conv2dOptions): Result2<S, F>;
  /** conv2d's gradient with respect to its input (this tensor is dy): tf.conv2dTranspose-like, bilinear in (dy, filter). */
  conv2dBackpropInput<F extends Tensor>(filter: F, inputShape: readonly number[], options?: Conv2dOptions): Result2<S, F>;
  /** conv2d's gradient with respect to its filter (this tensor is the input x). */
  conv2dBackpropFilter<D extends Tensor>(dy: D, filterShape: readonly number[], options?: Conv2dOptions): Result2<S, D>;
  /** depthwiseConv2d's gradient with respect to its input (this tensor is dy). */
  depthwiseConv2dBackpropInput<F extends Tensor>(filter: F, inputShape: readonly number[], options?: Conv2dOptions): Result2<S, F>;
  /** depthwiseConv2d's gradient with respect to its filter (this tensor is the input x). */
  depthwiseConv2dBackpropFilter<D extends Tensor>(dy: D, filterShape: readonly number[], options?: Conv2dOptions): Result2<S, D>;
  /**
   * The adjoint of extracting windows (im2col): rows of patches
   * [batch*outH*outW, kh*kw*c] summed back into an NHWC image of `inputShape`
   * (pooling gradients). Linear, free.
   */
  col2im(inputShape: readonly number[], kernel: number | readonly [number, number], options?: PoolOptions): Result<S>;
  /** tf.slice: `size` entries from `begin` (-1 takes the rest of a dimension). */
  slice(begin: readonly number[], size?: readonly number[]): Result<S>;
  /** tf.concat of this tensor and `others` along `axis`. */
  concat<Y extends Tensor>(others: readonly Y[], axis?: number): Result2<S, Y>;
  /** Zero padding: `paddings[i] = [before, after]`. */
  pad(paddings: ReadonlyArray<readonly [number, number]>): Result<S>;
  /** tf.avgPool over NHWC input. */
  avgPool2d(poolSize: number | readonly [number, number], options?: PoolOptions): Result<S>;
  /** Sum over `axis` (all axes when omitted). */
  sum(axis?: number | readonly number[], keepDims?: boolean): Result<S>;
  /** Mean over `axis` (all axes when omitted). */
  mean(axis?: number | readonly number[], keepDims?: boolean): Result<S>;
  /** Same values in a new shape (one dimension may be -1). */
  reshape(shape: readonly number[]): Result<S>;
  /** tf.broadcastTo: the same values repeated along dimensions of size 1 (or new leading ones). */
  broadcastTo(shape: readonly number[]): Result<S>;
  /** tf.gather: the entries `indices` along `axis` (public indices). */
  gather(indices: readonly number[], axis?: number): Result<S>;
  /** Permutes dimensions (reverses them without `perm`). */
  transpose(perm?: readonly number[]): Result<S>;
  /** sum_k c_k x^k with public coefficients (c_0 first). */
  polyval(coefficients: readonly Coefficient[]): Result<S>;
  /** Divides by 2^bits (default: the protocol's fractional bits) with the configured truncation. */
  truncate(this: SecretTensor, bits?: number): PrivateTensor;
  /** Masks and opens the tensor once (cached); later products reuse it. */
  mask(this: SecretTensor): MaskedTensor;
  /** tf.maxPool over NHWC input, exact. */
  maxPool2d(this: SecretTensor, poolSize: number | readonly [number, number], options?: PoolOptions): PrivateTensor;
  /** Maximum over `axis` (all axes when omitted), exact. */
  max(this: SecretTensor, axis?: number | readonly number[], keepDims?: boolean): PrivateTensor;
  /** Index of the maximum along `axis` (default last), the first of equal maxima. */
  argmax(this: SecretTensor, axis?: number): PrivateTensor;
  /** 1 where x < 0, else 0 (exact). */
  isNegative(): Result<S>;
  /** x > y (exact), 0/1. */
  greater<Y extends Operand>(y: Y): Result2<S, Y>;
  /** x < y (exact), 0/1. */
  less<Y extends Operand>(y: Y): Result2<S, Y>;
  /** x >= y (exact), 0/1. */
  greaterEqual<Y extends Operand>(y: Y): Result2<S, Y>;
  /** x <= y (exact), 0/1. */
  lessEqual<Y extends Operand>(y: Y): Result2<S, Y>;
  /** x == y (exact on the encoded values), 0/1. */
  equal<Y extends Operand>(y: Y): Result2<S, Y>;
  /** -1, 0 or 1, as tf.sign. */
  sign(): Result<S>;
  /** |x|, exact. */
  abs(): Result<S>;
  /** max(x, 0), exact. */
  relu(): Result<S>;
  /** The relu derivative as tfjs defines it: 1 where x > 0, else 0. */
  reluGrad(): Result<S>;
  /** Elementwise maximum, exact. */
  maximum<Y extends Operand>(y: Y): Result2<S, Y>;
  /** Elementwise minimum, exact. */
  minimum<Y extends Operand>(y: Y): Result2<S, Y>;
  /** Clips to [lo, hi] (lo <= hi), as tf.clipByValue. */
  clip<L extends Operand, H extends Operand>(lo: L, hi: H): Result2<S, L | H>;
  /** With this tensor a 0/1 condition: a where it is 1, b where it is 0. */
  where<A extends Operand, B extends Operand>(a: A, b: B): Result2<S, A | B>;
  /** Sigmoid. */
  sigmoid(this: SecretTensor, options?: SigmoidOptions): PrivateTensor;
  /** tanh. */
  tanh(this: SecretTensor, options?: SigmoidOptions): PrivateTensor;
  /** Approximate ReLU: a degree-4 polynomial fitted on [-4, 4]. */
  reluApprox(this: SecretTensor): PrivateTensor;
  /** e^x with x clamped to [lower, upper]. */
  exp(options?: ExpOptions): Result<S>;
  /** 1 / x. */
  reciprocal(): Result<S>;
  /** 1 / sqrt(x). */
  invSqrt(options?: InvSqrtOptions): Result<S>;
  /** Natural log. */
  log(): Result<S>;
  /** softmax along the last axis. */
  softmax(this: SecretTensor): PrivateTensor;
}

/** The name of an op: the typed tag the op table is keyed by. */
export type OpName = keyof OpSignatures<Tensor>;

/** The arguments of op K after its receiver. */
export type OpParams<K extends OpName> = Parameters<OpSignatures<Tensor>[K]>;

/** The result of op K on a receiver of type S. */
export type OpResult<K extends OpName, S> = ReturnType<OpSignatures<S>[K]>;

/** The protocol form of every op, `prot.op(x, ...args)`, but concat (which takes a list: `prot.concat(xs, axis)`). */
export type ProtocolOps = {
  readonly [K in Exclude<OpName, 'concat'>]: <S extends Operand>(x: S, ...args: OpParams<K>) => OpResult<K, S>;
};

/** One op as a recorder sees it, after validation. */
export interface OpRecord {
  readonly op: OpName;
  /** The receiver first, then the other arguments as passed (numbers, options). */
  readonly args: readonly unknown[];
  readonly output: Tensor;
  /**
   * Values the op computed anyway that its gradient needs, by name (Pond:
   * relu, maximum and minimum save 'keep' = [x >= 0] of their comparison,
   * clip 'below' and 'above', abs 'sign'). Empty for most ops.
   */
  readonly saved: ReadonlyMap<string, Tensor>;
}

/** Sees every op a protocol runs (a gradient tape, a tracer); see `Protocol.record`. */
export interface OpRecorder {
  record(entry: OpRecord): void;
}

/** Estimated protocol cost of ops. */
export interface OpCost {
  /** Correlated randomness dealt: a word per product output element or per AND word. */
  readonly triples: number;
  /** Communication rounds (sequential steps). */
  readonly rounds: number;
  /** Bytes sent by all players, the crypto producer's included. */
  readonly bytes: number;
}

export const NO_COST: OpCost = { triples: 0, rounds: 0, bytes: 0 };

/** Sum of costs. */
export function addCosts(costs: readonly OpCost[]): OpCost {
  return costs.reduce((a, c) => ({ triples: a.triples + c.triples, rounds: a.rounds + c.rounds, bytes: a.bytes + c.bytes }), NO_COST);
}
