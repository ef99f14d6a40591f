/**
 * layerNormalization and embedding against tfjs: every axis form, with and
 * without gamma and beta, epsilons; private ids (one-hot by secure equality)
 * and public ids (no communication), out-of-range ids, refusals.
 */
import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import * as tfe from '../../src/index.js';
import { agreeModel, seq } from '../helpers/agree.js';
import { makePond, maxAbsDiff, revealValues } from '../helpers/float.js';
import { TestRng } from '../helpers/random.js';

tf.env().set('PROD', true);
const rng = new TestRng(96);

test('layerNormalization agrees with tfjs for every axis form, center/scale and epsilon', async (t) => {
  for (const [axis, shape] of [[-1, [8]], [-1, [3, 6]], [1, [4, 5]], [[1, 2], [3, 4]], [[-2, -1], [2, 3, 4]], [2, [3, 4, 2]]] as Array<[number | number[], number[]]>) {
    for (const [center, scale, epsilon] of [[true, true, undefined], [false, true, 1e-5], [true, false, 0.01], [false, false, 0.1]] as Array<[boolean, boolean, number | undefined]>) {
      const layer = tf.layers.layerNormalization({ axis, center, scale, ...(epsilon === undefined ? {} : { epsilon }) });
      await agreeModel(t, seq([layer], shape), 2e-3, `layerNormalization axis ${JSON.stringify(axis)} center ${center} scale ${scale} eps ${String(epsilon)}`, rng, { lo: -2, hi: 2 });
    }
  }
  // larger inputs: variances up to about 3e3 (std 55), inside the documented range for epsilon 1e-3
  await agreeModel(t, seq([tf.layers.layerNormalization({})], [16]), 3e-3, 'layerNormalization, inputs in [-100, 100]', rng, { lo: -100, hi: 100 });
});

test('embedding: private ids (one-hot by equality) agree with tfjs, in a model with a dense head', async (t) => {
  await agreeModel(t, seq([tf.layers.embedding({ inputDim: 11, outputDim: 4 })], [6]), 2 ** -16, 'embedding [6]', rng, { ints: 11 });
  await agreeModel(t, seq([tf.layers.embedding({ inputDim: 7, outputDim: 3, inputLength: 5 }), tf.layers.flatten(), tf.layers.dense({ units: 2 })], [5]), 2e-3, 'embedding + dense', rng, { ints: 7 });
  await agreeModel(t, seq([tf.layers.embedding({ inputDim: 5, outputDim: 2 })], [2, 3]), 2 ** -16, 'embedding of rank-3 ids', rng, { ints: 5 });
});

test('embedding: public ids cost no communication; out-of-range ids give zeros; refusals', async (t) => {
  const { prot } = makePond();
  const table = rng.floats(6 * 3, -1, 1);
  const model = tfe.sequential({ layers: [tfe.layers.embedding({ inputDim: 6, outputDim: 3, inputShape: [4] })] });
  model.build(prot, { weights: () => table });
  const ids = [[0, 5, 2, 2], [1, 3, 7, -1]];
  const expected = ids.flat().flatMap((i) => (i >= 0 && i < 6 ? Array.from(table.subarray(i * 3, i * 3 + 3)) : [0, 0, 0]));
  await prot.flush();
  const before = prot.traffic().totalBytes;
  const pub = model.predict(prot.definePublicVariable(ids));
  await prot.flush();
  // the range constant and the one-hot are public: only the reveal below sends anything
  t.is(prot.traffic().totalBytes, before, 'public ids: no traffic');
  t.true(maxAbsDiff(await revealValues(prot, pub), expected) <= 2 ** -16);
  const priv = model.predict(prot.definePrivateInput('inputter', () => ids));
  t.true(maxAbsDiff(await revealValues(prot, priv), expected) <= 2 ** -16, 'private ids, out-of-range ones give zeros');
  t.throws(() => tfe.layers.embedding({ inputDim: 3, outputDim: 2, maskZero: true }), { message: /maskZero true is not supported; supported: false/ });
  t.throws(() => tfe.sequential({ layers: [tfe.layers.dense({ units: 2, inputShape: [3] })] }).predict(prot.definePublicVariable([[1, 2, 3]])), { message: /takes a private input, got a public tensor \(only an Embedding takes public ids\)/ });
});
