/** tfjs's advanced activation layers: reLU, softmax, leakyReLU, prelu, elu, thresholdedReLU. */
import { check, NotImplementedError, ShapeError } from '../errors.js';
import type { PrivateTensor } from '../protocol/api/index.js';
import { checkReluMode, elu, reluModeOf, type ReluMode } from './activations.js';
import { Layer, type CallOptions, type LayerArgs, type LayerConfig, type LayerShape } from './layer.js';

export interface ReLULayerArgs extends LayerArgs {
  /** Upper bound (ReLU6-style clipping when 6), exact; none by default. */
  maxValue?: number | null;
  reluMode?: ReluMode;
}

export class ReLU extends Layer {
  static readonly className = 'ReLU';
  readonly maxValue: number | null;
  readonly reluMode: ReluMode | undefined;
  constructor(args: ReLULayerArgs = {}) {
    super(args, ReLU.className);
    this.maxValue = args.maxValue ?? null;
    check(this.maxValue === null || (Number.isFinite(this.maxValue) && this.maxValue > 0), () => `${this.name} (ReLU): maxValue must be a positive number, got ${String(args.maxValue)}`);
    this.reluMode = checkReluMode(args.reluMode, `${this.name} (ReLU)`);
  }
  get className(): string {
    return ReLU.className;
  }
  computeOutputShape(inputShape: LayerShape): LayerShape {
    return inputShape;
  }
  protected call(x: PrivateTensor, options: CallOptions): PrivateTensor {
    if (this.maxValue !== null) return x.clip(0, this.maxValue);
    return reluModeOf(this.reluMode, options) === 'approximate' ? x.reluApprox() : x.relu();
  }
  override getConfig(): LayerConfig {
    return { ...super.getConfig(), maxValue: this.maxValue };
  }
}

export interface SoftmaxLayerArgs extends LayerArgs {
  /** The axis normalised (tfjs's default is 1, not Keras's -1); not the batch axis. */
  axis?: number;
}

export class Softmax extends Layer {
  static readonly className = 'Softmax';
  readonly axis: number;
  constructor(args: SoftmaxLayerArgs = {}) {
    super(args, Softmax.className);
    this.axis = args.axis ?? 1;
    check(Number.isInteger(this.axis), () => `${this.name} (Softmax): axis must be an integer, got ${String(args.axis)}`);
  }
  get className(): string {
    return Softmax.className;
  }
  private resolvedAxis(rank: number): number {
    const a = this.axis < 0 ? this.axis + rank : this.axis;
    if (a <= 0 || a >= rank) throw new NotImplementedError(`${this.name} (Softmax): axis ${this.axis} is not supported for rank ${rank}; supported: 1 to ${rank - 1} (not the batch axis)`);
    return a;
  }
  computeOutputShape(inputShape: LayerShape): LayerShape {
    this.resolvedAxis(inputShape.length);
    return inputShape;
  }
  protected call(x: PrivateTensor): PrivateTensor {
    const a = this.resolvedAxis(x.rank);
    if (a === x.rank - 1) return x.softmax();
    // Move the axis last, normalise, move it back.
    const perm = [...x.shape.keys()].filter((i) => i !== a).concat(a);
    const inverse = perm.map((_, i) => perm.indexOf(i));
    return x.transpose(perm).softmax().transpose(inverse);
  }
  override getConfig(): LayerConfig {
    return { ...super.getConfig(), axis: this.axis };
  }
}

export interface LeakyReLULayerArgs extends LayerArgs {
  /** Slope below zero (tfjs's default 0.3). */
  alpha?: number;
}

/**
 * x for x >= 0, alpha x below, as tf.layers.leakyReLU: with r = relu(x)
 * (exact), r + alpha (x - r); one truncation (none for an integer alpha).
 */
export class LeakyReLU extends Layer {
  static readonly className = 'LeakyReLU';
  readonly alpha: number;
  constructor(args: LeakyReLULayerArgs = {}) {
    super(args, LeakyReLU.className);
    this.alpha = args.alpha ?? 0.3;
    check(Number.isFinite(this.alpha), () => `${this.name} (LeakyReLU): alpha must be a finite number, got ${String(args.alpha)}`);
  }
  get className(): string {
    return LeakyReLU.className;
  }
  computeOutputShape(inputShape: LayerShape): LayerShape {
    return inputShape;
  }
  protected call(x: PrivateTensor): PrivateTensor {
    const r = x.relu();
    return r.add(x.sub(r).mul(this.alpha));
  }
  override getConfig(): LayerConfig {
    return { ...super.getConfig(), alpha: this.alpha };
  }
}

export interface PReLULayerArgs extends LayerArgs {
  /** Sample axes (1-based, as tfjs) along which one slope is shared. */
  sharedAxes?: number | readonly number[];
}

/**
 * x for x >= 0, alpha x below with a learned private alpha per position, as
 * tf.layers.prelu: r + alpha (x - r), one Beaver product (alpha masked once).
 */
export class PReLU extends Layer {
  static readonly className = 'PReLU';
  readonly sharedAxes: readonly number[];
  constructor(args: PReLULayerArgs = {}) {
    super(args, PReLU.className);
    const axes = args.sharedAxes === undefined ? [] : typeof args.sharedAxes === 'number' ? [args.sharedAxes] : [...args.sharedAxes];
    check(axes.every((a) => Number.isInteger(a) && a >= 1), () => `${this.name} (PReLU): sharedAxes must be sample axes (1-based), got ${JSON.stringify(args.sharedAxes)}`);
    this.sharedAxes = axes;
  }
  get className(): string {
    return PReLU.className;
  }
  computeOutputShape(inputShape: LayerShape): LayerShape {
    this.weightShapes(inputShape);
    return inputShape;
  }
  override weightShapes(inputShape: LayerShape): number[][] {
    if (inputShape.slice(1).some((d) => d === null) || this.sharedAxes.some((a) => a >= inputShape.length)) {
      throw new ShapeError(`${this.name} (PReLU): needs known sample dimensions covering sharedAxes ${JSON.stringify(this.sharedAxes)}, got [${inputShape.join(',')}]`);
    }
    return [inputShape.slice(1).map((d, i) => (this.sharedAxes.includes(i + 1) ? 1 : (d as number)))];
  }
  protected call(x: PrivateTensor): PrivateTensor {
    const r = x.relu();
    return r.add(x.sub(r).mul(this.weights[0]));
  }
  override getConfig(): LayerConfig {
    return { ...super.getConfig(), sharedAxes: [...this.sharedAxes] };
  }
}

export interface ELULayerArgs extends LayerArgs {
  /** Scale of the negative part (default 1). */
  alpha?: number;
}

/** x for x > 0, alpha (e^x - 1) below, as tf.layers.elu (error below 2e-4 alpha; see activations.ts). */
export class ELU extends Layer {
  static readonly className = 'ELU';
  readonly alpha: number;
  constructor(args: ELULayerArgs = {}) {
    super(args, ELU.className);
    this.alpha = args.alpha ?? 1;
    check(Number.isFinite(this.alpha), () => `${this.name} (ELU): alpha must be a finite number, got ${String(args.alpha)}`);
  }
  get className(): string {
    return ELU.className;
  }
  computeOutputShape(inputShape: LayerShape): LayerShape {
    return inputShape;
  }
  protected call(x: PrivateTensor): PrivateTensor {
    return elu(x, this.alpha);
  }
  override getConfig(): LayerConfig {
    return { ...super.getConfig(), alpha: this.alpha };
  }
}

export interface ThresholdedReLULayerArgs extends LayerArgs {
  /** Threshold (default 1). */
  theta?: number;
}

/** x where x > theta, else 0, as tf.layers.thresholdedReLU: one exact comparison and a product by its 0/1 bit (no truncation). */
export class ThresholdedReLU extends Layer {
  static readonly className = 'ThresholdedReLU';
  readonly theta: number;
  constructor(args: ThresholdedReLULayerArgs = {}) {
    super(args, ThresholdedReLU.className);
    this.theta = args.theta ?? 1;
    check(Number.isFinite(this.theta), () => `${this.name} (ThresholdedReLU): theta must be a finite number, got ${String(args.theta)}`);
  }
  get className(): string {
    return ThresholdedReLU.className;
  }
  computeOutputShape(inputShape: LayerShape): LayerShape {
    return inputShape;
  }
  protected call(x: PrivateTensor): PrivateTensor {
    return x.greater(this.theta).mul(x);
  }
  override getConfig(): LayerConfig {
    return { ...super.getConfig(), theta: this.theta };
  }
}
