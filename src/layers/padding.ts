/** Zero padding of images, as tf.layers.zeroPadding2d (channelsLast). */
import { NotImplementedError } from '../errors.js';
import type { PrivateTensor } from '../protocol/api/index.js';
import { checkChannelsLast, imageDims, Layer, type LayerArgs, type LayerConfig, type LayerShape } from './layer.js';

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
