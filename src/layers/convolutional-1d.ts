/**
 * 1-D convolution of sequences [batch, steps, channels], as tf.layers.conv1d:
 * a conv2d of the input seen as one row of pixels ([batch, 1, steps, c], a free
 * reshape) with the kernel [k, c, filters] seen as [1, k, c, filters], so it
 * costs one Beaver product like a conv2d. 'causal' padding pads
 * (k - 1) * dilation steps on the left, then convolves 'valid'.
 */
import * as tf from '@tensorflow/tfjs';
import { check, NotImplementedError, ShapeError } from '../errors.js';
import type { PrivateTensor } from '../protocol/api/index.js';
import { windowGeometry } from '../ring/index.js';
import { applyActivation, checkActivation, checkReluMode, reluModeOf, type ActivationIdentifier, type ReluMode } from './activations.js';
import { checkChannelsLast, fmtLayerShape, Layer, type CallOptions, type LayerArgs, type LayerConfig, type LayerShape } from './layer.js';

export interface Conv1DLayerArgs extends LayerArgs {
  filters: number;
  kernelSize: number | readonly [number];
  strides?: number | readonly [number];
  padding?: 'valid' | 'same' | 'causal';
  dataFormat?: 'channelsLast';
  dilationRate?: number | readonly [number];
  activation?: ActivationIdentifier;
  useBias?: boolean;
  reluMode?: ReluMode;
}

/** A positive integer given as n or [n] (tfjs serialises both). */
function single(v: number | readonly [number], field: string, where: string): number {
  const n = typeof v === 'number' ? v : Array.isArray(v) && v.length === 1 ? v[0] : Number.NaN;
  check(Number.isInteger(n) && n > 0, () => `${where}: ${field} must be a positive integer (or a list of one), got ${JSON.stringify(v)}`);
  return n;
}

export class Conv1D extends Layer {
  static readonly className = 'Conv1D';
  readonly filters: number;
  readonly kernelSize: number;
  readonly strides: number;
  readonly dilationRate: number;
  readonly padding: 'valid' | 'same' | 'causal';
  readonly activation: ActivationIdentifier;
  readonly useBias: boolean;
  readonly reluMode: ReluMode | undefined;

  constructor(args: Conv1DLayerArgs) {
    super(args, Conv1D.className);
    const where = `${this.name} (Conv1D)`;
    check(Number.isInteger(args.filters) && args.filters > 0, () => `${where}: filters must be a positive integer, got ${String(args.filters)}`);
    this.filters = args.filters;
    this.kernelSize = single(args.kernelSize, 'kernelSize', where);
    this.strides = single(args.strides ?? 1, 'strides', where);
    this.dilationRate = single(args.dilationRate ?? 1, 'dilationRate', where);
    const padding = args.padding ?? 'valid';
    if (padding !== 'valid' && padding !== 'same' && padding !== 'causal') throw new NotImplementedError(`${where}: padding '${String(padding)}' is not supported; supported: valid, same, causal`);
    this.padding = padding;
    checkChannelsLast(args.dataFormat, where);
    this.activation = checkActivation(args.activation, where);
    this.useBias = args.useBias ?? true;
    this.reluMode = checkReluMode(args.reluMode, where);
  }

  get className(): string {
    return Conv1D.className;
  }

  /** Steps padded on the left for 'causal'. */
  private get causalPad(): number {
    return this.padding === 'causal' ? (this.kernelSize - 1) * this.dilationRate : 0;
  }

  computeOutputShape(inputShape: LayerShape): LayerShape {
    const [b, steps, c] = inputShape;
    if (inputShape.length !== 3 || steps === null || c === null) throw new ShapeError(`${this.name} (Conv1D): input must be [batch, steps, channels], got ${fmtLayerShape(inputShape)}`);
    const g = windowGeometry([1, 1, steps + this.causalPad, c], [1, this.kernelSize], [1, this.strides], this.padding === 'same' ? 'same' : 'valid', `${this.name} (Conv1D)`, [1, this.dilationRate]);
    return [b, g.outWidth, this.filters];
  }

  override weightShapes(inputShape: LayerShape): number[][] {
    const kernel = [this.kernelSize, inputShape[2] as number, this.filters];
    return this.useBias ? [kernel, [this.filters]] : [kernel];
  }

  protected override initialWeight(index: number, shape: readonly number[]): tf.Tensor {
    return index === 0 ? tf.initializers.glorotUniform({}).apply([...shape]) : tf.zeros([...shape]);
  }

  protected call(x: PrivateTensor, options: CallOptions): PrivateTensor {
    const [b, steps, c] = x.shape;
    const padded = this.causalPad > 0 ? x.pad([[0, 0], [this.causalPad, 0], [0, 0]]) : x;
    const row = padded.reshape([b, 1, steps + this.causalPad, c]);
    const kernel = this.weights[0].reshape([1, this.kernelSize, c, this.filters]);
    const y = row.conv2d(kernel, { strides: [1, this.strides], padding: this.padding === 'same' ? 'same' : 'valid', dilations: [1, this.dilationRate] });
    const out = y.reshape([b, y.shape[2], this.filters]);
    const z = this.useBias ? out.add(this.weights[1]) : out;
    return applyActivation(z, this.activation, reluModeOf(this.reluMode, options));
  }

  override getConfig(): LayerConfig {
    return {
      ...super.getConfig(),
      filters: this.filters,
      kernelSize: [this.kernelSize],
      strides: [this.strides],
      padding: this.padding,
      dataFormat: 'channelsLast',
      dilationRate: [this.dilationRate],
      activation: this.activation,
      useBias: this.useBias,
    };
  }
}
