/**
 * Private predictions of the text classifier (models/brown-topics) on its
 * whole evaluation set (482 held-out Brown corpus passages, models/text-data.ts)
 * against the plaintext model: the argmax must agree on at least 99% of them
 * (issue 14). Word ids are private: each becomes a one-hot row by secure
 * equality. Exits non-zero when the agreement falls short.
 *
 * Run: npm run test:accuracy (after the MNIST models), or directly with tsx.
 */
import * as tf from '@tensorflow/tfjs';
import * as tfe from 'tfjs-encrypted/node';
import { loadTextData, SEQ, textInputs } from '../models/text-data.js';

tf.env().set('PROD', true);
const REQUIRED = 0.99;
const BATCH = 50;
const { test } = loadTextData();
const plain = await tfe.models.loadTfjs('models/brown-topics');
const config = tfe.LocalConfig(['server0', 'server1', 'crypto-producer', 'model-owner', 'inputter', 'result-receiver']);
const prot = new tfe.protocol.Pond(config, { servers: ['server0', 'server1'], cryptoProducer: 'crypto-producer' });
const model = await tfe.models.fromTfjs(plain, prot, { weightsOwner: 'model-owner' });
const started = performance.now();
const want = tf.tidy(() => (plain.predict(textInputs(test)) as tf.Tensor).dataSync());
const classes = want.length / test.count;
let agree = 0;
let maxDiff = 0;
for (let start = 0; start < test.count; start += BATCH) {
  const n = Math.min(BATCH, test.count - start);
  const ids = Float64Array.from(test.ids.subarray(start * SEQ, (start + n) * SEQ));
  const x = prot.definePrivateInput('inputter', () => ids, { shape: [n, SEQ] });
  const got = (await prot.revealFloat64(model.predict(x), 'result-receiver'))!.values;
  for (let i = 0; i < n; i++) {
    const g = Array.from(got.subarray(i * classes, (i + 1) * classes));
    const w = Array.from(want.subarray((start + i) * classes, (start + i + 1) * classes));
    if (g.indexOf(Math.max(...g)) === w.indexOf(Math.max(...w))) agree++;
    g.forEach((v, j) => (maxDiff = Math.max(maxDiff, Math.abs(v - w[j]))));
  }
}
await prot.flush();
await config.close();
const rate = agree / test.count;
const ok = rate >= REQUIRED;
console.log(`brown-topics: argmax agrees with plaintext on ${agree}/${test.count} (${(100 * rate).toFixed(1)}%), max |logit difference| ${maxDiff.toExponential(2)}, ${((performance.now() - started) / 1000).toFixed(1)} s ${ok ? 'ok' : `FAIL (< ${100 * REQUIRED}%)`}`);
process.exit(ok ? 0 : 1);
