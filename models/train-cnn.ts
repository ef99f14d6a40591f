/**
 * Trains mnist-cnn, after SecureNN's network C: Conv2D 5x5x20 (valid) ReLU,
 * MaxPool 2x2, Conv2D 5x5x50 (valid) ReLU, MaxPool 2x2, Flatten, Dense 800-500
 * ReLU, Dense 500-10 (logits). Run: npm run train:cnn
 */
import * as tf from '@tensorflow/tfjs';
import { seeded, train } from './train.js';

await train({
  name: 'mnist-cnn',
  layout: 'image',
  build: () =>
    tf.sequential({
      name: 'mnist_cnn',
      layers: [
        tf.layers.conv2d({ name: 'conv1', inputShape: [28, 28, 1], kernelSize: 5, filters: 20, padding: 'valid', activation: 'relu', kernelInitializer: seeded(21) }),
        tf.layers.maxPooling2d({ name: 'pool1', poolSize: 2 }),
        tf.layers.conv2d({ name: 'conv2', kernelSize: 5, filters: 50, padding: 'valid', activation: 'relu', kernelInitializer: seeded(22) }),
        tf.layers.maxPooling2d({ name: 'pool2', poolSize: 2 }),
        tf.layers.flatten({ name: 'flatten' }),
        tf.layers.dense({ name: 'dense1', units: 500, activation: 'relu', kernelInitializer: seeded(23) }),
        tf.layers.dense({ name: 'dense2', units: 10, kernelInitializer: seeded(24) }),
      ],
    }),
  epochs: 12,
  batchSize: 64,
  learningRate: 1e-3,
  seed: 2,
});
