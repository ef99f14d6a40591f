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
import { check } from '../../errors.js';
import * as compare from './compare.js';
import { PondArithmetic } from './pond-arithmetic.js';
import { argmax, maxPool2d, reduceMax, type MaxPoolOptions } from './select.js';
import { exp as smoothExp, EXP_LOWER, EXP_UPPER } from './smooth/exp.js';
import * as inverse from './smooth/inverse.js';
import * as smooth from './smooth/sigmoid.js';
import type { SigmoidMethod } from './smooth/sigmoid.js';
import { softmax } from './smooth/softmax.js';
import type { Operand, PondPrivateTensor, PondSecretTensor, PondTensor } from './tensors.js';

export { PondPrivateVariable, type PondRoles, type PondOptions, type PrivateInputOptions, type VariableOptions, type InputProvider } from './pond-base.js';

/** The Pond protocol, complete: values, arithmetic, comparisons and smooth functions. */
export class Pond extends PondArithmetic {
  /**
   * tf.maxPool over NHWC input, exact (ties included); 'same' padding never
   * lets a padded position win. A tournament: two comparison levels for 2x2.
   */
  maxPool2d(x: PondSecretTensor, poolSize: number | readonly [number, number], options?: MaxPoolOptions): PondPrivateTensor {
    return maxPool2d(this.ctx, this.checkTensor(x, 'maxPool2d'), poolSize, options);
  }

  /**
   * Maximum over `axis` (all axes when omitted), as tf.max: exact, a
   * tournament of comparisons (ceil(log2 n) levels for n entries).
   */
  max(x: PondSecretTensor, axis?: number | number[], keepDims = false): PondPrivateTensor {
    return reduceMax(this.ctx, this.checkTensor(x, 'max'), axis, keepDims);
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
}
