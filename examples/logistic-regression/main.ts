/**
 * Private logistic regression with two data owners: the digits of the mnist
 * package (784 grey levels each), labelled 1 for 5-9 and 0 for 0-4. The first
 * owner holds the first half of the training rows, the second the rest and
 * all the labels; the servers train a sigmoid unit on the concatenated shares
 * and give the weights to the model owner, who compares the held-out accuracy
 * with the same model trained in plaintext tfjs from the same initial weights
 * on the same batches.
 *
 * One process:  npx tsx examples/logistic-regression/main.ts
 * One process per player:  npx tfe run examples/logistic-regression/main.ts
 */
import * as tf from '@tensorflow/tfjs';
import * as tfe from 'tfjs-encrypted';
import { loadMnist } from '../../models/data.js';

tf.env().set('PROD', true);
const [EPOCHS, BATCH, LR] = [3, 64, 0.5];

const config = tfe.LocalConfig(['server0', 'server1', 'crypto-producer', 'owner-a', 'owner-b', 'model-owner']);
const prot = new tfe.protocol.Pond(config, { servers: ['server0', 'server1'], cryptoProducer: 'crypto-producer' }, { fracBits: 20 });

// The split lists digits by label: a fixed interleaving mixes the classes (a stride of 2377 rows, wrapping).
const { train, test } = loadMnist();
const n = train.count;
const order = Array.from({ length: n }, (_, i) => (i * 2377) % n);
const rowsOf = (from: number, to: number): Float32Array => {
  const out = new Float32Array((to - from) * 784);
  for (let i = from; i < to; i++) out.set(train.pixels.subarray(order[i] * 784, order[i] * 784 + 784), (i - from) * 784);
  return out;
};
const half = Math.floor(n / 2);
const a = prot.definePrivateInput('owner-a', () => rowsOf(0, half), { shape: [half, 784] });
const b = prot.definePrivateInput('owner-b', () => rowsOf(half, n), { shape: [n - half, 784] });
const y = prot.definePrivateInput('owner-b', () => Float32Array.from(order, (r) => (train.labels[r] >= 5 ? 1 : 0)), { shape: [n, 1] });

const plain = tf.sequential({ layers: [tf.layers.dense({ inputShape: [784], units: 1, activation: 'sigmoid', kernelInitializer: tf.initializers.randomUniform({ minval: -0.05, maxval: 0.05, seed: 7 }) })] });
const model = await tfe.models.fromTfjs(plain, prot, { weightsOwner: 'model-owner' });
model.compile({ optimizer: tfe.train.sgd(LR), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
await model.fit(a.concat([b], 0), y, { batchSize: BATCH, epochs: EPOCHS, shuffle: false, revealLossTo: 'model-owner', verbose: 2 });
const trained = await model.toTfjs('model-owner');

if (trained !== undefined) {
  // The model owner's process: the trained weights are in the clear here only.
  plain.compile({ optimizer: tf.train.sgd(LR), loss: 'binaryCrossentropy' });
  await plain.fit(tf.tensor(rowsOf(0, n), [n, 784]), tf.tensor(Float32Array.from(order, (r) => (train.labels[r] >= 5 ? 1 : 0)), [n, 1]), { batchSize: BATCH, epochs: EPOCHS, shuffle: false, verbose: 0 });
  const x = tf.tensor(test.pixels, [test.count, 784]);
  const accuracy = (m: tf.LayersModel): number => {
    const p = (m.predict(x) as tf.Tensor).dataSync();
    return Array.from(test.labels).filter((l, i) => (p[i] >= 0.5 ? 1 : 0) === (l >= 5 ? 1 : 0)).length / test.count;
  };
  console.log(`held-out accuracy (5-9 against 0-4): private ${(100 * accuracy(trained)).toFixed(1)}%, plaintext tfjs ${(100 * accuracy(plain)).toFixed(1)}%`);
}
