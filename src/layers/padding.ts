/** Zero padding of images, as tf.layers.zeroPadding2d (channelsLast). */
import { check, NotImplementedError, ShapeError } from '../errors.js';
import type { PondPrivateTensor } from '../protocol/index.js';
import { NO_COST } from './cost.js';
import { Layer, type LayerArgs, type LayerConfig, type LayerCost, type LayerShape } from './layer.js';

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
    check(args.dataFormat === undefined || args.dataFormat === 'channelsLast', () => `${where}: dataFormat '${String(args.dataFormat)}' is not supported; supported: channelsLast`);
  }

  get className(): string {
    return ZeroPadding2D.className;
  }

  computeOutputShape(inputShape: LayerShape): LayerShape {
    const [b, h, w, c] = inputShape;
    if (inputShape.length !== 4 || h === null || w === null) throw new ShapeError(`${this.name} (ZeroPadding2D): input must be [batch, height, width, channels], got [${inputShape.join(',')}]`);
    const [[t, bt], [l, r]] = this.padding;
    return [b, h + t + bt, w + l + r, c];
  }

  protected call(x: PondPrivateTensor): PondPrivateTensor {
    const [[t, b], [l, r]] = this.padding;
    return x.prot.pad(x, [[0, 0], [t, b], [l, r], [0, 0]]);
  }

  cost(): LayerCost {
    return NO_COST;
  }

  override getConfig(): LayerConfig {
    return { ...super.getConfig(), padding: this.padding.map((p) => [...p]), dataFormat: 'channelsLast' };
  }
}
