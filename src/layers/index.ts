/** Keras-style layers on private tensors, mirroring tfjs-layers. */
export * from './exports.js';
export { Layer, concrete, fmtLayerShape, type LayerShape, type LayerArgs, type LayerConfig, type ConfigValue, type WeightProvider, type BuildOptions, type CallOptions } from './layer.js';
export type { OpCost as LayerCost } from '../protocol/api/index.js';
export { Dense, type DenseLayerArgs } from './dense.js';
export { Conv2D, DepthwiseConv2D, type BaseConvArgs, type Conv2DLayerArgs, type DepthwiseConv2DLayerArgs } from './convolutional.js';
export { Flatten, Reshape, Activation, Dropout, type ReshapeLayerArgs, type ActivationLayerArgs, type DropoutLayerArgs } from './core.js';
export { AveragePooling2D, MaxPooling2D, GlobalAveragePooling2D, GlobalMaxPooling2D, type Pooling2DLayerArgs, type GlobalPooling2DLayerArgs } from './pooling.js';
export { BatchNormalization, type BatchNormalizationLayerArgs } from './normalization.js';
export { ZeroPadding2D, type ZeroPadding2DLayerArgs } from './padding.js';
export { ReLU, Softmax, type ReLULayerArgs, type SoftmaxLayerArgs } from './advanced-activations.js';
export { ACTIVATIONS, checkReluMode, type ActivationIdentifier, type ReluMode } from './activations.js';
