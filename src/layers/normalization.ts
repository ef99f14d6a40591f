/**
 * Batch normalization, as tf.layers.batchNormalization (Keras 2 semantics),
 * over the last axis (channels). The weights are tfjs's, in tfjs's order:
 * gamma (if `scale`), beta (if `center`), then the moving mean and the moving
 * variance, all private variables; fit updates gamma and beta, the layer
 * itself updates the moving statistics.
 *
 * - Training (`fit`, the layer trainable): each channel is normalised with
 *   the batch's mean and (biased) variance,
 *   y = gamma (x - mean) / sqrt(variance + epsilon) + beta, and the moving
 *   statistics move towards the batch's: m <- m - (1 - momentum) (m - batch).
 *   The gradient flows through the batch statistics: every step is an op of
 *   the tape (mean, square, invSqrt, products), whose rules compose to the
 *   gradient tf.grads computes.
 * - Inference, and a frozen layer (`trainable = false`) even in fit: the
 *   moving statistics, scale = gamma / sqrt(movingVariance + epsilon) and
 *   shift = beta - movingMean scale per channel, then y = x scale + shift.
 *   The scale costs one invSqrt of a channel vector per call (the ladder of
 *   comparisons and Newton's products, on C values: rounds, little traffic).
 *
 * Fixed point. invSqrt is exact to a relative 2^-20 on [2^-8, 2^15). Because
 * variance + epsilon >= epsilon, it is multiplied by 4^k (k the least integer
 * with 4^k epsilon >= 2^-8: exact, a power of two) before invSqrt and the
 * result by 2^k, so the variance, the batch's in training and the moving one
 * at inference, must stay below 2^15 / 4^k - epsilon (8191 for tfjs's default
 * epsilon 1e-3, 2047 for 1e-5); larger variances give wrong results, not an
 * error, since the value is secret (normalise the inputs, or lower the
 * previous layer's scale). With f fractional bits the variance is known to
 * about 2^-f, so the output's relative error is about 2^-(f+1) / (variance +
 * epsilon): a channel whose batch is constant is dominated by epsilon and
 * scaled by 1 / sqrt(epsilon) (about 32 for 1e-3), which multiplies the
 * rounding errors of its gradient by as much. The square of a deviation must
 * stay a valid product (|x - mean| < 2^15 at 16 fractional bits).
 */
import * as tf from '@tensorflow/tfjs';
import { check, NotImplementedError, ShapeError } from '../errors.js';
import type { PrivateTensor, PrivateVariable } from '../protocol/api/index.js';
import { Layer, type CallOptions, type LayerArgs, type LayerConfig, type LayerShape } from './layer.js';

export interface BatchNormalizationLayerArgs extends LayerArgs {
  /** Only the last axis (channels) is supported: -1 or rank - 1. */
  axis?: number;
  /** Default 0.99 (tfjs's): the weight of the old moving statistics at each training step. */
  momentum?: number;
  /** Default 1e-3 (tfjs's). */
  epsilon?: number;
  /** Whether there is a beta (shift). Default true. */
  center?: boolean;
  /** Whether there is a gamma (scale). Default true. */
  scale?: boolean;
}

/** invSqrt's domain starts at 2^-8. */
const INV_SQRT_MIN = 2 ** -8;
/** invSqrt's domain ends at 2^15. */
const INV_SQRT_MAX = 2 ** 15;

export class BatchNormalization extends Layer {
  static readonly className = 'BatchNormalization';
  readonly axis: number;
  readonly momentum: number;
  readonly epsilon: number;
  readonly center: boolean;
  readonly scale: boolean;
  /** 4^k epsilon >= 2^-8. */
  private readonly k: number;

  constructor(args: BatchNormalizationLayerArgs = {}) {
    super(args, BatchNormalization.className);
    const where = `${this.name} (BatchNormalization)`;
    this.axis = args.axis ?? -1;
    check(Number.isInteger(this.axis), () => `${where}: axis must be an integer, got ${String(args.axis)}`);
    this.momentum = args.momentum ?? 0.99;
    check(typeof this.momentum === 'number' && this.momentum >= 0 && this.momentum <= 1, () => `${where}: momentum must be a number in [0, 1], got ${String(args.momentum)}`);
    this.epsilon = args.epsilon ?? 1e-3;
    check(typeof this.epsilon === 'number' && Number.isFinite(this.epsilon) && this.epsilon > 0, () => `${where}: epsilon must be a positive number, got ${String(args.epsilon)}`);
    this.center = args.center ?? true;
    this.scale = args.scale ?? true;
    this.k = Math.max(0, Math.ceil(Math.log(INV_SQRT_MIN / this.epsilon) / Math.log(4)));
  }

  get className(): string {
    return BatchNormalization.className;
  }

  /** The largest variance invSqrt takes here: 2^15 / 4^k - epsilon. */
  get maxVariance(): number {
    return INV_SQRT_MAX / 4 ** this.k - this.epsilon;
  }

  computeOutputShape(inputShape: LayerShape): LayerShape {
    const rank = inputShape.length;
    if (this.axis !== -1 && this.axis !== rank - 1) {
      throw new NotImplementedError(`${this.name} (BatchNormalization): axis ${this.axis} is not supported; supported: the last axis (-1 or ${rank - 1})`);
    }
    if (rank < 2 || inputShape[rank - 1] === null) throw new ShapeError(`${this.name} (BatchNormalization): input needs a known last dimension, got [${inputShape.join(',')}]`);
    return inputShape;
  }

  /** tfjs's weights: gamma?, beta?, movingMean, movingVariance, one value per channel each. */
  override weightShapes(inputShape: LayerShape): number[][] {
    const c = inputShape[inputShape.length - 1] as number;
    return Array.from({ length: this.weightCount }, () => [c]);
  }

  private get weightCount(): number {
    return (this.scale ? 1 : 0) + (this.center ? 1 : 0) + 2;
  }

  /** gamma and beta: fit updates them; the moving statistics are updated by the layer. */
  override get trainableWeights(): readonly PrivateVariable[] {
    return this.trainable ? this.weights.slice(0, this.weightCount - 2) : [];
  }

  protected override initialWeight(index: number, shape: readonly number[]): tf.Tensor {
    // gamma and the moving variance start at one, beta and the moving mean at zero.
    const ones = (this.scale && index === 0) || index === this.weightCount - 1;
    return ones ? tf.ones([...shape]) : tf.zeros([...shape]);
  }

  /** [gamma?, beta?, movingMean, movingVariance] as private variables. */
  private parts(): { gamma?: PrivateVariable; beta?: PrivateVariable; movingMean: PrivateVariable; movingVariance: PrivateVariable } {
    const ws = this.weights;
    let i = 0;
    const gamma = this.scale ? ws[i++] : undefined;
    const beta = this.center ? ws[i++] : undefined;
    return { gamma, beta, movingMean: ws[i], movingVariance: ws[i + 1] };
  }

  /** 1 / sqrt(variance + epsilon), within invSqrt's domain (see the module comment). */
  private invStd(variance: PrivateTensor): PrivateTensor {
    return variance.add(this.epsilon).mul(4 ** this.k).invSqrt().mul(2 ** this.k);
  }

  protected call(x: PrivateTensor, options: CallOptions): PrivateTensor {
    return options.training === true && this.trainable ? this.callTraining(x) : this.callInference(x);
  }

  /** Normalises with the moving statistics (folded into a scale and a shift per channel). */
  private callInference(x: PrivateTensor): PrivateTensor {
    const { gamma, beta, movingMean, movingVariance } = this.parts();
    const inv = this.invStd(movingVariance);
    const scale = gamma === undefined ? inv : inv.mul(gamma);
    const meanScaled = movingMean.mul(scale);
    const shift = beta === undefined ? meanScaled.neg() : beta.sub(meanScaled);
    return x.mul(scale).add(shift);
  }

  /** Normalises with the batch's statistics and moves the moving ones towards them. */
  private callTraining(x: PrivateTensor): PrivateTensor {
    const { gamma, beta, movingMean, movingVariance } = this.parts();
    const c = x.shape[x.rank - 1];
    const axes = Array.from({ length: x.rank - 1 }, (_, i) => i);
    const mean = x.mean(axes, true);
    const d = x.sub(mean);
    const variance = d.square().mean(axes, true);
    const inv = this.invStd(variance);
    // gamma folds into the channel vector: one product of the batch's size instead of two.
    const scale = gamma === undefined ? inv : inv.mul(gamma.reshape(inv.shape));
    let y = d.mul(scale);
    if (beta !== undefined) y = y.add(beta);
    const decay = 1 - this.momentum;
    if (decay > 0) {
      movingMean.assign(movingMean.sub(movingMean.sub(mean.reshape([c])).mul(decay)));
      movingVariance.assign(movingVariance.sub(movingVariance.sub(variance.reshape([c])).mul(decay)));
    }
    return y;
  }

  override getConfig(): LayerConfig {
    return { ...super.getConfig(), axis: this.axis, momentum: this.momentum, epsilon: this.epsilon, center: this.center, scale: this.scale };
  }
}
