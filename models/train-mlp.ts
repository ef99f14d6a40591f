/**
 * Trains mnist-mlp, SecureNN's network A: Dense 784-128 ReLU, Dense 128-128
 * ReLU, Dense 128-10 (logits). Run: npm run train:mlp
 */
import * as tf from '@tensorflow/tfjs';
import { seeded, train } from './train.js';

await train({
  name: 'mnist-mlp',
  layout: 'flat',
  build: () =>
    tf.sequential({
      name: 'mnist_mlp',
      layers: [
        tf.layers.dense({ name: 'dense1', inputShape: [784], units: 128, activation: 'relu', kernelInitializer: seeded(11) }),
        tf.layers.dense({ name: 'dense2', units: 128, activation: 'relu', kernelInitializer: seeded(12) }),
        tf.layers.dense({ name: 'dense3', units: 10, kernelInitializer: seeded(13) }),
      ],
    }),
  epochs: 20,
  batchSize: 64,
  learningRate: 1e-3,
  seed: 1,
});
