/** Shape and pass-through layers: flatten, reshape, activation, dropout. */
import { check, ShapeError } from '../errors.js';
import { sizeOf } from '../ring/index.js';
import { isProtocol, type PrivateTensor } from '../protocol/api/index.js';
import { applyActivation, checkActivation, checkReluMode, reluModeOf, type ActivationIdentifier, type ReluMode } from './activations.js';
import { Layer, type CallOptions, type LayerArgs, type LayerConfig, type LayerShape } from './layer.js';

function known(shape: LayerShape, from: number, what: string): number[] {
  const rest = shape.slice(from);
  if (rest.some((d) => d === null)) throw new ShapeError(`${what}: all dimensions but the batch must be known, got [${shape.join(',')}]`);
  return rest as number[];
}

/** Flattens each sample: [batch, ...] -> [batch, product]. */
export class Flatten extends Layer {
  static readonly className = 'Flatten';
  constructor(args: LayerArgs = {}) {
    super(args, Flatten.className);
  }
  get className(): string {
    return Flatten.className;
  }
  computeOutputShape(inputShape: LayerShape): LayerShape {
    if (inputShape.length < 2) throw new ShapeError(`${this.name} (Flatten): input must have rank >= 2, got [${inputShape.join(',')}]`);
    return [inputShape[0], sizeOf(known(inputShape, 1, `${this.name} (Flatten)`))];
  }
  protected call(x: PrivateTensor): PrivateTensor {
    return x.reshape([x.shape[0], -1]);
  }
}

export interface ReshapeLayerArgs extends LayerArgs {
  /** Shape of each sample (without the batch); one entry may be -1. */
  targetShape: readonly number[];
}

/** Reshapes each sample, as tf.layers.reshape. */
export class Reshape extends Layer {
  static readonly className = 'Reshape';
  readonly targetShape: readonly number[];
  constructor(args: ReshapeLayerArgs) {
    super(args, Reshape.className);
    check(
      Array.isArray(args.targetShape) && args.targetShape.every((d) => d === -1 || (Number.isInteger(d) && d > 0)) && args.targetShape.filter((d) => d === -1).length <= 1,
      () => `${this.name} (Reshape): targetShape must be positive integers with at most one -1, got ${JSON.stringify(args.targetShape)}`,
    );
    this.targetShape = [...args.targetShape];
  }
  get className(): string {
    return Reshape.className;
  }
  computeOutputShape(inputShape: LayerShape): LayerShape {
    const size = sizeOf(known(inputShape, 1, `${this.name} (Reshape)`));
    const fixed = sizeOf(this.targetShape.filter((d) => d !== -1));
    const out = this.targetShape.map((d) => (d === -1 ? size / fixed : d));
    if (sizeOf(out) !== size || out.some((d) => !Number.isInteger(d))) {
      throw new ShapeError(`${this.name} (Reshape): cannot reshape samples of [${inputShape.slice(1).join(',')}] (${size} values) into [${this.targetShape.join(',')}]`);
    }
    return [inputShape[0], ...out];
  }
  protected call(x: PrivateTensor): PrivateTensor {
    return x.reshape([x.shape[0], ...this.targetShape]);
  }
  override getConfig(): LayerConfig {
    return { ...super.getConfig(), targetShape: [...this.targetShape] };
  }
}

export interface ActivationLayerArgs extends LayerArgs {
  activation: ActivationIdentifier;
  reluMode?: ReluMode;
}

/** Applies an activation, as tf.layers.activation. */
export class Activation extends Layer {
  static readonly className = 'Activation';
  readonly activation: ActivationIdentifier;
  readonly reluMode: ReluMode | undefined;
  constructor(args: ActivationLayerArgs) {
    super(args, Activation.className);
    this.activation = checkActivation(args.activation, `${this.name} (Activation)`);
    this.reluMode = checkReluMode(args.reluMode, `${this.name} (Activation)`);
  }
  get className(): string {
    return Activation.className;
  }
  computeOutputShape(inputShape: LayerShape): LayerShape {
    return inputShape;
  }
  protected call(x: PrivateTensor, options: CallOptions): PrivateTensor {
    return applyActivation(x, this.activation, reluModeOf(this.reluMode, options));
  }
  override getConfig(): LayerConfig {
    return { ...super.getConfig(), activation: this.activation };
  }
}

export interface DropoutLayerArgs extends LayerArgs {
  /** Fraction dropped during training (identity at inference). */
  rate: number;
}

/** Dropout: the identity at inference. */
export class Dropout extends Layer {
  static readonly className = 'Dropout';
  readonly rate: number;
  constructor(args: DropoutLayerArgs) {
    super(args, Dropout.className);
    check(typeof args.rate === 'number' && args.rate >= 0 && args.rate < 1, () => `${this.name} (Dropout): rate must be in [0, 1), got ${String(args.rate)}`);
    this.rate = args.rate;
  }
  get className(): string {
    return Dropout.className;
  }
  computeOutputShape(inputShape: LayerShape): LayerShape {
    return inputShape;
  }
  /**
   * In training, x times a public mask of 0 and 1 / (1 - rate), drawn from
   * the fit's public seed (never from the data): one product by a public
   * tensor, one truncation.
   */
  protected call(x: PrivateTensor, options: CallOptions): PrivateTensor {
    if (options.training !== true || this.rate === 0) return x;
    const prot = x.protocol;
    check(options.publicUniform !== undefined && isProtocol(prot), () => `${this.name} (Dropout): training needs public randomness (fit provides it)`);
    const kept = 1 / (1 - this.rate);
    const mask = Float64Array.from(options.publicUniform(x.size), (u) => (u >= this.rate ? kept : 0));
    return x.mul(prot.definePublicVariable(mask).reshape([...x.shape]));
  }
  override getConfig(): LayerConfig {
    return { ...super.getConfig(), rate: this.rate };
  }
}
