/** Pooling layers in tfjs layout (channelsLast): average, max, and their global forms. */
import { NotImplementedError, ShapeError } from '../errors.js';
import type { PondPrivateTensor } from '../protocol/index.js';
import { pair, windowGeometry, type Padding } from '../ring/index.js';
import { CostBuilder } from './cost.js';
import { Layer, type LayerArgs, type LayerConfig, type LayerCost, type LayerShape } from './layer.js';

export interface Pooling2DLayerArgs extends LayerArgs {
  /** Window size (default 2). */
  poolSize?: number | readonly [number, number];
  /** Default: the pool size. */
  strides?: number | readonly [number, number];
  padding?: Padding;
  dataFormat?: 'channelsLast';
}

function checkImage(shape: LayerShape, where: string): [number, number, number] {
  const [, h, w, c] = shape;
  if (shape.length !== 4 || h === null || w === null || c === null) throw new ShapeError(`${where}: input must be [batch, height, width, channels], got [${shape.join(',')}]`);
  return [h, w, c];
}

function checkFormat(dataFormat: unknown, where: string): void {
  if (dataFormat !== undefined && dataFormat !== 'channelsLast') throw new NotImplementedError(`${where}: dataFormat '${String(dataFormat)}' is not supported; supported: channelsLast`);
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
    checkFormat(args.dataFormat, where);
  }

  computeOutputShape(inputShape: LayerShape): LayerShape {
    const [h, w, c] = checkImage(inputShape, `${this.name} (${this.className})`);
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
  protected call(x: PondPrivateTensor): PondPrivateTensor {
    return x.avgPool2d(this.poolSize, { strides: this.strides, padding: this.padding });
  }
  cost(inputShape: readonly number[]): LayerCost {
    return new CostBuilder().scale(this.outSize(inputShape)).build();
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
  protected call(x: PondPrivateTensor): PondPrivateTensor {
    return x.maxPool2d(this.poolSize, { strides: this.strides, padding: this.padding });
  }
  cost(inputShape: readonly number[]): LayerCost {
    return tournamentCost(this.poolSize[0] * this.poolSize[1], this.outSize(inputShape));
  }
}

/** Cost of a max over k entries for each of `out` outputs (select.ts). */
export function tournamentCost(k: number, out: number): LayerCost {
  const c = new CostBuilder();
  for (let cur = k; cur > 1; cur = Math.ceil(cur / 2)) c.relu(Math.floor(cur / 2) * out);
  return c.build();
}

export interface GlobalPooling2DLayerArgs extends LayerArgs {
  dataFormat?: 'channelsLast';
}

/** Mean over height and width: [batch, h, w, c] -> [batch, c]. */
export class GlobalAveragePooling2D extends Layer {
  static readonly className = 'GlobalAveragePooling2D';
  constructor(args: GlobalPooling2DLayerArgs = {}) {
    super(args, GlobalAveragePooling2D.className);
    checkFormat(args.dataFormat, `${this.name} (GlobalAveragePooling2D)`);
  }
  get className(): string {
    return GlobalAveragePooling2D.className;
  }
  computeOutputShape(inputShape: LayerShape): LayerShape {
    return [inputShape[0], checkImage(inputShape, `${this.name} (GlobalAveragePooling2D)`)[2]];
  }
  protected call(x: PondPrivateTensor): PondPrivateTensor {
    return x.mean([1, 2]);
  }
  cost(inputShape: readonly number[]): LayerCost {
    return new CostBuilder().scale(inputShape[0] * inputShape[3]).build();
  }
}

/** Max over height and width: [batch, h, w, c] -> [batch, c], exact. */
export class GlobalMaxPooling2D extends Layer {
  static readonly className = 'GlobalMaxPooling2D';
  constructor(args: GlobalPooling2DLayerArgs = {}) {
    super(args, GlobalMaxPooling2D.className);
    checkFormat(args.dataFormat, `${this.name} (GlobalMaxPooling2D)`);
  }
  get className(): string {
    return GlobalMaxPooling2D.className;
  }
  computeOutputShape(inputShape: LayerShape): LayerShape {
    return [inputShape[0], checkImage(inputShape, `${this.name} (GlobalMaxPooling2D)`)[2]];
  }
  protected call(x: PondPrivateTensor): PondPrivateTensor {
    return x.prot.max(x, [1, 2]);
  }
  cost(inputShape: readonly number[]): LayerCost {
    return tournamentCost(inputShape[1] * inputShape[2], inputShape[0] * inputShape[3]);
  }
}
