/** Keras-style layers on private tensors, mirroring tfjs-layers. */
export * from './exports.js';
export { Layer, SymbolicTensor, concrete, fmtLayerShape, type LayerTensor, type LayerShape, type LayerArgs, type LayerConfig, type ConfigValue, type WeightProvider, type BuildOptions, type CallOptions } from './layer.js';
export type { OpCost as LayerCost } from '../protocol/api/index.js';
export { Dense, type DenseLayerArgs } from './dense.js';
export { BaseConv, Conv2D, DepthwiseConv2D, SeparableConv2D, type BaseConvArgs, type Conv2DLayerArgs, type DepthwiseConv2DLayerArgs, type SeparableConv2DLayerArgs } from './convolutional.js';
export { Conv1D, type Conv1DLayerArgs } from './convolutional-1d.js';
export { Conv2DTranspose, type Conv2DTransposeLayerArgs } from './convolutional-transpose.js';
export { Flatten, Reshape, Activation, Dropout, type ReshapeLayerArgs, type ActivationLayerArgs, type DropoutLayerArgs } from './core.js';
export { AveragePooling2D, MaxPooling2D, GlobalAveragePooling2D, GlobalMaxPooling2D, AveragePooling1D, MaxPooling1D, GlobalAveragePooling1D, GlobalMaxPooling1D, type Pooling2DLayerArgs, type GlobalPooling2DLayerArgs, type Pooling1DLayerArgs } from './pooling.js';
export { BatchNormalization, type BatchNormalizationLayerArgs } from './normalization.js';
export { ZeroPadding2D, ZeroPadding1D, Cropping2D, type ZeroPadding2DLayerArgs, type ZeroPadding1DLayerArgs, type Cropping2DLayerArgs } from './padding.js';
export { Permute, RepeatVector, UpSampling2D, type PermuteLayerArgs, type RepeatVectorLayerArgs, type UpSampling2DLayerArgs } from './reshaping.js';
export { ReLU, Softmax, LeakyReLU, PReLU, ELU, ThresholdedReLU, type ReLULayerArgs, type SoftmaxLayerArgs, type LeakyReLULayerArgs, type PReLULayerArgs, type ELULayerArgs, type ThresholdedReLULayerArgs } from './advanced-activations.js';
export { ACTIVATIONS, checkReluMode, type ActivationIdentifier, type ReluMode } from './activations.js';
export { InputLayer, input, type InputArgs } from './input.js';
export { Merge, Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate, Dot, type ConcatenateLayerArgs, type DotLayerArgs } from './merge.js';
export { LayerNormalization, type LayerNormalizationLayerArgs } from './layer-normalization.js';
export { Embedding, type EmbeddingLayerArgs } from './embedding.js';
