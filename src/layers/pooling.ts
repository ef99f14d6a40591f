/** Pooling layers in tfjs layout (channelsLast): average, max, and their global forms. */
import { NotImplementedError } from '../errors.js';
import type { PrivateTensor } from '../protocol/api/index.js';
import { pair, windowGeometry, type Padding } from '../ring/index.js';
import { checkChannelsLast, imageDims, Layer, type LayerArgs, type LayerConfig, type LayerShape } from './layer.js';

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
