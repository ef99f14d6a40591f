/**
 * The convolution layers added for issue 14 against tfjs, for every supported
 * combination of padding, strides, dilation, kernel, multiplier, bias and
 * activation (tfjs itself refuses strides > 1 together with dilation > 1).
 * Tolerance: the fixed-point encoding of inputs and weights (2^-17 each)
 * summed over the fan-in, plus one unit of truncation per product.
 */
import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import * as tfe from '../../src/index.js';
import { agreeModel, seq } from '../helpers/agree.js';
import { makePond, maxAbsDiff, revealValues } from '../helpers/float.js';
import { TestRng } from '../helpers/random.js';

tf.env().set('PROD', true);
const rng = new TestRng(95);
type P2 = number | [number, number];

test('conv2d with dilationRate', async (t) => {
  for (const padding of ['valid', 'same'] as const) {
    for (const dilationRate of [2, [1, 2], [3, 2]] as P2[]) {
      for (const kernelSize of [3, [2, 3]] as P2[]) {
        await agreeModel(t, seq([tf.layers.conv2d({ filters: 3, kernelSize, dilationRate, padding, activation: 'relu' })], [9, 8, 2]), 3e-3, `conv2d ${padding} d=${JSON.stringify(dilationRate)} k=${JSON.stringify(kernelSize)}`, rng);
      }
    }
  }
});

test('depthwiseConv2d: multipliers 1-3 with strides and padding', async (t) => {
  for (const depthMultiplier of [1, 2, 3]) {
    for (const padding of ['valid', 'same'] as const) {
      for (const strides of [1, 2, [1, 2]] as P2[]) {
        await agreeModel(t, seq([tf.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier, padding, strides, useBias: depthMultiplier !== 2 })], [8, 7, 3]), 2e-3, `depthwise m=${depthMultiplier} ${padding} s=${JSON.stringify(strides)}`, rng);
      }
    }
  }
});

test('depthwiseConv2d with dilation equals tf.depthwiseConv2d (the tfjs layer ignores its dilationRate)', async (t) => {
  const { prot } = makePond();
  for (const depthMultiplier of [1, 2]) {
    for (const padding of ['valid', 'same'] as const) {
      for (const dilationRate of [2, [1, 3]] as P2[]) {
        const layer = tfe.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier, padding, dilationRate, useBias: false, inputShape: [9, 8, 3] });
        const kernel = rng.floats(9 * 3 * depthMultiplier, -1, 1);
        const model = tfe.sequential({ layers: [layer] });
        model.build(prot, { weights: () => kernel });
        const xv = rng.floats(2 * 9 * 8 * 3, -1, 1);
        const got = await revealValues(prot, model.predict(prot.definePrivateInput('inputter', () => xv, { shape: [2, 9, 8, 3] })));
        const d = typeof dilationRate === 'number' ? [dilationRate, dilationRate] : dilationRate;
        const want = tf.depthwiseConv2d(tf.tensor(Array.from(xv), [2, 9, 8, 3]) as tf.Tensor4D, tf.tensor(Array.from(kernel), [3, 3, 3, depthMultiplier]) as tf.Tensor4D, 1, padding, 'NHWC', d as [number, number]);
        t.deepEqual(model.outputShape.slice(1), want.shape.slice(1));
        t.true(maxAbsDiff(got, want.dataSync()) < 2e-3, `depthwise dilated m=${depthMultiplier} ${padding} d=${JSON.stringify(dilationRate)}`);
      }
    }
  }
});

test('separableConv2d: multiplier, padding, strides, dilation, bias, activation', async (t) => {
  for (const depthMultiplier of [1, 2]) {
    for (const padding of ['valid', 'same'] as const) {
      for (const [strides, dilationRate] of [[1, 1], [2, 1], [1, 2]] as Array<[P2, P2]>) {
        for (const [useBias, activation] of [[true, 'relu'], [false, 'linear']] as Array<[boolean, 'relu' | 'linear']>) {
          await agreeModel(t, seq([tf.layers.separableConv2d({ filters: 4, kernelSize: 3, depthMultiplier, padding, strides, dilationRate, useBias, activation })], [8, 8, 3]), 6e-3, `separable m=${depthMultiplier} ${padding} s=${JSON.stringify(strides)} d=${JSON.stringify(dilationRate)} bias=${useBias}`, rng);
        }
      }
    }
  }
});

test('conv2dTranspose: padding, strides, kernels, bias, activation', async (t) => {
  for (const padding of ['valid', 'same'] as const) {
    for (const strides of [1, 2, [2, 3]] as P2[]) {
      for (const [kernelSize, useBias, activation] of [[3, true, 'relu'], [[2, 4], false, 'linear'], [1, true, 'linear']] as Array<[P2, boolean, 'relu' | 'linear']>) {
        await agreeModel(t, seq([tf.layers.conv2dTranspose({ filters: 3, kernelSize, strides, padding, useBias, activation })], [4, 5, 2]), 3e-3, `conv2dTranspose ${padding} s=${JSON.stringify(strides)} k=${JSON.stringify(kernelSize)}`, rng);
      }
    }
  }
});

test('conv1d: valid and same padding, strides, dilation, kernels', async (t) => {
  for (const padding of ['valid', 'same'] as const) {
    for (const [strides, dilationRate] of [[1, 1], [2, 1], [1, 2], [1, 3]]) {
      for (const kernelSize of [1, 3]) {
        await agreeModel(t, seq([tf.layers.conv1d({ filters: 4, kernelSize, strides, dilationRate, padding, activation: 'relu' })], [11, 3]), 2e-3, `conv1d ${padding} s=${strides} d=${dilationRate} k=${kernelSize}`, rng);
      }
    }
  }
});

test('conv1d with causal padding (tfjs cannot run it) equals tfjs on the left-padded input', async (t) => {
  const { prot } = makePond();
  for (const [kernelSize, dilationRate] of [[3, 1], [2, 3], [1, 1]]) {
    const layer = tfe.layers.conv1d({ filters: 2, kernelSize, dilationRate, padding: 'causal', inputShape: [10, 3] });
    const model = tfe.sequential({ layers: [layer] });
    const kernel = rng.floats(kernelSize * 3 * 2, -1, 1);
    const bias = rng.floats(2, -1, 1);
    model.build(prot, { weights: (_l, i) => (i === 0 ? kernel : bias) });
    const xv = rng.floats(2 * 10 * 3, -1, 1);
    const got = await revealValues(prot, model.predict(prot.definePrivateInput('inputter', () => xv, { shape: [2, 10, 3] })));
    const padded = tf.pad(tf.tensor(Array.from(xv), [2, 10, 3]), [[0, 0], [(kernelSize - 1) * dilationRate, 0], [0, 0]]);
    const want = tf.add(tf.conv1d(padded as tf.Tensor3D, tf.tensor(Array.from(kernel), [kernelSize, 3, 2]) as tf.Tensor3D, 1, 'valid', 'NWC', dilationRate), tf.tensor(Array.from(bias)));
    t.deepEqual(model.outputShape, [null, 10, 2]);
    t.true(maxAbsDiff(got, want.dataSync()) < 2e-3, `causal k=${kernelSize} d=${dilationRate}`);
  }
});

test('pooling of sequences: max and average (sizes, strides, padding) and the global forms', async (t) => {
  for (const padding of ['valid', 'same'] as const) {
    for (const [poolSize, strides] of [[2, 2], [3, 1], [3, 2]]) {
      await agreeModel(t, seq([tf.layers.maxPooling1d({ poolSize, strides, padding })], [9, 3]), 1e-5, `maxPooling1d ${poolSize}/${strides} ${padding}`, rng);
      await agreeModel(t, seq([tf.layers.averagePooling1d({ poolSize, strides, padding })], [9, 3]), 3 * 2 ** -17 + 1e-5, `averagePooling1d ${poolSize}/${strides} ${padding}`, rng);
    }
  }
  await agreeModel(t, seq([tf.layers.globalAveragePooling1d({})], [7, 4]), 1e-4, 'globalAveragePooling1d', rng);
  await agreeModel(t, seq([tf.layers.globalMaxPooling1d({})], [7, 4]), 1e-5, 'globalMaxPooling1d', rng);
});
