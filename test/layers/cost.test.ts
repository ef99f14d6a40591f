/**
 * summary()'s cost estimates (the protocol's op table, via its cost estimator) against the traffic counters, layer by layer,
 * after a first batch has masked the weights: bytes within 3% (frame headers
 * are estimated at 48 bytes a message), rounds as counted.
 */
import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import * as tfe from '../../src/index.js';
import type { PrivateTensor } from '../../src/protocol/index.js';
import { makePond } from '../helpers/float.js';
import { TestRng } from '../helpers/random.js';
import { sharesOf } from '../../src/protocol/index.js';

tf.env().set('PROD', true);
const rng = new TestRng(80);

test('per-layer estimates match the measured traffic', async (t) => {
  const { prot } = makePond();
  const model = tfe.sequential({
    layers: [
      tfe.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', inputShape: [8, 8, 2] }),
      tfe.layers.batchNormalization(),
      tfe.layers.maxPooling2d({ poolSize: 2 }),
      tfe.layers.depthwiseConv2d({ kernelSize: 2, depthMultiplier: 2 }),
      tfe.layers.averagePooling2d({ poolSize: 3, padding: 'same' }),
      tfe.layers.reLU({ maxValue: 6 }),
      tfe.layers.globalMaxPooling2d(),
      tfe.layers.dense({ units: 6, activation: 'sigmoid' }),
      tfe.layers.dense({ units: 5, activation: 'softmax' }),
      tfe.layers.dense({ units: 4, activation: 'relu', reluMode: 'approximate' }),
      tfe.layers.dense({ units: 3, activation: 'tanh' }),
    ],
  });
  const batch = 4;
  const x = prot.definePrivateInput('inputter', () => rng.floats(batch * 128, -1, 1), { shape: [batch, 8, 8, 2] });
  await Promise.all(sharesOf(model.predict(x)).map((s) => s.value())); // masks the weights once
  const rows = model.summaryRows(batch);
  let h: PrivateTensor = x.add(0);
  await Promise.all(sharesOf(h).map((s) => s.value()));
  for (const [i, layer] of model.layers.entries()) {
    await prot.flush();
    const before = prot.traffic();
    h = layer.apply(h);
    await Promise.all(sharesOf(h).map((s) => s.value()));
    await prot.flush();
    const after = prot.traffic();
    const bytes = after.totalBytes - before.totalBytes;
    const rounds = after.rounds - before.rounds;
    const est = rows[i].cost;
    if (est === undefined) throw new Error(`${layer.name}: no estimate for a built model`);
    const what = `${layer.name} (${layer.className}): estimated ${est.bytes} B / ${est.rounds} rounds, measured ${bytes} B / ${rounds} rounds`;
    t.log(what);
    t.true(Math.abs(bytes - est.bytes) <= 0.03 * est.bytes + 256, what);
    t.is(rounds, est.rounds, what);
  }
});
