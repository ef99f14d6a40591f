/** Zero padding and cropping: zeroPadding2d, zeroPadding1d, cropping2D (channelsLast); local on shares. */
import { NotImplementedError, ShapeError } from '../errors.js';
import type { PrivateTensor } from '../protocol/api/index.js';
import { checkChannelsLast, fmtLayerShape, imageDims, Layer, type LayerArgs, type LayerConfig, type LayerShape } from './layer.js';

export interface ZeroPadding2DLayerArgs extends LayerArgs {
  /** n, [h, w], or [[top, bottom], [left, right]]. Default 1. */
  padding?: number | readonly [number, number] | readonly [readonly [number, number], readonly [number, number]];
  dataFormat?: 'channelsLast';
}

export class ZeroPadding2D extends Layer {
  static readonly className = 'ZeroPadding2D';
  /** [[top, bottom], [left, right]]. */
  readonly padding: readonly [readonly [number, number], readonly [number, number]];

  constructor(args: ZeroPadding2DLayerArgs = {}) {
    super(args, ZeroPadding2D.className);
    const p = args.padding ?? 1;
    const where = `${this.name} (ZeroPadding2D)`;
    const bad = (): never => {
      throw new NotImplementedError(`${where}: padding ${JSON.stringify(p)} is not supported; supported: n, [h, w] or [[top, bottom], [left, right]] of non-negative integers`);
    };
    const nn = (v: unknown): number => (Number.isInteger(v) && (v as number) >= 0 ? (v as number) : bad());
    if (typeof p === 'number') this.padding = [[nn(p), nn(p)], [nn(p), nn(p)]];
    else if (Array.isArray(p) && p.length === 2 && typeof p[0] === 'number') this.padding = [[nn(p[0]), nn(p[0])], [nn(p[1]), nn(p[1])]];
    else if (Array.isArray(p) && p.length === 2 && Array.isArray(p[0]) && Array.isArray(p[1])) this.padding = [[nn(p[0][0]), nn(p[0][1])], [nn(p[1][0]), nn(p[1][1])]];
    else this.padding = bad();
    checkChannelsLast(args.dataFormat, where);
  }

  get className(): string {
    return ZeroPadding2D.className;
  }

  computeOutputShape(inputShape: LayerShape): LayerShape {
    const [h, w, c] = imageDims(inputShape, `${this.name} (ZeroPadding2D)`);
    const b = inputShape[0];
    const [[t, bt], [l, r]] = this.padding;
    return [b, h + t + bt, w + l + r, c];
  }

  protected call(x: PrivateTensor): PrivateTensor {
    const [[t, b], [l, r]] = this.padding;
    return x.pad([[0, 0], [t, b], [l, r], [0, 0]]);
  }


  override getConfig(): LayerConfig {
    return { ...super.getConfig(), padding: this.padding.map((p) => [...p]), dataFormat: 'channelsLast' };
  }
}

/** Reads tfjs's n | [a, b] | [[top, bottom], [left, right]] of non-negative integers; `bad` names the field. */
function pairsOf(p: unknown, bad: () => never): [[number, number], [number, number]] {
  const nn = (v: unknown): number => (Number.isInteger(v) && (v as number) >= 0 ? (v as number) : bad());
  if (typeof p === 'number') return [[nn(p), nn(p)], [nn(p), nn(p)]];
  if (Array.isArray(p) && p.length === 2 && typeof p[0] === 'number') return [[nn(p[0]), nn(p[0])], [nn(p[1]), nn(p[1])]];
  if (Array.isArray(p) && p.length === 2 && Array.isArray(p[0]) && Array.isArray(p[1]) && p[0].length === 2 && p[1].length === 2) return [[nn(p[0][0]), nn(p[0][1])], [nn(p[1][0]), nn(p[1][1])]];
  return bad();
}

export interface ZeroPadding1DLayerArgs extends LayerArgs {
  /** n (both sides) or [left, right] steps. Default 1. */
  padding?: number | readonly [number, number];
}

/** Zero padding of sequences [batch, steps, features] (Keras's ZeroPadding1D). */
export class ZeroPadding1D extends Layer {
  static readonly className = 'ZeroPadding1D';
  readonly padding: readonly [number, number];
  constructor(args: ZeroPadding1DLayerArgs = {}) {
    super(args, ZeroPadding1D.className);
    const p = args.padding ?? 1;
    const nn = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0;
    if (nn(p)) this.padding = [p, p];
    else if (Array.isArray(p) && p.length === 2 && p.every(nn)) this.padding = [p[0], p[1]];
    else throw new NotImplementedError(`${this.name} (ZeroPadding1D): padding ${JSON.stringify(p)} is not supported; supported: n or [left, right] of non-negative integers`);
  }
  get className(): string {
    return ZeroPadding1D.className;
  }
  computeOutputShape(inputShape: LayerShape): LayerShape {
    const [b, steps, features] = inputShape;
    if (inputShape.length !== 3 || steps === null) throw new ShapeError(`${this.name} (ZeroPadding1D): input must be [batch, steps, features], got ${fmtLayerShape(inputShape)}`);
    return [b, steps + this.padding[0] + this.padding[1], features];
  }
  protected call(x: PrivateTensor): PrivateTensor {
    return x.pad([[0, 0], [this.padding[0], this.padding[1]], [0, 0]]);
  }
  override getConfig(): LayerConfig {
    return { ...super.getConfig(), padding: [...this.padding] };
  }
}

export interface Cropping2DLayerArgs extends LayerArgs {
  /** n, [h, w], or [[top, bottom], [left, right]] rows and columns removed. Default 0. */
  cropping?: number | readonly [number, number] | readonly [readonly [number, number], readonly [number, number]];
  dataFormat?: 'channelsLast';
}

/** Crops rows and columns of images, as tf.layers.cropping2D (a slice, free). */
export class Cropping2D extends Layer {
  static readonly className = 'Cropping2D';
  /** [[top, bottom], [left, right]]. */
  readonly cropping: readonly [readonly [number, number], readonly [number, number]];
  constructor(args: Cropping2DLayerArgs = {}) {
    super(args, Cropping2D.className);
    const where = `${this.name} (Cropping2D)`;
    const c = args.cropping ?? 0;
    this.cropping = pairsOf(c, () => {
      throw new NotImplementedError(`${where}: cropping ${JSON.stringify(c)} is not supported; supported: n, [h, w] or [[top, bottom], [left, right]] of non-negative integers`);
    });
    checkChannelsLast(args.dataFormat, where);
  }
  get className(): string {
    return Cropping2D.className;
  }
  computeOutputShape(inputShape: LayerShape): LayerShape {
    const [h, w, c] = imageDims(inputShape, `${this.name} (Cropping2D)`);
    const [[t, b], [l, r]] = this.cropping;
    if (t + b >= h || l + r >= w) throw new ShapeError(`${this.name} (Cropping2D): cropping ${JSON.stringify(this.cropping)} leaves nothing of a ${h}x${w} image`);
    return [inputShape[0], h - t - b, w - l - r, c];
  }
  protected call(x: PrivateTensor): PrivateTensor {
    const [, h, w, c] = x.shape;
    const [[t, b], [l, r]] = this.cropping;
    return x.slice([0, t, l, 0], [x.shape[0], h - t - b, w - l - r, c]);
  }
  override getConfig(): LayerConfig {
    return { ...super.getConfig(), cropping: this.cropping.map((p) => [...p]), dataFormat: 'channelsLast' };
  }
}
