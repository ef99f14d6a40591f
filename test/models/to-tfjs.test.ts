/**
 * toTfjs on functional models: the owner gets a tf.model with the private
 * graph (two inputs, a shared layer, add and concatenate merges, batch
 * normalization, two outputs) and its current weights, whose predictions
 * equal the private model's. Tolerance: the
 * private forward pass's fixed-point error (16 fractional bits, a few
 * products deep, the batch normalization's invSqrt at 2^-20): 2e-3.
 */
import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import * as tfe from '../../src/index.js';
import { makePond, maxAbsDiff, revealValues } from '../helpers/float.js';
import { TestRng } from '../helpers/random.js';

tf.env().set('PROD', true);
const rng = new TestRng(131);

test("Functional.toTfjs gives the owner a tf.model whose predictions match the private model's", async (t) => {
  const { prot } = makePond();
  const a = tfe.input({ shape: [4], name: 'a' });
  const b = tfe.input({ shape: [4], name: 'b' });
  const shared = tfe.layers.dense({ units: 3, activation: 'tanh', name: 'shared' });
  const [ha, hb] = [shared.apply(a), shared.apply(b)];
  const sum = tfe.layers.add({ name: 'sum' }).apply([ha, hb]);
  const cat = tfe.layers.concatenate({ name: 'cat' }).apply([sum, tfe.layers.dense({ units: 2, name: 'side' }).apply(b)]);
  const normed = tfe.layers.batchNormalization({ name: 'bn' }).apply(cat);
  const out1 = tfe.layers.dense({ units: 2, activation: 'softmax', name: 'head1' }).apply(normed);
  const out2 = tfe.layers.dense({ units: 1, name: 'head2' }).apply(sum);
  const model = tfe.model({ name: 'graph', inputs: [a, b], outputs: [out1, out2] });
  // Weights away from the initialisers (moving variance positive), so a lost weight would show.
  model.build(prot, { weightsOwner: 'inputter', weights: (l, w, shape) => Float64Array.from({ length: shape.reduce((p, d) => p * d, 1) }, (_, i) => (model.layers[l].className === 'BatchNormalization' && w === 3 ? 0.5 + Math.abs(Math.sin(i + 1)) : Math.sin(3 * l + w + i))) });

  const plain = await model.toTfjs('result-receiver');
  if (plain === undefined) {
    t.fail('the owner got no model');
    return;
  }
  t.deepEqual(plain.inputs.map((x) => x.shape), [[null, 4], [null, 4]]);
  t.deepEqual(plain.layers.map((l) => l.name).sort(), ['a', 'b', 'bn', 'cat', 'head1', 'head2', 'shared', 'side', 'sum']);
  const n = 5;
  const [xa, xb] = [0, 1].map(() => Float64Array.from({ length: n * 4 }, () => rng.uniform(-2, 2)));
  const got = model.predictOutputs([prot.definePrivateInput('inputter', () => xa, { shape: [n, 4] }), prot.definePrivateInput('inputter', () => xb, { shape: [n, 4] })]);
  const want = plain.predict([tf.tensor(Array.from(xa), [n, 4]), tf.tensor(Array.from(xb), [n, 4])]) as tf.Tensor[];
  for (const [o, y] of got.entries()) {
    const err = maxAbsDiff(await revealValues(prot, y), want[o].dataSync());
    t.true(err <= 2e-3, `output ${o}: private and plaintext differ by ${err.toExponential(2)}`);
  }
});
