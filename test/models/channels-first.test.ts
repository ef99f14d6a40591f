/**
 * channelsFirst tfjs models convert as they are: the private model computes
 * channelsLast, transposing each channelsFirst tensor once (free) and back only
 * where the tfjs layout matters. Agreement with tfjs and the number of
 * transposes inserted.
 */
import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import * as tfe from '../../src/index.js';
import { agreeModel, randomize } from '../helpers/agree.js';
import { makePond, maxAbsDiff, revealValues } from '../helpers/float.js';
import { TestRng } from '../helpers/random.js';

tf.env().set('PROD', true);
const rng = new TestRng(99);
const cf = 'channelsFirst' as const;
const sym = (x: unknown): tf.SymbolicTensor => x as tf.SymbolicTensor;
const permutes = (m: tfe.models.LayersModel): number => m.layers.filter((l) => l.className === 'Permute').length;

test('a channelsFirst CNN (conv, batch norm on axis 1, pooling, depthwise, padding, flatten, dense) equals its channelsLast twin, transposing once', async (t) => {
  // tfjs's cpu batchNorm broadcasts its parameters along the last axis only, so
  // tfjs itself gets batch norm on axis 1 wrong: the reference is the same
  // network written channelsLast (same weights, a Permute to NCHW before Flatten).
  const layers = (fmt: 'channelsFirst' | 'channelsLast', shape: number[]): tf.layers.Layer[] => [
    tf.layers.conv2d({ inputShape: shape, filters: 4, kernelSize: 3, padding: 'same', dataFormat: fmt, activation: 'relu' }),
    tf.layers.batchNormalization({ axis: fmt === cf ? 1 : -1 }),
    tf.layers.activation({ activation: 'relu6' }),
    tf.layers.maxPooling2d({ poolSize: 2, dataFormat: fmt }),
    tf.layers.depthwiseConv2d({ kernelSize: 2, depthMultiplier: 2, dataFormat: fmt }),
    tf.layers.zeroPadding2d({ padding: 1, dataFormat: fmt }),
    ...(fmt === cf ? [] : [tf.layers.permute({ dims: [3, 1, 2] })]),
    tf.layers.flatten(),
    tf.layers.dense({ units: 3 }),
  ];
  const plain = tf.sequential({ layers: layers(cf, [2, 8, 7]) });
  const twin = tf.sequential({ layers: layers('channelsLast', [8, 7, 2]) });
  randomize(plain, rng);
  twin.setWeights(plain.getWeights());
  const { prot } = makePond();
  const model = await tfe.models.fromTfjs(plain, prot);
  t.true(model instanceof tfe.Sequential, 'still a Sequential');
  t.is(permutes(model), 2, 'one transpose in, one back before the flatten of the channelsFirst layout');
  const xv = rng.floats(3 * 2 * 8 * 7, -1, 1);
  const got = await revealValues(prot, model.predict(prot.definePrivateInput('inputter', () => xv, { shape: [3, 2, 8, 7] })));
  const want = (twin.predict(tf.transpose(tf.tensor(Array.from(xv), [3, 2, 8, 7]), [0, 2, 3, 1])) as tf.Tensor).dataSync();
  t.true(maxAbsDiff(got, want) < 5e-3, `max error ${maxAbsDiff(got, want)}`);
});

test('channelsFirst branches merged by add and concatenate on axis 1, global pooling and a 4-D output', async (t) => {
  const x = tf.input({ shape: [3, 6, 6] });
  const a = sym(tf.layers.conv2d({ filters: 2, kernelSize: 3, padding: 'same', dataFormat: cf }).apply(x));
  const b = sym(tf.layers.conv2d({ filters: 2, kernelSize: 1, dataFormat: cf, activation: 'relu' }).apply(x));
  const sum = sym(tf.layers.add().apply([a, b]));
  const cat = sym(tf.layers.concatenate({ axis: 1 }).apply([sum, a]));
  const up = sym(tf.layers.upSampling2d({ size: [2, 2], dataFormat: cf }).apply(cat));
  const pooled = sym(tf.layers.globalAveragePooling2d({ dataFormat: cf }).apply(up));
  const head = sym(tf.layers.dense({ units: 2 }).apply(pooled));
  const plain = tf.model({ inputs: x, outputs: [head, cat] });
  randomize(plain, rng);
  await agreeModel(t, plain, 5e-3, 'channelsFirst DAG', rng, { keepWeights: true });
  const { prot } = makePond();
  const model = await tfe.models.fromTfjs(plain, prot);
  t.is(permutes(model), 2, 'the input once, the 4-D output back once');
});
