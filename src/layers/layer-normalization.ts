/**
 * Layer normalization, as tf.layers.layerNormalization: over `axis` of each
 * sample, y = gamma (x - mean) / sqrt(variance + epsilon) + beta.
 *
 * The mean is a sum times a public 1/n (one truncation), the variance the mean
 * of the squared deviations (a product), the inverse square root the
 * protocol's invSqrt (Newton from a comparison ladder, relative error 2^-20 on
 * its domain [2^-8, 2^15)), then two products. Because variance + epsilon >=
 * epsilon, it is multiplied by 4^k (k the least integer with 4^k epsilon >=
 * 2^-8; exact, an integer) before invSqrt and the result by 2^k: the variance
 * may then reach 2^15 / 4^k - epsilon (8191 for tfjs's default epsilon 1e-3).
 * With 16 fractional bits, variance + epsilon is known to 2^-16, so the
 * output's relative error is about 2^-17 / (variance + epsilon).
 */
import * as tf from '@tensorflow/tfjs';
import { check, ShapeError } from '../errors.js';
import type { PrivateTensor } from '../protocol/api/index.js';
import { fmtLayerShape, Layer, type LayerArgs, type LayerConfig, type LayerShape } from './layer.js';

export interface LayerNormalizationLayerArgs extends LayerArgs {
  /** The axis or axes normalised (default -1); not the batch axis. */
  axis?: number | readonly number[];
  /** Default 1e-3 (tfjs's). */
  epsilon?: number;
  /** Whether there is a beta (shift). Default true. */
  center?: boolean;
  /** Whether there is a gamma (scale). Default true. */
  scale?: boolean;
}

/** invSqrt's domain starts at 2^-8. */
const INV_SQRT_MIN = 2 ** -8;

export class LayerNormalization extends Layer {
  static readonly className = 'LayerNormalization';
  readonly axis: readonly number[];
  readonly epsilon: number;
  readonly center: boolean;
  readonly scale: boolean;
  /** 4^k epsilon >= 2^-8. */
  private readonly k: number;

  constructor(args: LayerNormalizationLayerArgs = {}) {
    super(args, LayerNormalization.className);
    const where = `${this.name} (LayerNormalization)`;
    const axis = args.axis ?? -1;
    const axes = typeof axis === 'number' ? [axis] : [...axis];
    check(axes.length > 0 && axes.every((a) => Number.isInteger(a)), () => `${where}: axis must be an integer or a list of integers, got ${JSON.stringify(args.axis)}`);
    this.axis = axes;
    this.epsilon = args.epsilon ?? 1e-3;
    check(Number.isFinite(this.epsilon) && this.epsilon > 0, () => `${where}: epsilon must be a positive number, got ${String(args.epsilon)}`);
    this.center = args.center ?? true;
    this.scale = args.scale ?? true;
    this.k = Math.max(0, Math.ceil(Math.log(INV_SQRT_MIN / this.epsilon) / Math.log(4)));
  }

  get className(): string {
    return LayerNormalization.className;
  }

  /** Non-negative axes for a rank, in the order given (tfjs's weight order). */
  private axesFor(rank: number): number[] {
    const axes = this.axis.map((a) => (a < 0 ? a + rank : a));
    if (axes.some((a) => a <= 0 || a >= rank) || new Set(axes).size !== axes.length) {
      throw new ShapeError(`${this.name} (LayerNormalization): axis ${JSON.stringify(this.axis)} is not valid for inputs of rank ${rank}; supported: distinct non-batch axes`);
    }
    return axes;
  }

  computeOutputShape(inputShape: LayerShape): LayerShape {
    this.weightShapes(inputShape);
    return inputShape;
  }

  override weightShapes(inputShape: LayerShape): number[][] {
    const axes = this.axesFor(inputShape.length);
    if (axes.some((a) => inputShape[a] === null)) throw new ShapeError(`${this.name} (LayerNormalization): the normalised dimensions must be known, got ${fmtLayerShape(inputShape)}`);
    const param = axes.map((a) => inputShape[a] as number);
    return [...(this.scale ? [param] : []), ...(this.center ? [param] : [])];
  }

  protected override initialWeight(index: number, shape: readonly number[]): tf.Tensor {
    return this.scale && index === 0 ? tf.ones([...shape]) : tf.zeros([...shape]);
  }

  protected call(x: PrivateTensor): PrivateTensor {
    const axes = this.axesFor(x.rank);
    // tfjs reshapes (not transposes) the weights to the input's rank.
    const broadcast = x.shape.map((d, i) => (axes.includes(i) ? d : 1));
    const mean = x.mean(axes, true);
    const d = x.sub(mean);
    const variance = d.square().mean(axes, true);
    const inv = variance.add(this.epsilon).mul(4 ** this.k).invSqrt().mul(2 ** this.k);
    let y = d.mul(inv);
    let w = 0;
    if (this.scale) y = y.mul(this.weights[w++].reshape(broadcast));
    if (this.center) y = y.add(this.weights[w].reshape(broadcast));
    return y;
  }

  override getConfig(): LayerConfig {
    return { ...super.getConfig(), axis: [...this.axis], epsilon: this.epsilon, center: this.center, scale: this.scale };
  }
}
