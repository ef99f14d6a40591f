import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import * as tfe from '../../src/index.js';
import { NotImplementedError } from '../../src/errors.js';
import { makePond, revealValues } from '../helpers/float.js';

tf.env().set('PROD', true);

test('an unsupported layer (Masking) fails before anything is shared, naming the layer and what is supported', async (t) => {
  const plain = tf.sequential({ layers: [tf.layers.masking({ maskValue: 0, inputShape: [3, 2], name: 'my_masking' }), tf.layers.lstm({ units: 4 }), tf.layers.dense({ units: 2 })] });
  const { prot } = makePond();
  await prot.flush(); // the dealer's setup keys
  const before = prot.traffic().totalBytes;
  const e = await t.throwsAsync(tfe.models.fromTfjs(plain, prot), { instanceOf: NotImplementedError });
  t.regex(e!.message, /fromTfjs: layer 'my_masking' \(Masking\) is not supported; supported layers: Dense, Conv2D, .*MaxPooling2D.*LSTM/);
  t.is(prot.traffic().totalBytes, before, 'nothing was sent');
});

test('unsupported activations and config values name the layer, the field, the value and what is supported', async (t) => {
  const { prot } = makePond();
  const cases: Array<[tf.layers.Layer, RegExp]> = [
    [tf.layers.dense({ units: 3, activation: 'mish', name: 'd_mish' }), /d_mish \(Dense\): activation 'mish' is not supported; supported: linear, relu, relu6, sigmoid, tanh, softmax, hardSigmoid/],
    [tf.layers.conv2d({ filters: 2, kernelSize: 3, padding: 'causal', name: 'c_causal' }), /c_causal \(Conv2D\): padding 'causal' is not supported; supported: valid, same/],
    [tf.layers.batchNormalization({ axis: 1, name: 'bn_ax' }), /bn_ax \(BatchNormalization\): axis 1 is not supported/],
    [tf.layers.upSampling2d({ size: [2, 2], interpolation: 'bilinear', name: 'up_bil' }), /up_bil \(UpSampling2D\): interpolation 'bilinear' is not supported; supported: nearest/],
    [tf.layers.conv2d({ filters: 2, kernelSize: 3, activation: 'logSoftmax' as 'relu', name: 'c_logsm' }), /c_logsm \(Conv2D\): activation 'logSoftmax' is not supported; supported: linear, relu/],
  ];
  for (const [layer, re] of cases) {
    const plain = tf.sequential({ layers: [tf.layers.inputLayer({ inputShape: [6, 6, 2] }), layer] });
    await t.throwsAsync(tfe.models.fromTfjs(plain, prot), { message: re });
  }
  // tfjs drops a Conv2DTranspose's dilationRate from its config (and ignores it); tfe's layer refuses it by name:
  t.throws(() => tfe.layers.conv2dTranspose({ filters: 2, kernelSize: 3, dilationRate: 2, name: 'ct_dil' }), { message: /ct_dil \(Conv2DTranspose\): dilationRate 2 is not supported; supported: 1/ });
  const rnn = tf.sequential({ layers: [tf.layers.embedding({ inputDim: 5, outputDim: 2, maskZero: true, inputShape: [4], name: 'emb_mask' })] });
  await t.throwsAsync(tfe.models.fromTfjs(rnn, prot), { message: /emb_mask \(Embedding\): maskZero true is not supported; supported: false/ });
});

test('functional models convert, linear chains and branching ones alike', async (t) => {
  const { prot } = makePond();
  const input = tf.input({ shape: [4] });
  const h = tf.layers.dense({ units: 3, activation: 'relu' }).apply(input) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 2 }).apply(h) as tf.SymbolicTensor;
  const chain = tf.model({ inputs: input, outputs: out });
  const model = await tfe.models.fromTfjs(chain, prot);
  const x = prot.definePrivateInput('inputter', () => [[0.5, -1, 2, 0.25]]);
  const got = await revealValues(prot, model.predict(x));
  const want = (chain.predict(tf.tensor([[0.5, -1, 2, 0.25]])) as tf.Tensor).dataSync();
  t.true(Math.max(...Array.from(got, (v, i) => Math.abs(v - want[i]))) < 1e-3);

  const a = tf.layers.dense({ units: 3 }).apply(input) as tf.SymbolicTensor;
  const b = tf.layers.dense({ units: 3 }).apply(input) as tf.SymbolicTensor;
  const merged = tf.layers.add().apply([a, b]) as tf.SymbolicTensor;
  const branching = tf.model({ inputs: input, outputs: merged });
  const converted = await tfe.models.fromTfjs(branching, prot);
  t.true(converted instanceof tfe.Functional);
  const got2 = await revealValues(prot, converted.predict(x));
  const want2 = (branching.predict(tf.tensor([[0.5, -1, 2, 0.25]])) as tf.Tensor).dataSync();
  t.true(Math.max(...Array.from(got2, (v, i) => Math.abs(v - want2[i]))) < 1e-3);
});

test('the weights owner alone reads the weights: another owner, and the protocol counts its traffic', async (t) => {
  const plain = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [3] })] });
  const { prot } = makePond();
  await tfe.models.fromTfjs(plain, prot, { weightsOwner: 'inputter' });
  await prot.flush();
  const traffic = prot.traffic();
  t.true((traffic.bytes['inputter->server1'] ?? 0) >= 8 * (6 + 2), 'the owner sent x - PRG(seed) of each weight');
  const e = await t.throwsAsync(tfe.models.fromTfjs(plain, prot, { weightsOwner: 'mallory' }));
  t.regex(e!.message, /unknown player 'mallory'/);
});
