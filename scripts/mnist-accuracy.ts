/**
 * Private predictions on the 1,000 held-out MNIST digits for every model in
 * models/, against the plaintext model: the argmax must agree on at least
 * 99.5% of the images (issues 6 and 14: mnist-mobilenet is functional, with
 * separable convolutions, batch norm, relu6 and a residual add). Prints the agreement and the max abs
 * difference of the logits; exits non-zero when a model falls short.
 *
 * Run: npm run test:accuracy
 */
import * as tf from '@tensorflow/tfjs';
import * as tfe from 'tfjs-encrypted/node';
import { loadMnist } from '../models/data.js';

tf.env().set('PROD', true);
const IMAGES = 1000;
const BATCH = 100;
const REQUIRED = 0.995;
const { test } = loadMnist();
let failed = false;

const MODELS = process.env.MODELS?.split(',') ?? ['mnist-mlp', 'mnist-sigmoid', 'mnist-cnn', 'mnist-mobilenet'];
for (const name of MODELS) {
  const plain = await tfe.models.loadTfjs(`models/${name}`);
  const shape = plain.inputs[0].shape.slice(1) as number[];
  const config = tfe.LocalConfig(['server0', 'server1', 'crypto-producer', 'model-owner', 'inputter', 'result-receiver']);
  const prot = new tfe.protocol.Pond(config, { servers: ['server0', 'server1'], cryptoProducer: 'crypto-producer' });
  const model = await tfe.models.fromTfjs(plain, prot, { weightsOwner: 'model-owner' });
  const started = performance.now();
  let agree = 0;
  let maxDiff = 0;
  for (let start = 0; start < IMAGES; start += BATCH) {
    const pixels = test.pixels.slice(start * 784, (start + BATCH) * 784);
    const x = prot.definePrivateInput('inputter', () => pixels, { shape: [BATCH, ...shape] });
    const got = (await prot.revealFloat64(model.predict(x), 'result-receiver'))!.values;
    const want = tf.tidy(() => (plain.predict(tf.tensor(pixels, [BATCH, ...shape])) as tf.Tensor).dataSync());
    for (let i = 0; i < BATCH; i++) {
      const g = Array.from(got.subarray(i * 10, i * 10 + 10));
      const w = Array.from(want.subarray(i * 10, i * 10 + 10));
      if (g.indexOf(Math.max(...g)) === w.indexOf(Math.max(...w))) agree++;
      g.forEach((v, j) => (maxDiff = Math.max(maxDiff, Math.abs(v - w[j]))));
    }
  }
  await prot.flush();
  await config.close();
  const rate = agree / IMAGES;
  const ok = rate >= REQUIRED;
  failed ||= !ok;
  console.log(`${name}: argmax agrees with plaintext on ${agree}/${IMAGES} (${(100 * rate).toFixed(1)}%), max |logit difference| ${maxDiff.toExponential(2)}, ${((performance.now() - started) / 1000).toFixed(1)} s ${ok ? 'ok' : `FAIL (< ${100 * REQUIRED}%)`}`);
}
process.exit(failed ? 1 : 0);
