/**
 * Every layer against the tfjs layer with the same config and weights, on
 * random inputs, for each supported config combination (converted through
 * fromTfjs, so the conversion is tested too). Tolerances: linear layers are
 * within the fixed-point quantization of inputs and weights summed over the
 * fan-in (inputs and weights in [-1, 1]); exact nonlinearities add nothing;
 * sigmoid/tanh/softmax add their documented errors.
 */
import test, { type ExecutionContext } from 'ava';
import * as tf from '@tensorflow/tfjs';
import * as tfe from '../../src/index.js';
import { makePond, revealValues } from '../helpers/float.js';
import { TestRng } from '../helpers/random.js';

tf.env().set('PROD', true);
const rng = new TestRng(60);

/** Random weights in [-1, 1] (variances for batch norm in [0.5, 2]). */
function randomize(model: tf.LayersModel): void {
  for (const layer of model.layers) {
    const ws = layer.getWeights().map((w) => {
      const positive = layer.getClassName() === 'BatchNormalization' && w === layer.getWeights()[layer.getWeights().length - 1];
      return tf.tensor(Array.from({ length: w.size }, () => (positive ? rng.uniform(0.5, 2) : rng.uniform(-1, 1))), w.shape);
    });
    if (ws.length > 0) layer.setWeights(ws);
  }
}

async function agree(t: ExecutionContext, layers: tf.layers.Layer[], inputShape: number[], tol: number, what: string, batch = 3): Promise<void> {
  const plain = tf.sequential({ layers: [tf.layers.inputLayer({ inputShape }), ...layers] });
  randomize(plain);
  const { prot } = makePond();
  const model = await tfe.models.fromTfjs(plain, prot);
  const size = batch * inputShape.reduce((a, b) => a * b, 1);
  const values = Float64Array.from({ length: size }, () => rng.uniform(-1, 1));
  const x = prot.definePrivateInput('inputter', () => values, { shape: [batch, ...inputShape] });
  const want = (plain.predict(tf.tensor(Array.from(values), [batch, ...inputShape])) as tf.Tensor);
  const got = model.predict(x);
  t.deepEqual([...got.shape], want.shape, what);
  const gv = await revealValues(prot, got);
  const wv = want.dataSync();
  let err = 0;
  for (let i = 0; i < gv.length; i++) err = Math.max(err, Math.abs(gv[i] - wv[i]));
  t.true(err <= tol, `${what}: max error ${err.toExponential(2)} > ${tol}`);
}

test('dense: every activation, with and without bias', async (t) => {
  for (const activation of ['linear', 'relu', 'relu6', 'sigmoid', 'tanh', 'softmax', 'hardSigmoid'] as const) {
    for (const useBias of [true, false]) {
      const tol = activation === 'sigmoid' || activation === 'tanh' ? 5e-4 : activation === 'softmax' ? 2e-4 : 2e-3;
      await agree(t, [tf.layers.dense({ units: 7, activation, useBias })], [12], tol, `dense ${activation} bias=${useBias}`);
    }
  }
  await agree(t, [tf.layers.dense({ units: 4 })], [3, 5], 2e-3, 'dense on rank 3');
});

test('conv2d: padding, strides, kernel sizes, bias, activation', async (t) => {
  for (const padding of ['valid', 'same'] as const) {
    for (const strides of [1, 2, [2, 1]] as Array<number | [number, number]>) {
      for (const [kernelSize, useBias, activation] of [[3, true, 'relu'], [[2, 3], false, 'linear'], [1, true, 'linear']] as Array<[number | [number, number], boolean, 'relu' | 'linear']>) {
        await agree(t, [tf.layers.conv2d({ filters: 4, kernelSize, strides, padding, useBias, activation })], [7, 6, 3], 3e-3, `conv2d ${padding} s=${JSON.stringify(strides)} k=${JSON.stringify(kernelSize)}`);
      }
    }
  }
});

test('depthwiseConv2d: multipliers, padding, strides', async (t) => {
  for (const depthMultiplier of [1, 2]) {
    for (const padding of ['valid', 'same'] as const) {
      for (const strides of [1, 2]) {
        await agree(t, [tf.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier, padding, strides, useBias: true })], [6, 6, 3], 2e-3, `depthwise m=${depthMultiplier} ${padding} s=${strides}`);
      }
    }
  }
});

test('pooling: average and max (sizes, strides, padding) and their global forms', async (t) => {
  for (const padding of ['valid', 'same'] as const) {
    for (const [poolSize, strides] of [[2, 2], [3, 2], [2, 1], [[2, 3], [1, 2]]] as Array<[number | [number, number], number | [number, number]]>) {
      await agree(t, [tf.layers.maxPooling2d({ poolSize, strides, padding })], [7, 6, 2], 1e-5, `maxPooling2d ${JSON.stringify(poolSize)} ${JSON.stringify(strides)} ${padding}`);
      await agree(t, [tf.layers.averagePooling2d({ poolSize, strides, padding })], [7, 6, 2], 6 * 2 ** -17 + 1e-5, `averagePooling2d ${JSON.stringify(poolSize)} ${JSON.stringify(strides)} ${padding}`);
    }
  }
  await agree(t, [tf.layers.globalAveragePooling2d({})], [5, 4, 3], 1e-4, 'globalAveragePooling2d');
  await agree(t, [tf.layers.globalMaxPooling2d({})], [5, 4, 3], 1e-5, 'globalMaxPooling2d');
});

test('batchNormalization (moving statistics), dropout, flatten, reshape, zeroPadding2d, reLU, softmax, activation', async (t) => {
  await agree(t, [tf.layers.batchNormalization({})], [4, 3], 2e-3, 'batchNormalization');
  await agree(t, [tf.layers.batchNormalization({ center: false, scale: false, epsilon: 0.01 })], [6], 2e-3, 'batchNormalization without gamma and beta');
  await agree(t, [tf.layers.dropout({ rate: 0.5 })], [6], 1e-5, 'dropout');
  await agree(t, [tf.layers.flatten()], [2, 3, 2], 1e-5, 'flatten');
  await agree(t, [tf.layers.reshape({ targetShape: [3, -1] })], [2, 3, 2], 1e-5, 'reshape');
  for (const padding of [1, [2, 1], [[1, 0], [0, 2]]] as Array<number | [number, number] | [[number, number], [number, number]]>) {
    await agree(t, [tf.layers.zeroPadding2d({ padding })], [3, 4, 2], 1e-5, `zeroPadding2d ${JSON.stringify(padding)}`);
  }
  await agree(t, [tf.layers.reLU({})], [9], 1e-5, 'reLU');
  await agree(t, [tf.layers.reLU({ maxValue: 0.5 })], [9], 1e-5, 'reLU maxValue');
  await agree(t, [tf.layers.softmax({})], [6], 2e-4, 'softmax (tfjs default axis 1)');
  await agree(t, [tf.layers.softmax({ axis: -1 })], [2, 6], 2e-4, 'softmax last axis');
  await agree(t, [tf.layers.activation({ activation: 'tanh' })], [9], 5e-4, 'activation tanh');
});

test('a small CNN mixing layers agrees end to end', async (t) => {
  await agree(t, [
    tf.layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same', activation: 'relu' }),
    tf.layers.batchNormalization({}),
    tf.layers.maxPooling2d({ poolSize: 2 }),
    tf.layers.depthwiseConv2d({ kernelSize: 2 }),
    tf.layers.flatten(),
    tf.layers.dense({ units: 5, activation: 'relu' }),
    tf.layers.dense({ units: 3, activation: 'softmax' }),
  ], [8, 8, 2], 5e-3, 'small CNN', 2);
});
