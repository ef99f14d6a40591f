/**
 * Transposed 2-D convolution, as tf.layers.conv2dTranspose: the protocol's
 * conv2dTranspose op (one Beaver product whose masks are the input's and the
 * kernel's, not those of the input spread with zeros), bias, activation.
 * Kernel [kh, kw, filters, inChannels] as tfjs; output size in * stride
 * ('same') or in * stride + max(kernel - stride, 0) ('valid').
 */
import { check, NotImplementedError } from '../errors.js';
import type { PrivateTensor } from '../protocol/api/index.js';
import { conv2dTransposeGeometry } from '../ring/index.js';
import { BaseConv, type Conv2DLayerArgs } from './convolutional.js';
import { imageDims, type CallOptions, type LayerConfig, type LayerShape } from './layer.js';

export type Conv2DTransposeLayerArgs = Conv2DLayerArgs;

export class Conv2DTranspose extends BaseConv {
  static readonly className = 'Conv2DTranspose';
  readonly filters: number;

  constructor(args: Conv2DTransposeLayerArgs) {
    super(args, Conv2DTranspose.className);
    const where = `${this.name} (Conv2DTranspose)`;
    check(Number.isInteger(args.filters) && args.filters > 0, () => `${where}: filters must be a positive integer, got ${String(args.filters)}`);
    if (this.dilationRate[0] !== 1 || this.dilationRate[1] !== 1) {
      throw new NotImplementedError(`${where}: dilationRate ${JSON.stringify(args.dilationRate)} is not supported; supported: 1 (as tfjs)`);
    }
    this.filters = args.filters;
  }

  get className(): string {
    return Conv2DTranspose.className;
  }

  protected outChannels(): number {
    return this.filters;
  }

  override computeOutputShape(inputShape: LayerShape): LayerShape {
    const [h, w, c] = imageDims(inputShape, `${this.name} (Conv2DTranspose)`);
    const { outShape } = conv2dTransposeGeometry([1, h, w, c], [this.kernelSize[0], this.kernelSize[1], this.filters, c], { strides: this.strides, padding: this.padding });
    return [inputShape[0], outShape[1], outShape[2], this.filters];
  }

  override weightShapes(inputShape: LayerShape): number[][] {
    const kernel = [this.kernelSize[0], this.kernelSize[1], this.filters, inputShape[3] as number];
    return this.useBias ? [kernel, [this.filters]] : [kernel];
  }

  protected call(x: PrivateTensor, options: CallOptions): PrivateTensor {
    return this.finish(x.conv2dTranspose(this.weights[0], { strides: this.strides, padding: this.padding }), options);
  }

  override getConfig(): LayerConfig {
    return { ...super.getConfig(), filters: this.filters };
  }
}
