import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import * as tfe from '../../src/node.js';
import { makePond, revealValues } from '../helpers/float.js';
import { TestRng } from '../helpers/random.js';

tf.env().set('PROD', true);
const rng = new TestRng(70);

test('tfe.sequential built from tfe.layers: initialisers on the owner, batched predict, shapes and config', async (t) => {
  const { prot } = makePond();
  const model = tfe.sequential({
    layers: [
      tfe.layers.reshape({ targetShape: [4, 4, 1], inputShape: [16] }),
      tfe.layers.conv2d({ filters: 2, kernelSize: 2, activation: 'relu' }),
      tfe.layers.flatten(),
      tfe.layers.dense({ units: 3 }),
    ],
  });
  t.deepEqual(model.outputShape, [null, 3]);
  const x = prot.definePrivateInput('inputter', () => rng.floats(5 * 16, -1, 1), { shape: [5, 16] });
  const whole = await revealValues(prot, model.predict(x));
  const chunked = await revealValues(prot, model.predict(x, { batchSize: 2 }));
  t.is(whole.length, 15);
  t.true(Math.max(...Array.from(whole, (v, i) => Math.abs(v - chunked[i]))) <= 4 * 2 ** -16, 'chunks give the same predictions');
  t.is(model.countParams(), 2 * 2 * 1 * 2 + 2 + 18 * 3 + 3);
  const config = model.getConfig();
  t.deepEqual(config.layers.map((l) => l.className), ['Reshape', 'Conv2D', 'Flatten', 'Dense']);
  t.is(config.layers[1].config.filters, 2);
  t.throws(() => model.predict(prot.definePrivateInput('inputter', () => rng.floats(8, -1, 1), { shape: [1, 8] })), { message: /expected input of shape \[null,16\], got \[1,8\]/ });
  t.throws(() => model.add(tfe.layers.dense({ units: 1 })), { message: /cannot add layers after the model is built/ });
});

test('layer configs are validated with tfjs field names', (t) => {
  t.throws(() => tfe.layers.dense({ units: 0 }), { message: /units must be a positive integer, got 0/ });
  t.throws(() => tfe.layers.conv2d({ filters: 2, kernelSize: [3, 0] as unknown as [number, number] }), { message: /kernelSize must be a positive integer or a pair of them/ });
  t.throws(() => tfe.layers.maxPooling2d({ padding: 'causal' as 'valid' }), { message: /padding 'causal' is not supported; supported: valid, same/ });
  t.throws(() => tfe.layers.dropout({ rate: 1.5 }), { message: /rate must be in \[0, 1\)/ });
  t.throws(() => tfe.layers.dense({ units: 2, activation: 'mish' as 'relu' }), { message: /activation 'mish' is not supported/ });
  t.throws(() => tfe.layers.zeroPadding2d({ padding: -1 }), { message: /padding -1 is not supported/ });
  t.deepEqual(tfe.layers.maxPooling2d({ poolSize: 3 }).computeOutputShape([null, 7, 7, 2]), [null, 2, 2, 2]);
  t.throws(() => tfe.layers.dense({ units: 3 }).computeOutputShape([null]), { message: /rank >= 2/ });
});

test('summary prints tfjs columns plus triples, rounds and bytes, and totals', async (t) => {
  const plain = await tfe.models.loadTfjs('models/mnist-cnn');
  const { prot } = makePond();
  const model = await tfe.models.fromTfjs(plain, prot);
  const lines: string[] = [];
  model.summary(1, (l) => lines.push(l));
  t.regex(lines[1], /Layer \(type\)\s+Output shape\s+Param #\s+Triples\s+Rounds\s+Bytes/);
  t.true(lines.some((l) => /conv1 \(Conv2D\)\s+\[null,24,24,20\]\s+520 /.test(l)));
  t.true(lines.some((l) => /^Total params: 431080$/.test(l)));
  t.true(lines.some((l) => /Protocol cost per batch of 1 .*: \d+ triples, \d+ rounds, [\d.]+ MiB/.test(l)));
});

test('softmax over a middle axis (tfjs cannot) matches float64', async (t) => {
  const { prot } = makePond();
  const model = tfe.sequential({ layers: [tfe.layers.softmax({ axis: 1, inputShape: [3, 4] })] });
  const v = rng.floats(2 * 3 * 4, -3, 3);
  const x = prot.definePrivateInput('inputter', () => v, { shape: [2, 3, 4] });
  const got = await revealValues(prot, model.predict(x));
  for (let b = 0; b < 2; b++)
    for (let j = 0; j < 4; j++) {
      const col = [0, 1, 2].map((i) => v[b * 12 + i * 4 + j]);
      const m = Math.max(...col);
      const e = col.map((z) => Math.exp(z - m));
      const s = e.reduce((p, q) => p + q);
      col.forEach((_, i) => t.true(Math.abs(got[b * 12 + i * 4 + j] - e[i] / s) < 1e-4));
    }
});
