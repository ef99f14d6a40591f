/** The reLU and softmax layers of tfjs (tf.layers.reLU, tf.layers.softmax). */
import { check, NotImplementedError } from '../errors.js';
import type { PrivateTensor } from '../protocol/api/index.js';
import { checkReluMode, reluModeOf, type ReluMode } from './activations.js';
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
