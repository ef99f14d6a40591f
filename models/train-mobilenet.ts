/**
 * Trains mnist-mobilenet, a MobileNet-like functional model: Conv2D 3x3/2 (16,
 * no bias) BatchNorm ReLU6; a residual block of SeparableConv2D 3x3 (16, no
 * bias) BatchNorm ReLU6 added to its input; SeparableConv2D 3x3/2 (32, no
 * bias) BatchNorm ReLU6; GlobalAveragePooling2D; Dense 32-10 (logits).
 * On the cpu backend: the wasm backend has no gradient kernels for depthwise
 * convolutions. After training, the batch-norm statistics are recalibrated
 * exactly on the training images (models/recalibrate.ts).
 * Run: npm run train:mobilenet
 */
import * as tf from '@tensorflow/tfjs';
import { recalibrateBatchNorm } from './recalibrate.js';
import { seeded, train } from './train.js';

const sym = (x: tf.SymbolicTensor | tf.SymbolicTensor[] | tf.Tensor | tf.Tensor[]): tf.SymbolicTensor => x as tf.SymbolicTensor;

function build(): tf.LayersModel {
  const input = tf.input({ shape: [28, 28, 1], name: 'image' });
  const relu6 = (name: string, x: tf.SymbolicTensor): tf.SymbolicTensor => sym(tf.layers.reLU({ maxValue: 6, name }).apply(x));
  const bn = (name: string, x: tf.SymbolicTensor): tf.SymbolicTensor => sym(tf.layers.batchNormalization({ name }).apply(x));
  let h = sym(tf.layers.conv2d({ name: 'stem', filters: 16, kernelSize: 3, strides: 2, padding: 'same', useBias: false, kernelInitializer: seeded(31) }).apply(input));
  h = relu6('stem_relu6', bn('stem_bn', h));
  let b = sym(tf.layers.separableConv2d({ name: 'block_sep', filters: 16, kernelSize: 3, padding: 'same', useBias: false, depthwiseInitializer: seeded(32), pointwiseInitializer: seeded(33) }).apply(h));
  b = relu6('block_relu6', bn('block_bn', b));
  h = sym(tf.layers.add({ name: 'residual' }).apply([h, b]));
  h = sym(tf.layers.separableConv2d({ name: 'down_sep', filters: 32, kernelSize: 3, strides: 2, padding: 'same', useBias: false, depthwiseInitializer: seeded(34), pointwiseInitializer: seeded(35) }).apply(h));
  h = relu6('down_relu6', bn('down_bn', h));
  h = sym(tf.layers.globalAveragePooling2d({ name: 'pool' }).apply(h));
  const logits = sym(tf.layers.dense({ name: 'logits', units: 10, kernelInitializer: seeded(36) }).apply(h));
  return tf.model({ name: 'mnist_mobilenet', inputs: input, outputs: logits });
}

await train({ name: 'mnist-mobilenet', layout: 'image', build, backend: 'cpu', epochs: 3, batchSize: 64, learningRate: 3e-3, seed: 4, finish: recalibrateBatchNorm });
