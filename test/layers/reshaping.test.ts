/**
 * Layers that only move values (permute, repeatVector, upSampling2d,
 * cropping2D, zeroPadding1d): exactly tfjs's values (within the input
 * encoding, 2^-17), for every supported config form.
 */
import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import * as tfe from '../../src/index.js';
import { agreeModel, seq } from '../helpers/agree.js';
import { makePond, revealValues } from '../helpers/float.js';
import { TestRng } from '../helpers/random.js';

tf.env().set('PROD', true);
const rng = new TestRng(91);
const TOL = 2 ** -17 + 1e-7;

test('permute, repeatVector, upSampling2d and cropping2D equal tfjs', async (t) => {
  for (const dims of [[2, 1], [1, 3, 2], [3, 1, 2]]) {
    const shape = dims.length === 2 ? [3, 4] : [2, 3, 4];
    await agreeModel(t, seq([tf.layers.permute({ dims })], shape), TOL, `permute ${JSON.stringify(dims)}`, rng);
  }
  await agreeModel(t, seq([tf.layers.repeatVector({ n: 3 })], [5]), TOL, 'repeatVector', rng);
  for (const size of [[2, 2], [1, 3], [3, 2]]) {
    await agreeModel(t, seq([tf.layers.upSampling2d({ size })], [3, 2, 2]), TOL, `upSampling2d ${JSON.stringify(size)}`, rng);
  }
  for (const cropping of [1, [1, 0], [[0, 2], [1, 1]]] as Array<number | [number, number] | [[number, number], [number, number]]>) {
    await agreeModel(t, seq([tf.layers.cropping2D({ cropping })], [5, 6, 2]), TOL, `cropping2D ${JSON.stringify(cropping)}`, rng);
  }
});

test('zeroPadding1d (Keras) matches tf.pad; refusals name the field and what is supported', async (t) => {
  const { prot } = makePond();
  for (const padding of [1, [2, 0]] as Array<number | [number, number]>) {
    const m = tfe.sequential({ layers: [tfe.layers.zeroPadding1d({ padding, inputShape: [4, 3] })] });
    const v = rng.floats(2 * 12, -1, 1);
    const got = await revealValues(prot, m.predict(prot.definePrivateInput('inputter', () => v, { shape: [2, 4, 3] })));
    const [l, r] = typeof padding === 'number' ? [padding, padding] : padding;
    const want = tf.pad(tf.tensor(Array.from(v), [2, 4, 3]), [[0, 0], [l, r], [0, 0]]);
    t.deepEqual(m.outputShape, [null, 4 + l + r, 3]);
    t.true(Math.max(...Array.from(got, (x, i) => Math.abs(x - want.dataSync()[i]))) <= TOL);
  }
  t.throws(() => tfe.layers.zeroPadding1d({ padding: -1 }), { message: /padding -1 is not supported; supported: n or \[left, right\]/ });
  t.throws(() => tfe.layers.permute({ dims: [1, 1] }), { message: /dims must be a permutation of 1..n/ });
  t.throws(() => tfe.layers.upSampling2d({ interpolation: 'bilinear' as 'nearest' }), { message: /interpolation 'bilinear' is not supported; supported: nearest/ });
  t.throws(() => tfe.layers.cropping2D({ cropping: 3 }).computeOutputShape([null, 6, 6, 1]), { message: /leaves nothing of a 6x6 image/ });
});
