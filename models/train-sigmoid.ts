/**
 * Trains mnist-sigmoid: Dense 784-64 sigmoid, Dense 64-10 (logits), a small
 * network whose one nonlinearity is smooth (for polynomial approximations).
 * Run: npm run train:sigmoid
 */
import * as tf from '@tensorflow/tfjs';
import { seeded, train } from './train.js';

await train({
  name: 'mnist-sigmoid',
  layout: 'flat',
  build: () =>
    tf.sequential({
      name: 'mnist_sigmoid',
      layers: [
        tf.layers.dense({ name: 'dense1', inputShape: [784], units: 64, activation: 'sigmoid', kernelInitializer: seeded(31) }),
        tf.layers.dense({ name: 'dense2', units: 10, kernelInitializer: seeded(32) }),
      ],
    }),
  epochs: 30,
  batchSize: 64,
  learningRate: 2e-3,
  seed: 3,
});
