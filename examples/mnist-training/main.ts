/**
 * Private training of network A (Dense 784-128 ReLU, 128-128 ReLU, 128-10
 * softmax) from scratch on the 9,000 training digits of the mnist package:
 * the data owner secret-shares the images and labels, the model owner the
 * initial weights; the servers train on shares for 5 epochs (momentum SGD,
 * batch 128, 20 fractional bits) and give the trained model back to the model
 * owner, who evaluates it in plaintext on the 1,000 held-out digits. The same
 * recipe in plaintext tfjs, from the same initial weights, is the reference.
 *
 * One process:  npx tsx examples/mnist-training/main.ts
 * One process per player:  npx tfe run examples/mnist-training/main.ts
 * Env: EPOCHS (default 5), ROWS (default 9000), MIN_ACCURACY (exit 1 below
 * it), REVEAL_LOSS=0 (nobody learns the loss: faster, only time prints).
 */
import * as tf from '@tensorflow/tfjs';
import * as tfe from 'tfjs-encrypted';
import { loadMnist } from '../../models/data.js';

tf.env().set('PROD', true);
const EPOCHS = Number(process.env.EPOCHS ?? 5);
const ROWS = Number(process.env.ROWS ?? 9000);
const MIN_ACCURACY = process.env.MIN_ACCURACY === undefined ? undefined : Number(process.env.MIN_ACCURACY);
const REVEAL_LOSS = process.env.REVEAL_LOSS !== '0';
const recipe = { batchSize: 128, learningRate: 0.05, momentum: 0.9 };

const config = tfe.LocalConfig(['server0', 'server1', 'crypto-producer', 'data-owner', 'model-owner']);
const prot = new tfe.protocol.Pond(config, { servers: ['server0', 'server1'], cryptoProducer: 'crypto-producer' }, { fracBits: 20 });

/** Network A with seeded initial weights: the model owner's starting point, private and plaintext alike. */
function networkA(): tf.Sequential {
  const init = (seed: number) => tf.initializers.glorotUniform({ seed });
  return tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [784], units: 128, activation: 'relu', kernelInitializer: init(1) }),
      tf.layers.dense({ units: 128, activation: 'relu', kernelInitializer: init(2) }),
      tf.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: init(3) }),
    ],
  });
}

const { train, test } = loadMnist();
const rows = Math.min(ROWS, train.count);
// Only the data owner reads the data; the shapes are public.
const images = prot.definePrivateInput('data-owner', () => train.pixels.subarray(0, rows * 784), { shape: [rows, 784] });
const labels = prot.definePrivateInput('data-owner', () => tf.oneHot(tf.tensor1d(Array.from(train.labels.subarray(0, rows)), 'int32'), 10), { shape: [rows, 10] });

const model = await tfe.models.fromTfjs(networkA(), prot, { weightsOwner: 'model-owner' });
model.compile({ optimizer: tfe.train.momentum(recipe.learningRate, recipe.momentum), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
const started = performance.now();
await model.fit(images, labels, { batchSize: recipe.batchSize, epochs: EPOCHS, verbose: 2, ...(REVEAL_LOSS ? { revealLossTo: 'model-owner' } : {}) });
const seconds = (performance.now() - started) / 1000;

const trained = await model.toTfjs('model-owner');
if (trained !== undefined) {
  // Only the model owner's process gets here: it holds the trained model in the clear.
  const testX = tf.tensor(test.pixels, [test.count, 784]);
  const accuracy = (m: tf.LayersModel): number => {
    const pred = (m.predict(testX) as tf.Tensor).argMax(-1).dataSync();
    return Array.from(test.labels).filter((l, i) => l === pred[i]).length / test.count;
  };
  const plain = networkA();
  plain.compile({ optimizer: tf.train.momentum(recipe.learningRate, recipe.momentum), loss: 'categoricalCrossentropy' });
  await plain.fit(tf.tensor(train.pixels.subarray(0, rows * 784), [rows, 784]), tf.oneHot(tf.tensor1d(Array.from(train.labels.subarray(0, rows)), 'int32'), 10), { batchSize: recipe.batchSize, epochs: EPOCHS, verbose: 0 });
  const [privateAcc, plainAcc] = [accuracy(trained), accuracy(plain)];
  console.log(`private training: ${EPOCHS} epochs on ${rows} digits in ${seconds.toFixed(1)} s (${((1000 * seconds) / (EPOCHS * Math.ceil(rows / recipe.batchSize))).toFixed(0)} ms per batch)`);
  console.log(`held-out accuracy: private ${(100 * privateAcc).toFixed(1)}%, plaintext tfjs (same recipe and initial weights) ${(100 * plainAcc).toFixed(1)}%`);
  if (MIN_ACCURACY !== undefined && (privateAcc < MIN_ACCURACY || plainAcc - privateAcc > 0.01)) {
    console.error(`FAILED: private accuracy ${privateAcc} must be at least ${MIN_ACCURACY} and within one point of plaintext ${plainAcc}`);
    process.exitCode = 1;
  }
}
