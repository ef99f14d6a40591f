/** Dense (fully connected) layer: activation(x W + b), as tf.layers.dense. */
import * as tf from '@tensorflow/tfjs';
import { check, ShapeError } from '../errors.js';
import type { PrivateTensor } from '../protocol/api/index.js';
import { applyActivation, checkActivation, checkReluMode, reluModeOf, type ActivationIdentifier, type ReluMode } from './activations.js';
import { Layer, type CallOptions, type LayerArgs, type LayerConfig, type LayerShape } from './layer.js';

export interface DenseLayerArgs extends LayerArgs {
  /** Output size. */
  units: number;
  /** Default 'linear'. */
  activation?: ActivationIdentifier;
  /** Default true. */
  useBias?: boolean;
  /** ReLU computation for this layer (default: the model's, else exact). */
  reluMode?: ReluMode;
}

export class Dense extends Layer {
  static readonly className = 'Dense';
  readonly units: number;
  readonly activation: ActivationIdentifier;
  readonly useBias: boolean;
  readonly reluMode: ReluMode | undefined;

  constructor(args: DenseLayerArgs) {
    super(args, Dense.className);
    check(Number.isInteger(args.units) && args.units > 0, () => `${this.name} (Dense): units must be a positive integer, got ${String(args.units)}`);
    this.units = args.units;
    this.activation = checkActivation(args.activation, `${this.name} (Dense)`);
    this.useBias = args.useBias ?? true;
    this.reluMode = checkReluMode(args.reluMode, `${this.name} (Dense)`);
  }

  get className(): string {
    return Dense.className;
  }

  computeOutputShape(inputShape: LayerShape): LayerShape {
    const last = inputShape[inputShape.length - 1];
    if (inputShape.length < 2 || last === null) {
      throw new ShapeError(`${this.name} (Dense): input must have rank >= 2 with a known last dimension, got [${inputShape.join(',')}]`);
    }
    return [...inputShape.slice(0, -1), this.units];
  }

  override weightShapes(inputShape: LayerShape): number[][] {
    const inDim = inputShape[inputShape.length - 1] as number;
    return this.useBias ? [[inDim, this.units], [this.units]] : [[inDim, this.units]];
  }

  protected override initialWeight(index: number, shape: readonly number[]): tf.Tensor {
    // tfjs defaults: glorotUniform kernel, zero bias.
    return index === 0 ? tf.initializers.glorotUniform({}).apply([...shape]) : tf.zeros([...shape]);
  }

  protected call(x: PrivateTensor, options: CallOptions): PrivateTensor {
    let y = x.matmul(this.weights[0]);
    if (this.useBias) y = y.add(this.weights[1]);
    return applyActivation(y, this.activation, reluModeOf(this.reluMode, options));
  }


  override getConfig(): LayerConfig {
    return { ...super.getConfig(), units: this.units, activation: this.activation, useBias: this.useBias };
  }
}

