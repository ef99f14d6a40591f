/**
 * The inputs of functional models, as tf.input: `tfe.input({ shape: [28, 28, 1] })`
 * is a symbolic tensor whose layer (an InputLayer) passes its input through.
 */
import { check } from '../errors.js';
import type { PrivateTensor } from '../protocol/api/index.js';
import { Layer, SymbolicTensor, type LayerConfig, type LayerShape } from './layer.js';

export interface InputArgs {
  /** Shape of one sample, without the batch. */
  shape?: readonly number[];
  /** Shape with the batch first (null or a number; the batch stays free). */
  batchShape?: readonly (number | null)[];
  name?: string;
  /** 'float32' (default) or 'int32' (token ids); both are fixed-point values here. */
  dtype?: 'float32' | 'int32';
}

/** The layer behind a model input: the identity. */
export class InputLayer extends Layer {
  static readonly className = 'InputLayer';
  readonly batchInputShape: LayerShape;
  readonly dtype: 'float32' | 'int32';
  constructor(args: InputArgs) {
    super({ ...(args.name === undefined ? {} : { name: args.name }) }, InputLayer.className);
    const where = `${this.name} (InputLayer)`;
    check((args.shape === undefined) !== (args.batchShape === undefined), () => `${where}: give exactly one of shape and batchShape`);
    const sample = args.shape ?? (args.batchShape ?? []).slice(1);
    check(
      Array.isArray(sample) && sample.every((d) => Number.isInteger(d) && (d as number) > 0),
      () => `${where}: shape must be a list of positive integers (the batch excluded), got ${JSON.stringify(args.shape ?? args.batchShape)}`,
    );
    this.batchInputShape = [null, ...(sample as number[])];
    this.dtype = args.dtype ?? 'float32';
    check(this.dtype === 'float32' || this.dtype === 'int32', () => `${where}: dtype must be 'float32' or 'int32', got '${String(args.dtype)}'`);
  }
  get className(): string {
    return InputLayer.className;
  }
  computeOutputShape(inputShape: LayerShape): LayerShape {
    return inputShape;
  }
  protected call(x: PrivateTensor): PrivateTensor {
    return x;
  }
  override getConfig(): LayerConfig {
    return { ...super.getConfig(), batchInputShape: [...this.batchInputShape], dtype: this.dtype };
  }
}

/** A model input, as tf.input: a symbolic tensor of `[null, ...shape]`. */
export function input(args: InputArgs): SymbolicTensor {
  const layer = new InputLayer(args);
  return new SymbolicTensor(layer.batchInputShape, layer, []);
}
