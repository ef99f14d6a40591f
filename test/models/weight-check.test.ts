import test from 'ava';
import * as tfe from '../../src/index.js';
import { WeightRangeError } from '../../src/errors.js';
import { TestRng } from '../helpers/random.js';

const rng = new TestRng(77);
const PLAYERS = ['server0', 'server1', 'crypto-producer', 'owner'];

function setup(): { prot: tfe.protocol.Pond; model: ReturnType<typeof tfe.sequential>; x: tfe.protocol.PrivateTensor; y: tfe.protocol.PrivateTensor } {
  const config = new tfe.InProcessConfig(PLAYERS);
  const prot = new tfe.protocol.Pond(config, { servers: ['server0', 'server1'], cryptoProducer: 'crypto-producer' }, { fracBits: 20, onWarning: () => undefined });
  const model = tfe.sequential({ layers: [tfe.layers.dense({ units: 1, inputShape: [4], name: 'regressor' })] });
  model.build(prot, { weightsOwner: 'owner' });
  const xs = Float64Array.from({ length: 32 }, () => rng.uniform(5, 10));
  const x = prot.definePrivateInput('owner', () => xs, { shape: [8, 4] });
  const y = prot.definePrivateInput('owner', () => Float64Array.from({ length: 8 }, () => rng.uniform(-1, 1)), { shape: [8, 1] });
  return { prot, model, x, y };
}

test('a learning rate that blows the weights up fails fit with a WeightRangeError naming the layer', async (t) => {
  const { model, x, y } = setup();
  model.compile({ optimizer: tfe.train.sgd(5), loss: 'meanSquaredError' });
  const e = await t.throwsAsync(model.fit(x, y, { epochs: 3, batchSize: 4, verbose: 0 }), { instanceOf: WeightRangeError });
  t.is((e as WeightRangeError).layer, 'regressor');
  t.regex(e!.message, /fit: some weight of layer 'regressor' has \|w\| >= 2048 after the update; with 20 fractional bits/);
});

test('every-N-batches checks catch it too; a small learning rate or checkWeights never passes', async (t) => {
  {
    const { model, x, y } = setup();
    model.compile({ optimizer: tfe.train.sgd(5), loss: 'meanSquaredError' });
    await t.throwsAsync(model.fit(x, y, { epochs: 3, batchSize: 4, verbose: 0, checkWeights: 1, weightBound: 100 }), { instanceOf: WeightRangeError, message: /\|w\| >= 100/ });
  }
  {
    const { model, x, y } = setup();
    model.compile({ optimizer: tfe.train.sgd(5), loss: 'meanSquaredError' });
    await t.notThrowsAsync(model.fit(x, y, { epochs: 1, batchSize: 4, verbose: 0, checkWeights: 'never' }));
  }
  {
    const { model, x, y } = setup();
    model.compile({ optimizer: tfe.train.sgd(0.001), loss: 'meanSquaredError' });
    await t.notThrowsAsync(model.fit(x, y, { epochs: 2, batchSize: 4, verbose: 0 }));
  }
  const { model, x, y } = setup();
  model.compile({ optimizer: tfe.train.sgd(0.001), loss: 'meanSquaredError' });
  await t.throwsAsync(model.fit(x, y, { batchSize: 4, checkWeights: 0 }), { message: /checkWeights must be 'epoch', 'never' or a positive integer/ });
});

test('checkLayerWeights: a weight just past -bound or +bound in any variable of a layer is caught; just inside passes', async (t) => {
  const { checkLayerWeights } = await import('../../src/models/training/weight-check.js');
  const cases: Array<{ kernel: number[]; bias: number[]; fails: boolean }> = [
    { kernel: [0.5, -99.9, 99.9, 0], bias: [1], fails: false },
    { kernel: [0.5, -100.01, 3, 0], bias: [1], fails: true },
    { kernel: [0.5, 2, 3, 0], bias: [100.01], fails: true },
    { kernel: [0.5, 2, 100, 0], bias: [0], fails: true },
    { kernel: [-100, 2, 3, 0], bias: [0], fails: true },
  ];
  for (const c of cases) {
    const config = new tfe.InProcessConfig(PLAYERS);
    const prot = new tfe.protocol.Pond(config, { servers: ['server0', 'server1'], cryptoProducer: 'crypto-producer' }, { fracBits: 20, onWarning: () => undefined });
    const model = tfe.sequential({ layers: [tfe.layers.dense({ units: 1, inputShape: [4], name: 'probe' })] });
    model.build(prot, { weightsOwner: 'owner', weights: (_l, w) => Float64Array.from(w === 0 ? c.kernel : c.bias) });
    const run = checkLayerWeights(prot, model.layers, 100, 'probe');
    if (c.fails) await t.throwsAsync(run, { instanceOf: WeightRangeError, message: /'probe'/ }, JSON.stringify(c));
    else await t.notThrowsAsync(run, JSON.stringify(c));
  }
});
