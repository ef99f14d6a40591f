/**
 * Convolution layers in tfjs layout (channelsLast, NHWC input): conv2d with an
 * HWIO kernel, depthwiseConv2d with a [kh, kw, in, multiplier] kernel and
 * separableConv2d (a depthwise then a 1x1 convolution). Any dilationRate: the
 * ring reads dilated windows with a strided im2col, so a dilated convolution
 * costs what the undilated one does.
 */
import * as tf from '@tensorflow/tfjs';
import { check, NotImplementedError } from '../errors.js';
import type { PrivateTensor } from '../protocol/api/index.js';
import { pair, windowGeometry, type Padding } from '../ring/index.js';
import { applyActivation, checkActivation, checkReluMode, reluModeOf, type ActivationIdentifier, type ReluMode } from './activations.js';
import { checkChannelsLast, imageDims, Layer, type CallOptions, type LayerArgs, type LayerConfig, type LayerShape } from './layer.js';

/** Arguments shared by the convolution layers (tfjs field names). */
export interface BaseConvArgs extends LayerArgs {
  kernelSize: number | readonly [number, number];
  strides?: number | readonly [number, number];
  padding?: Padding;
  dataFormat?: 'channelsLast';
  dilationRate?: number | readonly [number, number];
  activation?: ActivationIdentifier;
  useBias?: boolean;
  reluMode?: ReluMode;
}

export interface Conv2DLayerArgs extends BaseConvArgs {
  filters: number;
}

export interface DepthwiseConv2DLayerArgs extends BaseConvArgs {
  /** Output channels per input channel (default 1). */
  depthMultiplier?: number;
}

export interface SeparableConv2DLayerArgs extends BaseConvArgs {
  filters: number;
  /** Depthwise output channels per input channel (default 1). */
  depthMultiplier?: number;
}

export abstract class BaseConv extends Layer {
  readonly kernelSize: [number, number];
  readonly strides: [number, number];
  readonly dilationRate: [number, number];
  readonly padding: Padding;
  readonly activation: ActivationIdentifier;
  readonly useBias: boolean;
  readonly reluMode: ReluMode | undefined;

  constructor(args: BaseConvArgs, className: string) {
    super(args, className);
    const where = `${this.name} (${className})`;
    this.kernelSize = pair(args.kernelSize, 'kernelSize', where);
    this.strides = pair(args.strides ?? 1, 'strides', where);
    const padding = args.padding ?? 'valid';
    if (padding !== 'valid' && padding !== 'same') throw new NotImplementedError(`${where}: padding '${String(padding)}' is not supported; supported: valid, same`);
    this.padding = padding;
    checkChannelsLast(args.dataFormat, where);
    this.dilationRate = pair(args.dilationRate ?? 1, 'dilationRate', where);
    this.activation = checkActivation(args.activation, where);
    this.useBias = args.useBias ?? true;
    this.reluMode = checkReluMode(args.reluMode, where);
  }

  /** Output channels for `inChannels` input channels. */
  protected abstract outChannels(inChannels: number): number;

  computeOutputShape(inputShape: LayerShape): LayerShape {
    const [h, w, c] = imageDims(inputShape, `${this.name} (${this.className})`);
    const g = windowGeometry([1, h, w, c], this.kernelSize, this.strides, this.padding, `${this.name} (${this.className})`, this.dilationRate);
    return [inputShape[0], g.outHeight, g.outWidth, this.outChannels(c)];
  }

  /** The ring's options: strides, padding, dilations. */
  protected get convOptions(): { strides: [number, number]; padding: Padding; dilations: [number, number] } {
    return { strides: this.strides, padding: this.padding, dilations: this.dilationRate };
  }

  protected finish(y: PrivateTensor, options: CallOptions, biasIndex = 1): PrivateTensor {
    const z = this.useBias ? y.add(this.weights[biasIndex]) : y;
    return applyActivation(z, this.activation, reluModeOf(this.reluMode, options));
  }


  protected override initialWeight(index: number, shape: readonly number[]): tf.Tensor {
    return index === 0 ? tf.initializers.glorotUniform({}).apply([...shape]) : tf.zeros([...shape]);
  }

  override getConfig(): LayerConfig {
    return {
      ...super.getConfig(),
      kernelSize: [...this.kernelSize],
      strides: [...this.strides],
      padding: this.padding,
      dataFormat: 'channelsLast',
      dilationRate: [...this.dilationRate],
      activation: this.activation,
      useBias: this.useBias,
    };
  }
}

/** 2-D convolution, as tf.layers.conv2d: activation(conv2d(x, kernel) + bias). */
export class Conv2D extends BaseConv {
  static readonly className = 'Conv2D';
  readonly filters: number;

  constructor(args: Conv2DLayerArgs) {
    super(args, Conv2D.className);
    check(Number.isInteger(args.filters) && args.filters > 0, () => `${this.name} (Conv2D): filters must be a positive integer, got ${String(args.filters)}`);
    this.filters = args.filters;
  }

  get className(): string {
    return Conv2D.className;
  }

  protected outChannels(): number {
    return this.filters;
  }

  override weightShapes(inputShape: LayerShape): number[][] {
    const kernel = [this.kernelSize[0], this.kernelSize[1], inputShape[3] as number, this.filters];
    return this.useBias ? [kernel, [this.filters]] : [kernel];
  }

  protected call(x: PrivateTensor, options: CallOptions): PrivateTensor {
    return this.finish(x.conv2d(this.weights[0], this.convOptions), options);
  }

  override getConfig(): LayerConfig {
    return { ...super.getConfig(), filters: this.filters };
  }
}

/** Depthwise 2-D convolution, as tf.layers.depthwiseConv2d. */
export class DepthwiseConv2D extends BaseConv {
  static readonly className = 'DepthwiseConv2D';
  readonly depthMultiplier: number;

  constructor(args: DepthwiseConv2DLayerArgs) {
    super(args, DepthwiseConv2D.className);
    const m = args.depthMultiplier ?? 1;
    check(Number.isInteger(m) && m > 0, () => `${this.name} (DepthwiseConv2D): depthMultiplier must be a positive integer, got ${String(m)}`);
    this.depthMultiplier = m;
  }

  get className(): string {
    return DepthwiseConv2D.className;
  }

  protected outChannels(inChannels: number): number {
    return inChannels * this.depthMultiplier;
  }

  override weightShapes(inputShape: LayerShape): number[][] {
    const c = inputShape[3] as number;
    const kernel = [this.kernelSize[0], this.kernelSize[1], c, this.depthMultiplier];
    return this.useBias ? [kernel, [c * this.depthMultiplier]] : [kernel];
  }

  protected call(x: PrivateTensor, options: CallOptions): PrivateTensor {
    return this.finish(x.depthwiseConv2d(this.weights[0], this.convOptions), options);
  }

  override getConfig(): LayerConfig {
    return { ...super.getConfig(), depthMultiplier: this.depthMultiplier };
  }
}

/**
 * Separable 2-D convolution, as tf.layers.separableConv2d: a depthwise
 * convolution (its own multiplier) then a 1x1 convolution to `filters`
 * channels, then bias and activation. Two Beaver products in sequence; the
 * weights are [depthwiseKernel, pointwiseKernel, bias], as tfjs.
 */
export class SeparableConv2D extends BaseConv {
  static readonly className = 'SeparableConv2D';
  readonly filters: number;
  readonly depthMultiplier: number;

  constructor(args: SeparableConv2DLayerArgs) {
    super(args, SeparableConv2D.className);
    check(Number.isInteger(args.filters) && args.filters > 0, () => `${this.name} (SeparableConv2D): filters must be a positive integer, got ${String(args.filters)}`);
    const m = args.depthMultiplier ?? 1;
    check(Number.isInteger(m) && m > 0, () => `${this.name} (SeparableConv2D): depthMultiplier must be a positive integer, got ${String(m)}`);
    this.filters = args.filters;
    this.depthMultiplier = m;
  }

  get className(): string {
    return SeparableConv2D.className;
  }

  protected outChannels(): number {
    return this.filters;
  }

  override weightShapes(inputShape: LayerShape): number[][] {
    const c = inputShape[3] as number;
    const kernels = [[this.kernelSize[0], this.kernelSize[1], c, this.depthMultiplier], [1, 1, c * this.depthMultiplier, this.filters]];
    return this.useBias ? [...kernels, [this.filters]] : kernels;
  }

  protected override initialWeight(index: number, shape: readonly number[]): tf.Tensor {
    return index < 2 ? tf.initializers.glorotUniform({}).apply([...shape]) : tf.zeros([...shape]);
  }

  protected call(x: PrivateTensor, options: CallOptions): PrivateTensor {
    const depthwise = x.depthwiseConv2d(this.weights[0], this.convOptions);
    return this.finish(depthwise.conv2d(this.weights[1]), options, 2);
  }

  override getConfig(): LayerConfig {
    return { ...super.getConfig(), filters: this.filters, depthMultiplier: this.depthMultiplier };
  }
}
