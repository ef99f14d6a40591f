/**
 * Layer factories, named and configured as tfjs-layers':
 * `tfe.layers.dense({ units: 10, activation: 'relu' })`.
 */
import { Activation, Dropout, Flatten, Reshape, type ActivationLayerArgs, type DropoutLayerArgs, type ReshapeLayerArgs } from './core.js';
import { Conv2D, DepthwiseConv2D, type Conv2DLayerArgs, type DepthwiseConv2DLayerArgs } from './convolutional.js';
import { Dense, type DenseLayerArgs } from './dense.js';
import type { LayerArgs } from './layer.js';
import { BatchNormalization, type BatchNormalizationLayerArgs } from './normalization.js';
import { ZeroPadding2D, type ZeroPadding2DLayerArgs } from './padding.js';
import { AveragePooling2D, GlobalAveragePooling2D, GlobalMaxPooling2D, MaxPooling2D, type GlobalPooling2DLayerArgs, type Pooling2DLayerArgs } from './pooling.js';
import { ReLU, Softmax, type ReLULayerArgs, type SoftmaxLayerArgs } from './advanced-activations.js';

/** Fully connected: activation(x W + b). One private matmul (2 rounds), then the activation. */
export const dense = (args: DenseLayerArgs): Dense => new Dense(args);
/** 2-D convolution, NHWC input, 'valid' or 'same' padding, dilation 1. */
export const conv2d = (args: Conv2DLayerArgs): Conv2D => new Conv2D(args);
/** Depthwise 2-D convolution (per-channel filters, `depthMultiplier` outputs each). */
export const depthwiseConv2d = (args: DepthwiseConv2DLayerArgs): DepthwiseConv2D => new DepthwiseConv2D(args);
/** Flattens each sample. */
export const flatten = (args: LayerArgs = {}): Flatten => new Flatten(args);
/** Reshapes each sample to `targetShape`. */
export const reshape = (args: ReshapeLayerArgs): Reshape => new Reshape(args);
/** An activation: linear, relu (exact), relu6, sigmoid, tanh, softmax, hardSigmoid. */
export const activation = (args: ActivationLayerArgs): Activation => new Activation(args);
/** Average pooling (exact sums, divided by the public window size). */
export const averagePooling2d = (args: Pooling2DLayerArgs = {}): AveragePooling2D => new AveragePooling2D(args);
/** Max pooling, exact. */
export const maxPooling2d = (args: Pooling2DLayerArgs = {}): MaxPooling2D => new MaxPooling2D(args);
/** Mean over height and width. */
export const globalAveragePooling2d = (args: GlobalPooling2DLayerArgs = {}): GlobalAveragePooling2D => new GlobalAveragePooling2D(args);
/** Max over height and width, exact. */
export const globalMaxPooling2d = (args: GlobalPooling2DLayerArgs = {}): GlobalMaxPooling2D => new GlobalMaxPooling2D(args);
/** Batch normalization at inference, folded into a per-channel scale and shift. */
export const batchNormalization = (args: BatchNormalizationLayerArgs = {}): BatchNormalization => new BatchNormalization(args);
/** Dropout: the identity at inference. */
export const dropout = (args: DropoutLayerArgs): Dropout => new Dropout(args);
/** Zero padding of height and width. */
export const zeroPadding2d = (args: ZeroPadding2DLayerArgs = {}): ZeroPadding2D => new ZeroPadding2D(args);
/** ReLU layer; with `maxValue`, exact clipping (ReLU6 for 6). */
export const reLU = (args: ReLULayerArgs = {}): ReLU => new ReLU(args);
/** Softmax over `axis` (tfjs's default, 1). */
export const softmax = (args: SoftmaxLayerArgs = {}): Softmax => new Softmax(args);
