/**
 * summary()'s per-layer estimates for the layers of issue 14 (functional
 * graphs included) against the traffic counters, after a first batch masked
 * the weights: bytes within 3% plus 256, rounds as counted.
 */
import test, { type ExecutionContext } from 'ava';
import * as tf from '@tensorflow/tfjs';
import * as tfe from '../../src/index.js';
import { sharesOf, type Pond, type PrivateTensor } from '../../src/protocol/index.js';
import { makePond } from '../helpers/float.js';
import { TestRng } from '../helpers/random.js';

tf.env().set('PROD', true);
const rng = new TestRng(98);

async function settle(prot: Pond, x: PrivateTensor): Promise<void> {
  await Promise.all(sharesOf(x).map((s) => s.value()));
  await prot.flush();
}

async function check(t: ExecutionContext, prot: Pond, model: tfe.Sequential, x: PrivateTensor, batch: number): Promise<void> {
  await settle(prot, model.predict(x)); // masks the weights once
  const rows = model.summaryRows(batch);
  let h: PrivateTensor = x.add(0);
  await settle(prot, h);
  for (const [i, layer] of model.layers.entries()) {
    const before = prot.traffic();
    h = layer.apply(h);
    await settle(prot, h);
    const after = prot.traffic();
    const bytes = after.totalBytes - before.totalBytes;
    const rounds = after.rounds - before.rounds;
    const est = rows[i].cost;
    if (est === undefined) throw new Error(`${layer.name}: no estimate`);
    const what = `${layer.name} (${layer.className}): estimated ${est.bytes} B / ${est.rounds} rounds, measured ${bytes} B / ${rounds} rounds`;
    t.log(what);
    t.true(Math.abs(bytes - est.bytes) <= 0.03 * est.bytes + 256, what);
    t.is(rounds, est.rounds, what);
  }
}

test('convolutions, activations and normalizations: estimates match the traffic', async (t) => {
  const { prot } = makePond();
  const model = tfe.sequential({
    layers: [
      tfe.layers.separableConv2d({ filters: 4, kernelSize: 3, depthMultiplier: 2, padding: 'same', dilationRate: 2, inputShape: [6, 6, 2] }),
      tfe.layers.conv2dTranspose({ filters: 2, kernelSize: 3, strides: 2, padding: 'same' }),
      tfe.layers.leakyReLU({ alpha: 0.2 }),
      tfe.layers.layerNormalization({}),
      tfe.layers.upSampling2d({ size: [1, 2] }),
      tfe.layers.cropping2D({ cropping: 1 }),
      tfe.layers.activation({ activation: 'elu' }),
      tfe.layers.reshape({ targetShape: [10, -1] }),
      tfe.layers.conv1d({ filters: 3, kernelSize: 3, padding: 'causal', dilationRate: 2 }),
      tfe.layers.maxPooling1d({ poolSize: 2 }),
      tfe.layers.activation({ activation: 'softplus' }),
      tfe.layers.globalAveragePooling1d(),
      tfe.layers.dense({ units: 4, activation: 'swish' }),
      tfe.layers.prelu(),
      tfe.layers.thresholdedReLU({ theta: 0.1 }),
      tfe.layers.activation({ activation: 'gelu' }),
      tfe.layers.repeatVector({ n: 2 }),
      tfe.layers.permute({ dims: [2, 1] }),
      tfe.layers.activation({ activation: 'softsign' }),
    ],
  });
  const batch = 2;
  const x = prot.definePrivateInput('inputter', () => rng.floats(batch * 72, -1, 1), { shape: [batch, 6, 6, 2] });
  await check(t, prot, model, x, batch);
});

test('embedding and recurrent layers: estimates match the traffic', async (t) => {
  const { prot } = makePond();
  const model = tfe.sequential({
    layers: [
      tfe.layers.embedding({ inputDim: 9, outputDim: 3, inputShape: [5] }),
      tfe.layers.lstm({ units: 4, returnSequences: true, recurrentActivation: 'sigmoid' }),
      tfe.layers.gru({ units: 3, returnSequences: true, goBackwards: true }),
      tfe.layers.simpleRNN({ units: 2 }),
    ],
  });
  const batch = 2;
  const x = prot.definePrivateInput('inputter', () => Float64Array.from({ length: batch * 5 }, () => rng.int(9)), { shape: [batch, 5] });
  await check(t, prot, model, x, batch);
});

test('a functional model: the summary sums each layer over its nodes', async (t) => {
  const { prot } = makePond();
  const a = tfe.input({ shape: [6] });
  const b = tfe.input({ shape: [6] });
  const shared = tfe.layers.dense({ units: 4, activation: 'relu' });
  const out = tfe.layers.dot({ axes: 1 }).apply([shared.apply(a), shared.apply(b)]);
  const model = tfe.model({ inputs: [a, b], outputs: tfe.layers.average().apply([out, tfe.layers.dense({ units: 1 }).apply(a)]) });
  const xa = prot.definePrivateInput('inputter', () => rng.floats(12, -1, 1), { shape: [2, 6] });
  const xb = prot.definePrivateInput('inputter', () => rng.floats(12, -1, 1), { shape: [2, 6] });
  model.build(prot);
  await settle(prot, model.predict([xa, xb]));
  const total = model.summaryRows(2).reduce((acc, r) => acc + (r.cost?.bytes ?? 0), 0);
  const before = prot.traffic().totalBytes;
  await settle(prot, model.predict([xa.add(0), xb.add(0)]));
  const bytes = prot.traffic().totalBytes - before;
  t.log(`estimated ${total} B, measured ${bytes} B`);
  t.true(Math.abs(bytes - total) <= 0.03 * total + 512);
});
