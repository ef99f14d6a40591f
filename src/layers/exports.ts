/**
 * Layer factories, named and configured as tfjs-layers':
 * `tfe.layers.dense({ units: 10, activation: 'relu' })`.
 */
import { Activation, Dropout, Flatten, Reshape, type ActivationLayerArgs, type DropoutLayerArgs, type ReshapeLayerArgs } from './core.js';
import { Conv2D, DepthwiseConv2D, SeparableConv2D, type Conv2DLayerArgs, type DepthwiseConv2DLayerArgs, type SeparableConv2DLayerArgs } from './convolutional.js';
import { Conv1D, type Conv1DLayerArgs } from './convolutional-1d.js';
import { Conv2DTranspose, type Conv2DTransposeLayerArgs } from './convolutional-transpose.js';
import { Dense, type DenseLayerArgs } from './dense.js';
import { Embedding, type EmbeddingLayerArgs } from './embedding.js';
import { GRU, LSTM, SimpleRNN, type GatedRNNLayerArgs, type RNNLayerArgs } from './recurrent.js';
import { LayerNormalization, type LayerNormalizationLayerArgs } from './layer-normalization.js';
import type { LayerArgs } from './layer.js';
import { BatchNormalization, type BatchNormalizationLayerArgs } from './normalization.js';
import { Cropping2D, ZeroPadding1D, ZeroPadding2D, type Cropping2DLayerArgs, type ZeroPadding1DLayerArgs, type ZeroPadding2DLayerArgs } from './padding.js';
import { Permute, RepeatVector, UpSampling2D, type PermuteLayerArgs, type RepeatVectorLayerArgs, type UpSampling2DLayerArgs } from './reshaping.js';
import {
  AveragePooling1D,
  AveragePooling2D,
  GlobalAveragePooling1D,
  GlobalAveragePooling2D,
  GlobalMaxPooling1D,
  GlobalMaxPooling2D,
  MaxPooling1D,
  MaxPooling2D,
  type GlobalPooling2DLayerArgs,
  type Pooling1DLayerArgs,
  type Pooling2DLayerArgs,
} from './pooling.js';
import { ELU, LeakyReLU, PReLU, ReLU, Softmax, ThresholdedReLU, type ELULayerArgs, type LeakyReLULayerArgs, type PReLULayerArgs, type ReLULayerArgs, type SoftmaxLayerArgs, type ThresholdedReLULayerArgs } from './advanced-activations.js';
import { Add, Average, Concatenate, Dot, Maximum, Minimum, Multiply, Subtract, type ConcatenateLayerArgs, type DotLayerArgs } from './merge.js';

/** Fully connected: activation(x W + b). One private matmul (2 rounds), then the activation. */
export const dense = (args: DenseLayerArgs): Dense => new Dense(args);
/** 2-D convolution, NHWC input, 'valid' or 'same' padding, any dilation. */
export const conv2d = (args: Conv2DLayerArgs): Conv2D => new Conv2D(args);
/** Depthwise 2-D convolution (per-channel filters, `depthMultiplier` outputs each). */
export const depthwiseConv2d = (args: DepthwiseConv2DLayerArgs): DepthwiseConv2D => new DepthwiseConv2D(args);
/** Flattens each sample. */
export const flatten = (args: LayerArgs = {}): Flatten => new Flatten(args);
/** Reshapes each sample to `targetShape`. */
export const reshape = (args: ReshapeLayerArgs): Reshape => new Reshape(args);
/** An activation: linear, relu (exact), relu6, sigmoid, tanh, softmax, hardSigmoid, elu, selu, softplus, softsign, swish, gelu, gelu_new. */
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
/** Sum of two or more inputs (free). */
export const add = (args: LayerArgs = {}): Add => new Add(args);
/** First input minus the second (free). */
export const subtract = (args: LayerArgs = {}): Subtract => new Subtract(args);
/** Elementwise product of the inputs (a Beaver product per extra input). */
export const multiply = (args: LayerArgs = {}): Multiply => new Multiply(args);
/** Mean of the inputs (one truncation). */
export const average = (args: LayerArgs = {}): Average => new Average(args);
/** Elementwise maximum of the inputs, exact. */
export const maximum = (args: LayerArgs = {}): Maximum => new Maximum(args);
/** Elementwise minimum of the inputs, exact. */
export const minimum = (args: LayerArgs = {}): Minimum => new Minimum(args);
/** Joins the inputs along `axis` (default -1; free). */
export const concatenate = (args: ConcatenateLayerArgs = {}): Concatenate => new Concatenate(args);
/** Batched dot product of two inputs along `axes`, optionally L2-normalised. */
export const dot = (args: DotLayerArgs): Dot => new Dot(args);
/** Zero padding of sequences [batch, steps, features] (free). */
export const zeroPadding1d = (args: ZeroPadding1DLayerArgs = {}): ZeroPadding1D => new ZeroPadding1D(args);
/** Crops rows and columns of images (free). */
export const cropping2D = (args: Cropping2DLayerArgs = {}): Cropping2D => new Cropping2D(args);
/** Permutes the sample dimensions (`dims` 1-based, as tfjs; free). */
export const permute = (args: PermuteLayerArgs): Permute => new Permute(args);
/** [batch, features] -> [batch, n, features] (free). */
export const repeatVector = (args: RepeatVectorLayerArgs): RepeatVector => new RepeatVector(args);
/** Nearest-neighbour upsampling of images (free). */
export const upSampling2d = (args: UpSampling2DLayerArgs = {}): UpSampling2D => new UpSampling2D(args);
/** x above zero, alpha x below (one truncation). */
export const leakyReLU = (args: LeakyReLULayerArgs = {}): LeakyReLU => new LeakyReLU(args);
/** Leaky ReLU with a learned private slope per position (one Beaver product). */
export const prelu = (args: PReLULayerArgs = {}): PReLU => new PReLU(args);
/** x above zero, alpha (e^x - 1) below. */
export const elu = (args: ELULayerArgs = {}): ELU => new ELU(args);
/** x above theta, else 0 (one comparison, one product). */
export const thresholdedReLU = (args: ThresholdedReLULayerArgs = {}): ThresholdedReLU => new ThresholdedReLU(args);
/** Separable convolution: depthwise (with its multiplier) then 1x1, two Beaver products. */
export const separableConv2d = (args: SeparableConv2DLayerArgs): SeparableConv2D => new SeparableConv2D(args);
/** 1-D convolution of sequences ('valid', 'same' or 'causal'; any dilation), a conv2d of one row. */
export const conv1d = (args: Conv1DLayerArgs): Conv1D => new Conv1D(args);
/** Transposed 2-D convolution (one Beaver product on the input's and the kernel's masks). */
export const conv2dTranspose = (args: Conv2DTransposeLayerArgs): Conv2DTranspose => new Conv2DTranspose(args);
/** Average pooling of sequences. */
export const averagePooling1d = (args: Pooling1DLayerArgs = {}): AveragePooling1D => new AveragePooling1D(args);
/** Max pooling of sequences, exact. */
export const maxPooling1d = (args: Pooling1DLayerArgs = {}): MaxPooling1D => new MaxPooling1D(args);
/** Mean over the steps of sequences. */
export const globalAveragePooling1d = (args: LayerArgs = {}): GlobalAveragePooling1D => new GlobalAveragePooling1D(args);
/** Max over the steps of sequences, exact. */
export const globalMaxPooling1d = (args: LayerArgs = {}): GlobalMaxPooling1D => new GlobalMaxPooling1D(args);
/** Layer normalization over the sample axes `axis` (invSqrt of the variance). */
export const layerNormalization = (args: LayerNormalizationLayerArgs = {}): LayerNormalization => new LayerNormalization(args);
/** Token ids to vectors: private ids by secure equality then one product; public ids locally. */
export const embedding = (args: EmbeddingLayerArgs): Embedding => new Embedding(args);
/** h = activation(x W + h U + b) over private sequences. */
export const simpleRNN = (args: RNNLayerArgs): SimpleRNN => new SimpleRNN(args);
/** GRU over private sequences (tfjs's gates; reset_after false). */
export const gru = (args: GatedRNNLayerArgs): GRU => new GRU(args);
/** LSTM over private sequences (tfjs's gates i, f, c, o). */
export const lstm = (args: GatedRNNLayerArgs): LSTM => new LSTM(args);
