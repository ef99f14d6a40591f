/**
 * Pond: two servers hold additive shares of every private value and a crypto
 * producer deals correlated randomness (tf-encrypted's Pond protocol).
 *
 * Fixed point: `fracBits` fractional bits (16 by default). With f = 16 a value
 * is encodable while |x| < 2^47, and a product of two values is exact (to one
 * unit in the last place after truncation) while |x * y| < 2^30. In general
 * |x| < 2^(63-f) and |x * y| < 2^(62-2f).
 *
 * @example
 * const prot = new tfe.protocol.Pond(config, { servers: ['server0', 'server1'], cryptoProducer: 'crypto-producer' });
 * const x = prot.definePrivateInput('inputter', () => [[1, 2], [3, 4]]);
 * const y = x.matmul(prot.definePrivateVariable([[0.5], [-1]]));
 * const out = await prot.reveal(y, 'result-receiver');
 */
import type * as tf from '@tensorflow/tfjs';
import { check, ConfigError, ValueError } from '../../errors.js';
import { osRandom, type RandomSource } from '../../crypto/index.js';
import type { Config, TrafficSnapshot } from '../../network/index.js';
import * as ring from '../../ring/index.js';
import { checkFracBits, DEFAULT_FRAC_BITS, RingTensor, windowCounts, windowGeometry, pair, type Conv2dOptions } from '../../ring/index.js';
import { OnlineTripleSource } from '../dealer/online.js';
import type { TripleSource } from '../dealer/triple-source.js';
import { Runtime } from '../runtime.js';
import { shapeOf, toFloat64, toFloat64Async, toTfTensor, type Float64Values, type TensorLike } from '../tensor-like.js';
import { maskAll } from './beaver.js';
import { conv2dOp, MATMUL, MUL, product } from './bilinear.js';
import * as compare from './compare.js';
import { argmax, maxPool2d, type MaxPoolOptions } from './select.js';
import * as smooth from './smooth/sigmoid.js';
import type { SigmoidMethod } from './smooth/sigmoid.js';
import { exp as smoothExp, EXP_LOWER, EXP_UPPER } from './smooth/exp.js';
import * as inverse from './smooth/inverse.js';
import { softmax } from './smooth/softmax.js';
import { publicScalar, type PondContext, type TruncationMode } from './context.js';
import * as linear from './linear.js';
import { polyval } from './polynomial.js';
import { revealTo, shareInput } from './sharing.js';
import {
  PondMaskedTensor,
  PondPrivateTensor,
  PondPublicTensor,
  type Operand,
  type PondSecretTensor,
  type PondTensor,
  type PoolOptions,
} from './tensors.js';
import { truncate } from './truncate.js';

/** Who plays which role. */
export interface PondRoles {
  /** The two servers that hold the shares. */
  servers: readonly [string, string];
  /** The dealer of correlated randomness; it never sees data. */
  cryptoProducer: string;
}

/** Options of the protocol. */
export interface PondOptions {
  /** Fractional bits of the fixed-point encoding (default 16). */
  fracBits?: number;
  /**
   * Truncation after products: 'dealer' (default; one round, never more than
   * one unit in the last place off for |z| < 2^62) or 'local' (SecureML; no
   * round, fails with probability about |z| / 2^63 per element).
   */
  truncation?: TruncationMode;
  /** Where triples come from (default: the crypto producer, online). */
  tripleSource?: (rt: Runtime, servers: readonly [string, string], cryptoProducer: string, random: RandomSource) => TripleSource;
  /**
   * Each player's source of fresh seeds (default: the OS CSPRNG). Pass
   * `(p) => seededRandom(seed, p)` only to make a run reproducible in tests:
   * it is not secure.
   */
  randomness?: (player: string) => RandomSource;
}

/** Options of {@link Pond.definePrivateInput}. */
export interface PrivateInputOptions {
  /**
   * The public shape of the input. Required when the provider is async or its
   * owner runs in another process; checked against the value otherwise.
   */
  shape?: readonly number[];
}

/** Options of variable definitions. */
export interface VariableOptions {
  /** Who secret-shares the initial value (default: the first server). */
  owner?: string;
}

/** A user function producing an input value, run only on the input's owner. */
export type InputProvider = () => TensorLike | Promise<TensorLike>;

export class Pond {
  readonly servers: readonly [string, string];
  readonly cryptoProducer: string;
  readonly fracBits: number;
  private readonly ctx: PondContext;

  constructor(readonly config: Config, roles: PondRoles, options: PondOptions = {}) {
    const { servers, cryptoProducer } = roles;
    if (!Array.isArray(servers) || servers.length !== 2 || servers[0] === servers[1]) {
      throw new ConfigError(`Pond: servers must be two distinct player names, got ${JSON.stringify(servers)}`);
    }
    for (const p of [...servers, cryptoProducer]) config.player(p, 'Pond');
    if (servers.includes(cryptoProducer)) throw new ConfigError(`Pond: the crypto producer '${cryptoProducer}' cannot also be a server`);
    const fracBits = options.fracBits ?? DEFAULT_FRAC_BITS;
    checkFracBits(fracBits);
    const truncation = options.truncation ?? 'dealer';
    check(truncation === 'dealer' || truncation === 'local', () => `Pond: truncation must be 'dealer' or 'local', got '${String(truncation)}'`);
    this.servers = [servers[0], servers[1]];
    this.cryptoProducer = cryptoProducer;
    this.fracBits = fracBits;
    const rt = new Runtime(config);
    const randomness = options.randomness ?? (() => osRandom);
    const makeTriples = options.tripleSource ?? ((r, s, c, rand) => new OnlineTripleSource(r, s, c, rand));
    const triples = makeTriples(rt, this.servers, cryptoProducer, randomness(cryptoProducer));
    this.ctx = { prot: this, rt, servers: this.servers, dealer: cryptoProducer, fracBits, triples, truncation, randomness };
  }

  // ---------------------------------------------------------------- values

  /** A public constant known to every player (every process must pass the same value). */
  definePublicVariable(value: TensorLike): PondPublicTensor {
    const v = toFloat64(value, undefined, 'definePublicVariable');
    return new PondPublicTensor(this, ring.encode(v.values, v.shape, this.fracBits, 'definePublicVariable'), this.fracBits);
  }

  /**
   * A private variable: `owner` (default: the first server) secret-shares the
   * initial value, which only the owner's process needs; other processes see
   * only its shape. Its shares can be replaced with {@link PondPrivateVariable.assign}.
   */
  definePrivateVariable(initialValue: TensorLike | PondTensor, options: VariableOptions = {}): PondPrivateVariable {
    if (isPondTensor(initialValue)) {
      const p = this.toPrivate(initialValue);
      return new PondPrivateVariable(this, p.shape, p.shares, p.fracBits);
    }
    const owner = options.owner ?? this.servers[0];
    this.config.player(owner, 'definePrivateVariable');
    const shape = shapeOf(initialValue, 'definePrivateVariable');
    const p = shareInput(this.ctx, owner, shape, this.fracBits, async () => toFloat64Async(initialValue, shape, 'definePrivateVariable'), 'definePrivateVariable');
    return new PondPrivateVariable(this, p.shape, p.shares, p.fracBits);
  }

  /**
   * A private input: `provider` runs only on `player`, whose process encodes
   * and secret-shares the value. The shape is public: pass `{ shape }` when the
   * provider is async or runs in another process.
   */
  definePrivateInput(player: string, provider: InputProvider, options: PrivateInputOptions = {}): PondPrivateTensor {
    this.config.player(player, 'definePrivateInput');
    check(typeof provider === 'function', () => 'definePrivateInput: provider must be a function returning the value');
    if (options.shape === undefined) {
      // No declared shape: run the provider now, on its (local) owner, to learn it.
      if (!this.config.isLocal(player)) {
        throw new ValueError(`definePrivateInput: '${player}' runs in another process, so the input's shape must be given as { shape }`);
      }
      const v = provider();
      if (v instanceof Promise) {
        throw new ValueError("definePrivateInput: the provider is async, so the input's shape must be given as { shape }");
      }
      const values = toFloat64(v, undefined, 'definePrivateInput');
      return shareInput(this.ctx, player, values.shape, this.fracBits, async () => values, 'definePrivateInput');
    }
    const shape = options.shape;
    ring.assertValidShape(shape, 'definePrivateInput');
    const produce = async (): Promise<Float64Values> => toFloat64Async(await provider(), shape, 'definePrivateInput');
    return shareInput(this.ctx, player, shape, this.fracBits, produce, 'definePrivateInput');
  }

  /**
   * Reveals `x` to `player` only. Resolves to the value as a float32
   * tf.Tensor in the process where `player` runs and to `undefined` in the
   * others, once their part is done. Without `player`, reveals to every player.
   */
  reveal(x: PondTensor): Promise<tf.Tensor>;
  reveal(x: PondTensor, player: string): Promise<tf.Tensor | undefined>;
  async reveal(x: PondTensor, player?: string): Promise<tf.Tensor | undefined> {
    const v = await this.revealFloat64(x, player as string);
    return v === undefined ? undefined : toTfTensor(v);
  }

  /** As {@link Pond.reveal}, with the exact float64 decoding and its shape. */
  revealFloat64(x: PondTensor): Promise<Float64Values>;
  revealFloat64(x: PondTensor, player: string): Promise<Float64Values | undefined>;
  async revealFloat64(x: PondTensor, player?: string): Promise<Float64Values | undefined> {
    this.checkTensor(x, 'reveal');
    const receivers = player === undefined ? this.config.playerNames : [this.config.player(player, 'reveal').name];
    const r = revealTo(this.ctx, x, receivers);
    await r.done;
    const mine = receivers.find((p) => this.config.isLocal(p));
    return mine === undefined ? undefined : r.values.get(mine)?.value();
  }

  /**
   * Reveals `x` to `player` and runs `receiver` there with the value; the
   * other processes only do their part. Resolves when this process is done.
   */
  async defineOutput(player: string, x: PondTensor, receiver: (value: tf.Tensor) => void | Promise<void>): Promise<void> {
    this.config.player(player, 'defineOutput');
    const v = await this.reveal(x, player);
    if (v !== undefined) await receiver(v);
  }

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
    const divisor = new PondPublicTensor(this, ring.encode(inv, [1, g.outHeight, g.outWidth, 1], this.fracBits, 'avgPool2d'), this.fracBits);
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

  /**
   * tf.maxPool over NHWC input, exact (ties included); 'same' padding never
   * lets a padded position win. A tournament: two comparison levels for 2x2.
   */
  maxPool2d(x: PondSecretTensor, poolSize: number | readonly [number, number], options?: MaxPoolOptions): PondPrivateTensor {
    return maxPool2d(this.ctx, this.checkTensor(x, 'maxPool2d'), poolSize, options);
  }

  /**
   * Index of the maximum along `axis` (default last), as tf.argMax: the first
   * of equal maxima. A private integer tensor.
   */
  argmax(x: PondSecretTensor, axis = -1): PondPrivateTensor {
    return argmax(this.ctx, this.checkTensor(x, 'argmax'), axis);
  }

  // ---------------------------------------------------------------- comparisons

  /**
   * 1 where x < 0, else 0: the top bit of the two's complement word, by a
   * parallel-prefix adder on XOR shares (exact, 8 rounds). Results of
   * comparisons are private integers 0/1 (fracBits 0).
   */
  isNegative(x: PondSecretTensor): PondPrivateTensor;
  isNegative(x: PondTensor): PondTensor;
  isNegative(x: PondTensor): PondTensor {
    return compare.isNegative(this.ctx, this.checkTensor(x, 'isNegative'));
  }

  /** Alias of {@link Pond.isNegative}: the most significant bit. */
  msb(x: PondSecretTensor): PondPrivateTensor;
  msb(x: PondTensor): PondTensor;
  msb(x: PondTensor): PondTensor {
    return compare.isNegative(this.ctx, this.checkTensor(x, 'msb'));
  }

  /** x > y (exact), 0/1. */
  greater(x: PondSecretTensor, y: Operand): PondPrivateTensor;
  greater(x: Operand, y: PondSecretTensor): PondPrivateTensor;
  greater(x: Operand, y: Operand): PondTensor;
  greater(x: Operand, y: Operand): PondTensor {
    return compare.greater(this.ctx, this.lift(x, 'greater'), this.lift(y, 'greater'));
  }

  /** x < y (exact), 0/1. */
  less(x: PondSecretTensor, y: Operand): PondPrivateTensor;
  less(x: Operand, y: PondSecretTensor): PondPrivateTensor;
  less(x: Operand, y: Operand): PondTensor;
  less(x: Operand, y: Operand): PondTensor {
    return compare.less(this.ctx, this.lift(x, 'less'), this.lift(y, 'less'));
  }

  /** x >= y (exact), 0/1. */
  greaterEqual(x: PondSecretTensor, y: Operand): PondPrivateTensor;
  greaterEqual(x: Operand, y: PondSecretTensor): PondPrivateTensor;
  greaterEqual(x: Operand, y: Operand): PondTensor;
  greaterEqual(x: Operand, y: Operand): PondTensor {
    return compare.greaterEqual(this.ctx, this.lift(x, 'greaterEqual'), this.lift(y, 'greaterEqual'));
  }

  /** x <= y (exact), 0/1. */
  lessEqual(x: PondSecretTensor, y: Operand): PondPrivateTensor;
  lessEqual(x: Operand, y: PondSecretTensor): PondPrivateTensor;
  lessEqual(x: Operand, y: Operand): PondTensor;
  lessEqual(x: Operand, y: Operand): PondTensor {
    return compare.lessEqual(this.ctx, this.lift(x, 'lessEqual'), this.lift(y, 'lessEqual'));
  }

  /** x == y (exact, on the encoded values), 0/1. */
  equal(x: PondSecretTensor, y: Operand): PondPrivateTensor;
  equal(x: Operand, y: PondSecretTensor): PondPrivateTensor;
  equal(x: Operand, y: Operand): PondTensor;
  equal(x: Operand, y: Operand): PondTensor {
    return compare.equal(this.ctx, this.lift(x, 'equal'), this.lift(y, 'equal'));
  }

  /** -1, 0 or 1 as tf.sign (private integers). */
  sign(x: PondSecretTensor): PondPrivateTensor;
  sign(x: PondTensor): PondTensor;
  sign(x: PondTensor): PondTensor {
    return compare.sign(this.ctx, this.checkTensor(x, 'sign'));
  }

  /** |x|, exact. */
  abs(x: PondSecretTensor): PondPrivateTensor;
  abs(x: PondTensor): PondTensor;
  abs(x: PondTensor): PondTensor {
    return compare.abs(this.ctx, this.checkTensor(x, 'abs'));
  }

  /** max(x, 0), exact: 8 rounds per call whatever the size. */
  relu(x: PondSecretTensor): PondPrivateTensor;
  relu(x: PondTensor): PondTensor;
  relu(x: PondTensor): PondTensor {
    return compare.relu(this.ctx, this.checkTensor(x, 'relu'));
  }

  /** The relu derivative as tfjs defines it: 1 where x > 0, else 0. */
  reluGrad(x: PondSecretTensor): PondPrivateTensor;
  reluGrad(x: PondTensor): PondTensor;
  reluGrad(x: PondTensor): PondTensor {
    return compare.reluGrad(this.ctx, this.checkTensor(x, 'reluGrad'));
  }

  /** Elementwise maximum, exact. */
  maximum(x: PondSecretTensor, y: Operand): PondPrivateTensor;
  maximum(x: Operand, y: PondSecretTensor): PondPrivateTensor;
  maximum(x: Operand, y: Operand): PondTensor;
  maximum(x: Operand, y: Operand): PondTensor {
    return compare.maximum(this.ctx, this.lift(x, 'maximum'), this.lift(y, 'maximum'));
  }

  /** Elementwise minimum, exact. */
  minimum(x: PondSecretTensor, y: Operand): PondPrivateTensor;
  minimum(x: Operand, y: PondSecretTensor): PondPrivateTensor;
  minimum(x: Operand, y: Operand): PondTensor;
  minimum(x: Operand, y: Operand): PondTensor {
    return compare.minimum(this.ctx, this.lift(x, 'minimum'), this.lift(y, 'minimum'));
  }

  /** Clips to [lo, hi] (exact; lo <= hi), as tf.clipByValue. */
  clip(x: PondSecretTensor, lo: Operand, hi: Operand): PondPrivateTensor;
  clip(x: PondTensor, lo: Operand, hi: Operand): PondTensor;
  clip(x: PondTensor, lo: Operand, hi: Operand): PondTensor {
    if (typeof lo === 'number' && typeof hi === 'number') check(lo <= hi, () => `clip: lo (${lo}) must not exceed hi (${hi})`);
    return compare.clip(this.ctx, this.checkTensor(x, 'clip'), this.lift(lo, 'clip'), this.lift(hi, 'clip'));
  }

  /**
   * Selects a where `condition` is 1 and b where it is 0 (condition: a 0/1
   * tensor such as a comparison result): b + condition * (a - b).
   */
  where(condition: PondTensor, a: Operand, b: Operand): PondTensor {
    this.checkTensor(condition, 'where');
    const bb = this.lift(b, 'where');
    return this.add(bb, this.mul(condition, this.sub(this.lift(a, 'where'), bb)));
  }

  // ---------------------------------------------------------------- smooth functions

  /**
   * Sigmoid. 'accurate' (default): piecewise degree-4 polynomials of |x|
   * selected by exact comparisons, max error 6e-5 over the whole fixed-point
   * range (about 17 rounds). 'polynomial': tf-encrypted-style odd degree-9
   * polynomial on x clamped to [-6, 6], max error 3.7e-3 (about 13 rounds).
   */
  sigmoid(x: PondSecretTensor, options: { method?: SigmoidMethod } = {}): PondPrivateTensor {
    return smooth.sigmoid(this.ctx, this.checkTensor(x, 'sigmoid'), options.method);
  }

  /** tanh(x) = 2 sigmoid(2x) - 1: max error 1.2e-4 ('accurate') or 7.4e-3 ('polynomial'). */
  tanh(x: PondSecretTensor, options: { method?: SigmoidMethod } = {}): PondPrivateTensor {
    return smooth.tanh(this.ctx, this.checkTensor(x, 'tanh'), options.method);
  }

  /**
   * Approximate ReLU: a degree-4 polynomial fitted on [-4, 4] (max error 0.26
   * there, unbounded outside), for users who choose speed over exactness.
   */
  reluApprox(x: PondSecretTensor): PondPrivateTensor {
    return smooth.reluApprox(this.ctx, this.checkTensor(x, 'reluApprox'));
  }

  /**
   * e^x, with x clamped to [lower, upper] (default [-20, 10]; below -20 the
   * result is 0 to fixed-point precision, above `upper` it saturates at
   * e^upper; upper <= 20). Degree-5 Taylor of e^(x/64), squared 6 times at up
   * to 30 fractional bits: within 1e-5 relative + 2 units in the last place
   * (ULP, 2^-16) of e^x on the encoded input (measured in the tests).
   */
  exp(x: PondSecretTensor, options?: { lower?: number; upper?: number }): PondPrivateTensor;
  exp(x: PondTensor, options?: { lower?: number; upper?: number }): PondTensor;
  exp(x: PondTensor, options: { lower?: number; upper?: number } = {}): PondTensor {
    this.checkTensor(x, 'exp');
    const lower = options.lower ?? EXP_LOWER;
    const upper = options.upper ?? EXP_UPPER;
    if (x.kind === 'public') return this.publicMap(x, (v) => Math.exp(Math.min(Math.max(v, lower), upper)), 'exp');
    return smoothExp(this.ctx, x, lower, upper);
  }

  /**
   * 1 / x for 2^-8 <= |x| < 2^15 (either sign): a comparison ladder gives a
   * start within a third, then 4 Newton steps; within 2 ULP + 2^-20 relative.
   * Undefined outside the domain and at 0 (an error for a public input).
   */
  reciprocal(x: PondSecretTensor): PondPrivateTensor;
  reciprocal(x: PondTensor): PondTensor;
  reciprocal(x: PondTensor): PondTensor {
    this.checkTensor(x, 'reciprocal');
    if (x.kind === 'public') return this.publicMap(x, (v) => 1 / v, 'reciprocal', (v) => v !== 0, 'x != 0');
    return inverse.reciprocal(this.ctx, x);
  }

  /**
   * 1 / sqrt(x) for 2^-8 <= x < 2^15: comparison ladder and 4 Newton steps;
   * within 2 ULP + 2^-20 relative.
   * Undefined for x <= 0 (an error for a public input).
   */
  invSqrt(x: PondSecretTensor): PondPrivateTensor;
  invSqrt(x: PondTensor): PondTensor;
  invSqrt(x: PondTensor): PondTensor {
    this.checkTensor(x, 'invSqrt');
    if (x.kind === 'public') return this.publicMap(x, (v) => 1 / Math.sqrt(v), 'invSqrt', (v) => v > 0, 'x > 0');
    return inverse.invSqrtPositive(this.ctx, x);
  }

  /**
   * Natural log for 2^-8 <= x < 2^15: x = 2^e m with e from a comparison
   * ladder, log m by a degree-8 polynomial on [1, 2]; within 2 ULP. Undefined for x <= 0
   * (an error for a public input).
   */
  log(x: PondSecretTensor): PondPrivateTensor;
  log(x: PondTensor): PondTensor;
  log(x: PondTensor): PondTensor {
    this.checkTensor(x, 'log');
    if (x.kind === 'public') return this.publicMap(x, Math.log, 'log', (v) => v > 0, 'x > 0');
    return inverse.logPositive(this.ctx, x);
  }

  /**
   * softmax along the last axis: exact max subtracted, exp, reciprocal of the
   * row sums. Within 5e-5 of float64.
   */
  softmax(x: PondSecretTensor): PondPrivateTensor {
    return softmax(this.ctx, this.checkTensor(x, 'softmax'));
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

  // ---------------------------------------------------------------- runtime

  /** Traffic counted by this process's players since the start (or reset). */
  traffic(): TrafficSnapshot {
    return this.config.transport.counters.snapshot();
  }

  /**
   * Waits until every part this process started has finished and throws the
   * first error any of them raised (such as a PeerLostError).
   */
  flush(): Promise<void> {
    return this.ctx.rt.flush();
  }

  // ---------------------------------------------------------------- helpers

  private checkTensor<T extends PondTensor>(x: T, op: string): T {
    check(isPondTensor(x), () => `${op}: expected a Pond tensor, got ${describe(x)}`);
    check(x.prot === this, () => `${op}: the tensor belongs to another protocol instance`);
    return x;
  }

  /** Tensors pass through; numbers become public scalars at the protocol's scale. */
  private lift(x: Operand, op: string): PondTensor {
    if (typeof x === 'number') {
      check(Number.isFinite(x), () => `${op}: numbers must be finite`);
      return publicScalar(this.ctx, x, this.fracBits);
    }
    return this.checkTensor(x, op);
  }

  /** A function of a public tensor, computed in the clear; `domain` rejects bad inputs by name. */
  private publicMap(x: PondPublicTensor, fn: (v: number) => number, op: string, domain?: (v: number) => boolean, expected?: string): PondPublicTensor {
    const values = ring.decode(x.value, x.fracBits);
    if (domain !== undefined) {
      const bad = values.findIndex((v) => !domain(v));
      if (bad >= 0) throw new ValueError(`${op}: element ${bad} of the public input is outside the domain; expected ${expected}`);
    }
    return new PondPublicTensor(this, ring.encode(values.map(fn), x.shape, this.fracBits, op), this.fracBits);
  }

  /** A public value as a (trivial) sharing: server 0 holds it, server 1 zero. */
  private toPrivate(x: PondTensor): PondPrivateTensor {
    if (x.kind !== 'public') return linear.unmasked(x);
    return new PondPrivateTensor(this, x.shape, [
      this.ctx.rt.on(this.servers[0], () => x.value),
      this.ctx.rt.on(this.servers[1], () => RingTensor.zeros(x.shape)),
    ], x.fracBits);
  }
}

/** A private tensor whose shares can be replaced (training updates). */
export class PondPrivateVariable extends PondPrivateTensor {
  /** Replaces the value; operations issued afterwards read the new shares. */
  assign(value: PondSecretTensor): void {
    const v = linear.unmasked(value);
    check(
      v.shape.length === this.shape.length && v.shape.every((d, i) => d === this.shape[i]),
      () => `assign: value shape [${v.shape.join(',')}] differs from the variable's [${this.shape.join(',')}]`,
    );
    this.replaceShares(v.shares, v.fracBits);
  }
}

function isPondTensor(x: unknown): x is PondTensor {
  return x instanceof PondPublicTensor || x instanceof PondPrivateTensor || x instanceof PondMaskedTensor;
}

function describe(x: unknown): string {
  if (x === null) return 'null';
  if (typeof x === 'object') return (x as object).constructor?.name ?? 'object';
  return typeof x;
}
