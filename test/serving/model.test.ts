import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, rmSync, readFileSync, writeFileSync, copyFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ModelFileError } from '../../src/errors.js';
import { InProcessConfig } from '../../src/network/index.js';
import { loadTfjs } from '../../src/models/node.js';
import { newSharingId, readShareFile, sharedModel, writeShareFile } from '../../src/models/shares-io.js';
import * as ring from '../../src/ring/index.js';
import { randomWords } from '../../src/crypto/index.js';
import { buildServedModel, captureWeights } from '../../src/serving/model.js';
import { ServingPond } from '../../src/serving/serving-pond.js';
import { loadMnist } from '../../models/data.js';

tf.env().set('PROD', true);

function tmp(t: { teardown(fn: () => void): void }): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tfe-serving-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('the owner captures what fromTfjs shares; each server writes and reloads only its share file; the model rebuilt from both agrees with plaintext', async (t) => {
  const plain = await loadTfjs('models/mnist-mlp');
  const { spec, weights } = await captureWeights(plain);
  t.deepEqual(spec.weights.map((w) => w.shape), [[784, 128], [128], [128, 128], [128], [128, 10], [10]]);
  t.deepEqual(spec.weights.map((w) => w.name), ['dense1/0', 'dense1/1', 'dense2/0', 'dense2/1', 'dense3/0', 'dense3/1']);
  const model = sharedModel(spec, newSharingId());
  const r = weights.map((w) => new ring.RingTensor(w.shape, randomWords(w.size)));
  const dir = tmp(t);
  const holders = ['server0', 'server1'] as const;
  await writeShareFile(path.join(dir, 'server0.tfes'), { holder: 'server0', shareIndex: 0, holders, model }, r);
  await writeShareFile(path.join(dir, 'server1.tfes'), { holder: 'server1', shareIndex: 1, holders, model }, weights.map((w, j) => ring.sub(w, r[j])));
  const files = await Promise.all(holders.map((h) => readShareFile(path.join(dir, `${h}.tfes`), h)));
  t.is(files[0].header.model.fingerprint, files[1].header.model.fingerprint);
  t.is(files[0].header.model.sharingId, model.sharingId);
  t.notDeepEqual([...files[0].shares[0].data.slice(0, 4)], [...weights[0].data.slice(0, 4)], 'a share is not the weight');

  const config = new InProcessConfig(['server0', 'server1', 'crypto-producer', 'client']);
  const prot = new ServingPond(config, { servers: holders, cryptoProducer: 'crypto-producer' });
  const served = await buildServedModel(prot, files[0].header.model, (j, i) => files[i].shares[j]);
  t.deepEqual(served.info.inputShape, [784]);
  t.deepEqual(served.info.outputShape, [10]);
  const { test: digits } = loadMnist();
  const n = 8;
  const x = prot.definePrivateInput('client', () => digits.pixels.slice(0, n * 784), { shape: [n, 784] });
  const got = (await prot.reveal(served.model.predict(x), 'client'))!.argMax(-1).arraySync();
  const want = (plain.predict(tf.tensor(digits.pixels.slice(0, n * 784), [n, 784])) as tf.Tensor).argMax(-1).arraySync();
  t.deepEqual(got, want);
  t.is(prot.traffic().bytes['server0->server1'] !== undefined, true);
});

test("a server refuses the other server's share file, and a damaged or truncated one, with a ModelFileError naming the file", async (t) => {
  const plain = await loadTfjs('models/mnist-sigmoid');
  const { spec, weights } = await captureWeights(plain);
  const model = sharedModel(spec, newSharingId());
  const dir = tmp(t);
  const file1 = path.join(dir, 'server1.tfes');
  await writeShareFile(file1, { holder: 'server1', shareIndex: 1, holders: ['server0', 'server1'], model }, weights);
  const mine = path.join(dir, 'server0.tfes');
  copyFileSync(file1, mine);
  const e = await t.throwsAsync(readShareFile(mine, 'server0'), { instanceOf: ModelFileError });
  t.is(e!.message, `${mine}: this file holds the shares of 'server1', not of 'server0'; each server loads only its own share file`);
  const bytes = readFileSync(file1);
  bytes[bytes.length - 3] ^= 1;
  writeFileSync(file1, bytes);
  await t.throwsAsync(readShareFile(file1, 'server1'), { instanceOf: ModelFileError, message: /does not match its digest/ });
  writeFileSync(file1, bytes.subarray(0, bytes.length - 8));
  await t.throwsAsync(readShareFile(file1, 'server1'), { instanceOf: ModelFileError, message: /the data has \d+ bytes; the 4 weights need \d+/ });
  writeFileSync(file1, 'not a share file at all');
  await t.throwsAsync(readShareFile(file1, 'server1'), { instanceOf: ModelFileError, message: /not a share file/ });
  await t.throwsAsync(readShareFile(path.join(dir, 'missing.tfes'), 'server1'), { instanceOf: ModelFileError, message: /cannot read the share file: ENOENT/ });
});
