/**
 * Layers that move values without computing on them, as tfjs's permute,
 * repeatVector and upSampling2d: local on shares, no communication.
 */
import { check, NotImplementedError, ShapeError, ValueError } from '../errors.js';
import type { PrivateTensor } from '../protocol/api/index.js';
import { pair } from '../ring/index.js';
import { checkChannelsLast, fmtLayerShape, imageDims, Layer, type LayerArgs, type LayerConfig, type LayerShape } from './layer.js';

export interface PermuteLayerArgs extends LayerArgs {
  /** The new order of the sample dimensions, 1-based as in tfjs ([2, 1] swaps the first two). */
  dims: readonly number[];
}

/** Permutes the sample dimensions (the batch stays first), as tf.layers.permute. */
export class Permute extends Layer {
  static readonly className = 'Permute';
  readonly dims: readonly number[];
  constructor(args: PermuteLayerArgs) {
    super(args, Permute.className);
    const d = args.dims;
    const ok = Array.isArray(d) && d.length > 0 && [...d].sort((a, b) => a - b).every((v, i) => v === i + 1);
    if (!ok) throw new ValueError(`${this.name} (Permute): dims must be a permutation of 1..n (1-based, the batch excluded), got ${JSON.stringify(d)}`);
    this.dims = [...d];
  }
  get className(): string {
    return Permute.className;
  }
  computeOutputShape(inputShape: LayerShape): LayerShape {
    if (inputShape.length !== this.dims.length + 1) throw new ShapeError(`${this.name} (Permute): dims ${JSON.stringify(this.dims)} need inputs of rank ${this.dims.length + 1}, got ${fmtLayerShape(inputShape)}`);
    return [inputShape[0], ...this.dims.map((d) => inputShape[d])];
  }
  protected call(x: PrivateTensor): PrivateTensor {
    return x.transpose([0, ...this.dims]);
  }
  override getConfig(): LayerConfig {
    return { ...super.getConfig(), dims: [...this.dims] };
  }
}

export interface RepeatVectorLayerArgs extends LayerArgs {
  /** How many times the input vector is repeated. */
  n: number;
}

/** [batch, features] -> [batch, n, features], as tf.layers.repeatVector. */
export class RepeatVector extends Layer {
  static readonly className = 'RepeatVector';
  readonly n: number;
  constructor(args: RepeatVectorLayerArgs) {
    super(args, RepeatVector.className);
    check(Number.isInteger(args.n) && args.n > 0, () => `${this.name} (RepeatVector): n must be a positive integer, got ${String(args.n)}`);
    this.n = args.n;
  }
  get className(): string {
    return RepeatVector.className;
  }
  computeOutputShape(inputShape: LayerShape): LayerShape {
    if (inputShape.length !== 2) throw new ShapeError(`${this.name} (RepeatVector): input must be [batch, features], got ${fmtLayerShape(inputShape)}`);
    return [inputShape[0], this.n, inputShape[1]];
  }
  protected call(x: PrivateTensor): PrivateTensor {
    const col = x.reshape([x.shape[0], 1, x.shape[1]]);
    return repeat(col, 1, this.n);
  }
  override getConfig(): LayerConfig {
    return { ...super.getConfig(), n: this.n };
  }
}

/** `n` copies of x joined along `axis` (a size-1 axis), free. */
function repeat(x: PrivateTensor, axis: number, n: number): PrivateTensor {
  return n === 1 ? x : x.concat(new Array<PrivateTensor>(n - 1).fill(x), axis);
}

export interface UpSampling2DLayerArgs extends LayerArgs {
  /** Repetitions of rows and columns (default [2, 2]). */
  size?: number | readonly [number, number];
  dataFormat?: 'channelsLast';
  /** Only 'nearest' (tfjs's default). */
  interpolation?: 'nearest';
}

/** Repeats rows and columns (nearest neighbour), as tf.layers.upSampling2d; free. */
export class UpSampling2D extends Layer {
  static readonly className = 'UpSampling2D';
  readonly size: [number, number];
  constructor(args: UpSampling2DLayerArgs = {}) {
    super(args, UpSampling2D.className);
    const where = `${this.name} (UpSampling2D)`;
    this.size = pair(args.size ?? 2, 'size', where);
    checkChannelsLast(args.dataFormat, where);
    if (args.interpolation !== undefined && args.interpolation !== 'nearest') {
      throw new NotImplementedError(`${where}: interpolation '${String(args.interpolation)}' is not supported; supported: nearest`);
    }
  }
  get className(): string {
    return UpSampling2D.className;
  }
  computeOutputShape(inputShape: LayerShape): LayerShape {
    const [h, w, c] = imageDims(inputShape, `${this.name} (UpSampling2D)`);
    return [inputShape[0], h * this.size[0], w * this.size[1], c];
  }
  protected call(x: PrivateTensor): PrivateTensor {
    const [b, h, w, c] = x.shape;
    const [sh, sw] = this.size;
    const spread = x.reshape([b, h, 1, w, 1, c]);
    return repeat(repeat(spread, 2, sh), 4, sw).reshape([b, h * sh, w * sw, c]);
  }
  override getConfig(): LayerConfig {
    return { ...super.getConfig(), size: [...this.size], dataFormat: 'channelsLast', interpolation: 'nearest' };
  }
}
