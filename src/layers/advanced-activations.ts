/** The reLU and softmax layers of tfjs (tf.layers.reLU, tf.layers.softmax). */
import { check, NotImplementedError } from '../errors.js';
import type { PondPrivateTensor } from '../protocol/index.js';
import { activationCost, checkReluMode, reluModeOf, softmaxCost, type ReluMode } from './activations.js';
import { CostBuilder } from './cost.js';
import { Layer, type CallOptions, type LayerArgs, type LayerConfig, type LayerCost, type LayerShape } from './layer.js';

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
  protected call(x: PondPrivateTensor, options: CallOptions): PondPrivateTensor {
    if (this.maxValue !== null) return x.clip(0, this.maxValue);
    return reluModeOf(this.reluMode, options) === 'approximate' ? x.prot.reluApprox(x) : x.relu();
  }
  cost(inputShape: readonly number[], options: CallOptions = {}): LayerCost {
    const n = inputShape.reduce((a, b) => a * b, 1);
    if (this.maxValue !== null) return new CostBuilder().relu(2 * n).build();
    return activationCost('relu', n, inputShape[inputShape.length - 1], reluModeOf(this.reluMode, options));
  }
  override getConfig(): LayerConfig {
    return { ...super.getConfig(), maxValue: this.maxValue };
  }
}

export interface SoftmaxLayerArgs extends LayerArgs {
  /** Only the last axis is supported (default -1). */
  axis?: number;
}

export class Softmax extends Layer {
  static readonly className = 'Softmax';
  readonly axis: number;
  constructor(args: SoftmaxLayerArgs = {}) {
    super(args, Softmax.className);
    this.axis = args.axis ?? -1;
  }
  get className(): string {
    return Softmax.className;
  }
  computeOutputShape(inputShape: LayerShape): LayerShape {
    if (this.axis !== -1 && this.axis !== inputShape.length - 1) {
      throw new NotImplementedError(`${this.name} (Softmax): axis ${this.axis} is not supported; supported: the last axis (-1 or ${inputShape.length - 1})`);
    }
    return inputShape;
  }
  protected call(x: PondPrivateTensor): PondPrivateTensor {
    return x.prot.softmax(x);
  }
  cost(inputShape: readonly number[]): LayerCost {
    return softmaxCost(inputShape.reduce((a, b) => a * b, 1), inputShape[inputShape.length - 1]);
  }
  override getConfig(): LayerConfig {
    return { ...super.getConfig(), axis: this.axis };
  }
}
