/**
 * Batch normalization at inference: y = gamma (x - mean) / sqrt(var + eps) + beta
 * is a per-channel scale and shift, folded by the weights' owner in the clear
 * (scale = gamma / sqrt(var + eps), shift = beta - mean * scale), so the
 * private computation is one product with a private vector and an addition.
 */
import * as tf from '@tensorflow/tfjs';
import { check, NotImplementedError, ShapeError } from '../errors.js';
import type { PrivateTensor } from '../protocol/api/index.js';
import { Layer, type LayerArgs, type LayerConfig, type LayerShape } from './layer.js';

export interface BatchNormalizationLayerArgs extends LayerArgs {
  /** Only the last axis (channels) is supported: -1 or rank - 1. */
  axis?: number;
  epsilon?: number;
  /** Whether there is a beta (shift). Default true. */
  center?: boolean;
  /** Whether there is a gamma (scale). Default true. */
  scale?: boolean;
}

export class BatchNormalization extends Layer {
  static readonly className = 'BatchNormalization';
  readonly axis: number;
  readonly epsilon: number;
  readonly center: boolean;
  readonly scale: boolean;

  constructor(args: BatchNormalizationLayerArgs = {}) {
    super(args, BatchNormalization.className);
    this.axis = args.axis ?? -1;
    check(Number.isInteger(this.axis), () => `${this.name} (BatchNormalization): axis must be an integer, got ${String(args.axis)}`);
    this.epsilon = args.epsilon ?? 1e-3;
    check(this.epsilon > 0, () => `${this.name} (BatchNormalization): epsilon must be positive, got ${this.epsilon}`);
    this.center = args.center ?? true;
    this.scale = args.scale ?? true;
  }

  get className(): string {
    return BatchNormalization.className;
  }

  computeOutputShape(inputShape: LayerShape): LayerShape {
    const rank = inputShape.length;
    if (this.axis !== -1 && this.axis !== rank - 1) {
      throw new NotImplementedError(`${this.name} (BatchNormalization): axis ${this.axis} is not supported; supported: the last axis (-1 or ${rank - 1})`);
    }
    if (rank < 2 || inputShape[rank - 1] === null) throw new ShapeError(`${this.name} (BatchNormalization): input needs a known last dimension, got [${inputShape.join(',')}]`);
    return inputShape;
  }

  /** Folded weights: scale and shift, one per channel. */
  override weightShapes(inputShape: LayerShape): number[][] {
    const c = inputShape[inputShape.length - 1] as number;
    return [[c], [c]];
  }

  protected override initialWeight(index: number, shape: readonly number[]): tf.Tensor {
    return index === 0 ? tf.ones([...shape]) : tf.zeros([...shape]);
  }

  /**
   * tfjs's weights [gamma?, beta?, movingMean, movingVariance] folded into
   * [scale, shift]; run by the weights' owner only.
   */
  foldTfjsWeights(weights: readonly tf.Tensor[]): tf.Tensor[] {
    const expected = (this.scale ? 1 : 0) + (this.center ? 1 : 0) + 2;
    check(weights.length === expected, () => `${this.name} (BatchNormalization): expected ${expected} weights (gamma?, beta?, mean, variance), got ${weights.length}`);
    return tf.tidy(() => {
      let i = 0;
      const gamma = this.scale ? weights[i++] : tf.onesLike(weights[weights.length - 1]);
      const beta = this.center ? weights[i++] : tf.zerosLike(weights[weights.length - 1]);
      const [mean, variance] = [weights[i], weights[i + 1]];
      const scale = tf.div(gamma, tf.sqrt(tf.add(variance, this.epsilon)));
      return [scale, tf.sub(beta, tf.mul(mean, scale))];
    });
  }

  protected call(x: PrivateTensor): PrivateTensor {
    return x.mul(this.weights[0]).add(this.weights[1]);
  }


  override getConfig(): LayerConfig {
    return { ...super.getConfig(), axis: this.axis, epsilon: this.epsilon, center: this.center, scale: this.scale };
  }
}
