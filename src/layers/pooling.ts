/** Pooling layers in tfjs layout (channelsLast): average and max over 2-D and 1-D windows, and their global forms. */
import { check, NotImplementedError, ShapeError } from '../errors.js';
import type { PrivateTensor } from '../protocol/api/index.js';
import { pair, windowGeometry, type Padding } from '../ring/index.js';
import { checkChannelsLast, fmtLayerShape, imageDims, Layer, type LayerArgs, type LayerConfig, type LayerShape } from './layer.js';

export interface Pooling2DLayerArgs extends LayerArgs {
  /** Window size (default 2). */
  poolSize?: number | readonly [number, number];
  /** Default: the pool size. */
  strides?: number | readonly [number, number];
  padding?: Padding;
  dataFormat?: 'channelsLast';
}


abstract class Pooling2D extends Layer {
  readonly poolSize: [number, number];
  readonly strides: [number, number];
  readonly padding: Padding;

  constructor(args: Pooling2DLayerArgs, className: string) {
    super(args, className);
    const where = `${this.name} (${className})`;
    this.poolSize = pair(args.poolSize ?? 2, 'poolSize', where);
    this.strides = pair(args.strides ?? this.poolSize, 'strides', where);
    const padding = args.padding ?? 'valid';
    if (padding !== 'valid' && padding !== 'same') throw new NotImplementedError(`${where}: padding '${String(padding)}' is not supported; supported: valid, same`);
    this.padding = padding;
    checkChannelsLast(args.dataFormat, where);
  }

  computeOutputShape(inputShape: LayerShape): LayerShape {
    const [h, w, c] = imageDims(inputShape, `${this.name} (${this.className})`);
    const g = windowGeometry([1, h, w, c], this.poolSize, this.strides, this.padding, `${this.name} (${this.className})`);
    return [inputShape[0], g.outHeight, g.outWidth, c];
  }

  protected outSize(inputShape: readonly number[]): number {
    return this.computeOutputShape(inputShape).reduce<number>((a, d) => a * (d ?? inputShape[0]), 1);
  }

  override getConfig(): LayerConfig {
    return { ...super.getConfig(), poolSize: [...this.poolSize], strides: [...this.strides], padding: this.padding, dataFormat: 'channelsLast' };
  }
}

/** Average pooling, as tf.layers.averagePooling2d. */
export class AveragePooling2D extends Pooling2D {
  static readonly className = 'AveragePooling2D';
  constructor(args: Pooling2DLayerArgs = {}) {
    super(args, AveragePooling2D.className);
  }
  get className(): string {
    return AveragePooling2D.className;
  }
  protected call(x: PrivateTensor): PrivateTensor {
    return x.avgPool2d(this.poolSize, { strides: this.strides, padding: this.padding });
  }
}

/** Max pooling, as tf.layers.maxPooling2d: exact, a comparison tournament per window. */
export class MaxPooling2D extends Pooling2D {
  static readonly className = 'MaxPooling2D';
  constructor(args: Pooling2DLayerArgs = {}) {
    super(args, MaxPooling2D.className);
  }
  get className(): string {
    return MaxPooling2D.className;
  }
  protected call(x: PrivateTensor): PrivateTensor {
    return x.maxPool2d(this.poolSize, { strides: this.strides, padding: this.padding });
  }
}

export interface GlobalPooling2DLayerArgs extends LayerArgs {
  dataFormat?: 'channelsLast';
}

/** Mean over height and width: [batch, h, w, c] -> [batch, c]. */
export class GlobalAveragePooling2D extends Layer {
  static readonly className = 'GlobalAveragePooling2D';
  constructor(args: GlobalPooling2DLayerArgs = {}) {
    super(args, GlobalAveragePooling2D.className);
    checkChannelsLast(args.dataFormat, `${this.name} (GlobalAveragePooling2D)`);
  }
  get className(): string {
    return GlobalAveragePooling2D.className;
  }
  computeOutputShape(inputShape: LayerShape): LayerShape {
    return [inputShape[0], imageDims(inputShape, `${this.name} (GlobalAveragePooling2D)`)[2]];
  }
  protected call(x: PrivateTensor): PrivateTensor {
    return x.mean([1, 2]);
  }
}

/** Max over height and width: [batch, h, w, c] -> [batch, c], exact. */
export class GlobalMaxPooling2D extends Layer {
  static readonly className = 'GlobalMaxPooling2D';
  constructor(args: GlobalPooling2DLayerArgs = {}) {
    super(args, GlobalMaxPooling2D.className);
    checkChannelsLast(args.dataFormat, `${this.name} (GlobalMaxPooling2D)`);
  }
  get className(): string {
    return GlobalMaxPooling2D.className;
  }
  computeOutputShape(inputShape: LayerShape): LayerShape {
    return [inputShape[0], imageDims(inputShape, `${this.name} (GlobalMaxPooling2D)`)[2]];
  }
  protected call(x: PrivateTensor): PrivateTensor {
    return x.max([1, 2]);
  }
}

export interface Pooling1DLayerArgs extends LayerArgs {
  /** Window length (default 2); tfjs serialises it as n or [n]. */
  poolSize?: number | readonly [number];
  /** Default: the pool size. */
  strides?: number | readonly [number];
  padding?: Padding;
}

/** A positive integer given as n or [n]. */
function single(v: number | readonly [number], field: string, where: string): number {
  const n = typeof v === 'number' ? v : Array.isArray(v) && v.length === 1 ? v[0] : Number.NaN;
  check(Number.isInteger(n) && n > 0, () => `${where}: ${field} must be a positive integer (or a list of one), got ${JSON.stringify(v)}`);
  return n;
}

/** Sequences [batch, steps, c] pooled as images of one row (a free reshape), by the 2-D pooling ops. */
abstract class Pooling1D extends Layer {
  readonly poolSize: number;
  readonly strides: number;
  readonly padding: Padding;

  constructor(args: Pooling1DLayerArgs, className: string) {
    super(args, className);
    const where = `${this.name} (${className})`;
    this.poolSize = single(args.poolSize ?? 2, 'poolSize', where);
    this.strides = single(args.strides ?? this.poolSize, 'strides', where);
    const padding = args.padding ?? 'valid';
    if (padding !== 'valid' && padding !== 'same') throw new NotImplementedError(`${where}: padding '${String(padding)}' is not supported; supported: valid, same`);
    this.padding = padding;
  }

  computeOutputShape(inputShape: LayerShape): LayerShape {
    const [b, steps, c] = inputShape;
    if (inputShape.length !== 3 || steps === null || c === null) throw new ShapeError(`${this.name} (${this.className}): input must be [batch, steps, channels], got ${fmtLayerShape(inputShape)}`);
    const g = windowGeometry([1, 1, steps, c], [1, this.poolSize], [1, this.strides], this.padding, `${this.name} (${this.className})`);
    return [b, g.outWidth, c];
  }

  /** The pooled row: [batch, 1, steps', c]. */
  protected abstract pool(row: PrivateTensor, options: { strides: [number, number]; padding: Padding }): PrivateTensor;

  protected call(x: PrivateTensor): PrivateTensor {
    const [b, steps, c] = x.shape;
    const y = this.pool(x.reshape([b, 1, steps, c]), { strides: [1, this.strides], padding: this.padding });
    return y.reshape([b, y.shape[2], c]);
  }

  override getConfig(): LayerConfig {
    return { ...super.getConfig(), poolSize: [this.poolSize], strides: [this.strides], padding: this.padding };
  }
}

/** Average pooling of sequences, as tf.layers.averagePooling1d. */
export class AveragePooling1D extends Pooling1D {
  static readonly className = 'AveragePooling1D';
  constructor(args: Pooling1DLayerArgs = {}) {
    super(args, AveragePooling1D.className);
  }
  get className(): string {
    return AveragePooling1D.className;
  }
  protected pool(row: PrivateTensor, options: { strides: [number, number]; padding: Padding }): PrivateTensor {
    return row.avgPool2d([1, this.poolSize], options);
  }
}

/** Max pooling of sequences, exact, as tf.layers.maxPooling1d. */
export class MaxPooling1D extends Pooling1D {
  static readonly className = 'MaxPooling1D';
  constructor(args: Pooling1DLayerArgs = {}) {
    super(args, MaxPooling1D.className);
  }
  get className(): string {
    return MaxPooling1D.className;
  }
  protected pool(row: PrivateTensor, options: { strides: [number, number]; padding: Padding }): PrivateTensor {
    return row.maxPool2d([1, this.poolSize], options);
  }
}

function sequenceDims(shape: LayerShape, where: string): number {
  const [, steps, c] = shape;
  if (shape.length !== 3 || steps === null || c === null) throw new ShapeError(`${where}: input must be [batch, steps, channels], got ${fmtLayerShape(shape)}`);
  return c;
}

/** Mean over the steps: [batch, steps, c] -> [batch, c]. */
export class GlobalAveragePooling1D extends Layer {
  static readonly className = 'GlobalAveragePooling1D';
  constructor(args: LayerArgs = {}) {
    super(args, GlobalAveragePooling1D.className);
  }
  get className(): string {
    return GlobalAveragePooling1D.className;
  }
  computeOutputShape(inputShape: LayerShape): LayerShape {
    return [inputShape[0], sequenceDims(inputShape, `${this.name} (GlobalAveragePooling1D)`)];
  }
  protected call(x: PrivateTensor): PrivateTensor {
    return x.mean(1);
  }
}

/** Max over the steps, exact: [batch, steps, c] -> [batch, c]. */
export class GlobalMaxPooling1D extends Layer {
  static readonly className = 'GlobalMaxPooling1D';
  constructor(args: LayerArgs = {}) {
    super(args, GlobalMaxPooling1D.className);
  }
  get className(): string {
    return GlobalMaxPooling1D.className;
  }
  computeOutputShape(inputShape: LayerShape): LayerShape {
    return [inputShape[0], sequenceDims(inputShape, `${this.name} (GlobalMaxPooling1D)`)];
  }
  protected call(x: PrivateTensor): PrivateTensor {
    return x.max(1);
  }
}
