/**
 * Fine-tuning a converted tfjs model on private data: the model owner's
 * pretrained network A (models/mnist-mlp, logits out) is converted with
 * fromTfjs, its first two layers are frozen (`trainable = false`), and only
 * the last layer is trained on a data owner's private digits; the owner gets
 * the tuned model back with toTfjs and compares held-out accuracy before and
 * after.
 *
 * One process:  npx tsx examples/fine-tuning/main.ts
 * One process per player:  npx tfe run examples/fine-tuning/main.ts
 */
import * as tf from '@tensorflow/tfjs';
import * as tfe from 'tfjs-encrypted';
import * as tfeNode from 'tfjs-encrypted/node';
import { loadMnist } from '../../models/data.js';

tf.env().set('PROD', true);
const ROWS = Number(process.env.ROWS ?? 2000);

const config = tfe.LocalConfig(['server0', 'server1', 'crypto-producer', 'data-owner', 'model-owner']);
const prot = new tfe.protocol.Pond(config, { servers: ['server0', 'server1'], cryptoProducer: 'crypto-producer' }, { fracBits: 20 });
const pretrained = await tfeNode.models.loadTfjs('models/mnist-mlp');
const model = await tfe.models.fromTfjs(pretrained, prot, { weightsOwner: 'model-owner' });
for (const layer of model.layers.slice(0, -1)) layer.trainable = false;
model.compile({ optimizer: tfe.train.momentum(0.02, 0.9), loss: tfe.losses.categoricalCrossentropy({ fromLogits: true }), metrics: ['accuracy'] });

const { train, test } = loadMnist();
// Rows spread over the label-ordered split.
const picks = Array.from({ length: ROWS }, (_, i) => Math.floor((i * train.count) / ROWS));
const x = prot.definePrivateInput('data-owner', () => {
  const out = new Float32Array(ROWS * 784);
  picks.forEach((r, i) => out.set(train.pixels.subarray(r * 784, r * 784 + 784), i * 784));
  return out;
}, { shape: [ROWS, 784] });
const y = prot.definePrivateInput('data-owner', () => tf.oneHot(tf.tensor1d(picks.map((r) => train.labels[r]), 'int32'), 10), { shape: [ROWS, 10] });
await model.fit(x, y, { batchSize: 100, epochs: 1, revealLossTo: 'model-owner', verbose: 2 });
const tuned = await model.toTfjs('model-owner');

if (tuned !== undefined) {
  const tx = tf.tensor(test.pixels, [test.count, 784]);
  const accuracy = (m: tf.LayersModel): number => {
    const pred = (m.predict(tx) as tf.Tensor).argMax(-1).dataSync();
    return Array.from(test.labels).filter((l, i) => l === pred[i]).length / test.count;
  };
  console.log(`held-out accuracy: pretrained ${(100 * accuracy(pretrained)).toFixed(1)}%, fine-tuned privately ${(100 * accuracy(tuned)).toFixed(1)}%`);
}
