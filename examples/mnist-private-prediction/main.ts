/**
 * Private prediction of real MNIST digits with a CNN (like SecureNN's
 * network C). The model owner secret-shares the trained weights, the inputter
 * secret-shares test images, the servers run the network without seeing
 * either, and the result receiver learns only the predicted classes (the
 * argmax is computed privately too). It prints the accuracy next to the
 * plaintext model's.
 *
 * Run: npm run example:mnist            (one process; IMAGES=1000 for all of them)
 *      npx tfe run examples/mnist-private-prediction/main.ts   (one process per player)
 */
import * as tf from '@tensorflow/tfjs';
import { fileURLToPath } from 'node:url';
import * as tfe from 'tfjs-encrypted/node';
import { loadMnist } from '../../models/data.js';

tf.env().set('PROD', true);

const IMAGES = Number(process.env.IMAGES ?? 100);
// Images per chunk: each chunk is predicted, then every player waits at a
// barrier (prot.sync) before the next one is issued, so the crypto producer
// and the servers hold one chunk's correlated randomness and activations at a
// time instead of all of them (bounded memory for IMAGES=1000 across processes;
// this CNN moves about 7 MB per image in all, BENCHMARKS.md, so 20 is ~140 MB).
const BATCH = Number(process.env.BATCH ?? 20);
// SYNC=0 issues every chunk at once and leaves the pacing to the library's
// dealer window (PondOptions.dealerWindow): the crypto producer and the
// servers then hold about 256 operations' material, a few chunks.
const SYNC = process.env.SYNC !== '0';
const MODEL = fileURLToPath(new URL(`../../models/${process.env.MODEL ?? 'mnist-cnn'}/`, import.meta.url));

const config = tfe.LocalConfig(['server0', 'server1', 'crypto-producer', 'model-owner', 'inputter', 'result-receiver']);
const prot = new tfe.protocol.Pond(config, { servers: ['server0', 'server1'], cryptoProducer: 'crypto-producer' });

// Every player needs the architecture; only the model owner's weights are used
// (on separate machines the others can load the same model.json).
const plain = await tfe.models.loadTfjs(MODEL);
const model = await tfe.models.fromTfjs(plain, prot, { weightsOwner: 'model-owner' });
const inputShape = plain.inputs[0].shape.slice(1) as number[];

// The inputter's test images (the 1,000 held-out digits of models/data.ts).
const images = prot.definePrivateInput('inputter', () => loadMnist().test.pixels.slice(0, IMAGES * 784), { shape: [IMAGES, ...inputShape] });

const started = performance.now();
const chunks: ReturnType<typeof prot.argmax>[] = [];
for (let start = 0; start < IMAGES; start += BATCH) {
  const n = Math.min(BATCH, IMAGES - start);
  const chunk = prot.argmax(model.predict(images.slice([start, ...inputShape.map(() => 0)], [n, ...inputShape])), -1);
  // Barrier: nobody issues the next chunk before both servers hold this one's result.
  if (SYNC) await prot.sync([chunk]);
  chunks.push(chunk);
}
const predictions = chunks.length === 1 ? chunks[0] : prot.concat(chunks, 0);

await prot.defineOutput('result-receiver', predictions, (classes) => {
  const seconds = (performance.now() - started) / 1000;
  const { test } = loadMnist();
  const got = classes.dataSync();
  // For this demo the result receiver also knows the true labels and, to
  // compare, runs the plaintext model on the same images.
  const plainPredictions = tf.tidy(() => (plain.predict(tf.tensor(test.pixels.slice(0, IMAGES * 784), [IMAGES, ...inputShape])) as tf.Tensor).argMax(-1).dataSync());
  let privateCorrect = 0;
  let plainCorrect = 0;
  let agree = 0;
  for (let i = 0; i < IMAGES; i++) {
    if (got[i] === test.labels[i]) privateCorrect++;
    if (plainPredictions[i] === test.labels[i]) plainCorrect++;
    if (got[i] === plainPredictions[i]) agree++;
  }
  const pct = (k: number): string => `${((100 * k) / IMAGES).toFixed(1)}%`;
  console.log(`Private prediction of ${IMAGES} real MNIST test digits with ${plain.name} (${model.countParams()} private weights):`);
  console.log(`  accuracy, private:   ${pct(privateCorrect)} (${privateCorrect}/${IMAGES})`);
  console.log(`  accuracy, plaintext: ${pct(plainCorrect)} (${plainCorrect}/${IMAGES})`);
  console.log(`  same class as the plaintext model: ${pct(agree)}`);
  console.log(`  ${seconds.toFixed(1)} s for all players' work (${((seconds * 1000) / IMAGES).toFixed(0)} ms per image)`);
});

await prot.flush();
await config.close();
