/**
 * Functional models: tfjs DAGs converted (several inputs and outputs, every
 * merge layer, shared layers) agree with tfjs; tfe.model built by hand with
 * inputs from different owners; predict's list and record forms; summaries,
 * configs and the refusals.
 */
import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import * as tfe from '../../src/index.js';
import { agreeModel } from '../helpers/agree.js';
import { makePond, revealValues } from '../helpers/float.js';
import { TestRng } from '../helpers/random.js';

tf.env().set('PROD', true);
const rng = new TestRng(90);
const sym = (x: tf.SymbolicTensor | tf.SymbolicTensor[] | tf.Tensor | tf.Tensor[]): tf.SymbolicTensor => x as tf.SymbolicTensor;

test('a DAG with two inputs, a shared layer, every elementwise merge and two outputs agrees with tfjs', async (t) => {
  const a = tf.input({ shape: [6], name: 'a' });
  const b = tf.input({ shape: [6], name: 'b' });
  const shared = tf.layers.dense({ units: 5, activation: 'tanh', name: 'shared' });
  const ha = sym(shared.apply(a));
  const hb = sym(shared.apply(b));
  const merged = [tf.layers.add(), tf.layers.multiply(), tf.layers.average(), tf.layers.maximum(), tf.layers.minimum()].map((m) => sym(m.apply([ha, hb])));
  const three = sym(tf.layers.add().apply([ha, hb, merged[1]]));
  const cat = sym(tf.layers.concatenate().apply([...merged, three]));
  const out1 = sym(tf.layers.dense({ units: 3, name: 'head1' }).apply(cat));
  const out2 = sym(tf.layers.dense({ units: 2, activation: 'relu', name: 'head2' }).apply(merged[0]));
  const plain = tf.model({ inputs: [a, b], outputs: [out1, out2] });
  await agreeModel(t, plain, 5e-3, 'DAG', rng);
});

test('concatenate along any axis and dot in every supported form agree with tfjs', async (t) => {
  for (const axis of [1, 2, -1]) {
    const a = tf.input({ shape: [3, 4] });
    const b = tf.input({ shape: [3, 4] });
    const out = sym(tf.layers.concatenate({ axis }).apply([a, b]));
    await agreeModel(t, tf.model({ inputs: [a, b], outputs: out }), 1e-5, `concatenate axis ${axis}`, rng);
  }
  // tfjs computes every negative axis as the last one (its shapes say otherwise); Keras's meaning, checked with tf.concat:
  const { prot } = makePond();
  const a = tfe.input({ shape: [3, 4] });
  const b = tfe.input({ shape: [2, 4] });
  const m = tfe.model({ inputs: [a, b], outputs: tfe.layers.concatenate({ axis: -2 }).apply([a, b]) });
  const va = rng.floats(12, -1, 1);
  const vb = rng.floats(8, -1, 1);
  const got = await revealValues(prot, m.predict([prot.definePrivateInput('inputter', () => va, { shape: [1, 3, 4] }), prot.definePrivateInput('inputter', () => vb, { shape: [1, 2, 4] })]));
  const want = tf.concat([tf.tensor(Array.from(va), [1, 3, 4]), tf.tensor(Array.from(vb), [1, 2, 4])], 1).dataSync();
  t.true(Math.max(...Array.from(got, (v, i) => Math.abs(v - want[i]))) < 1e-4, 'concatenate axis -2');
  for (const [shapes, axes, normalize] of [
    [[[5], [5]], 1, false],
    [[[5], [5]], -1, true],
    [[[3, 4], [3, 4]], 1, false],
    [[[3, 4], [3, 4]], 2, false],
    [[[3, 4], [4, 3]], [2, 1], false],
    [[[4, 3], [4, 2]], [1, 1], true],
  ] as Array<[[number[], number[]], number | [number, number], boolean]>) {
    const a = tf.input({ shape: shapes[0] });
    const b = tf.input({ shape: shapes[1] });
    const out = sym(tf.layers.dot({ axes, normalize }).apply([a, b]));
    // normalize multiplies by invSqrt (relative error 2^-20) of squared norms in its domain
    await agreeModel(t, tf.model({ inputs: [a, b], outputs: out }), normalize ? 2e-4 : 1e-4, `dot ${JSON.stringify(shapes)} axes ${JSON.stringify(axes)} normalize ${normalize}`, rng, { lo: 0.2, hi: 1 });
  }
});

test('tfe.model by hand: inputs from two owners, a shared layer counted once, subtract, predict as list or record', async (t) => {
  const config = new tfe.InProcessConfig(['server0', 'server1', 'crypto-producer', 'alice', 'bob', 'result-receiver']);
  const prot = new tfe.protocol.Pond(config, { servers: ['server0', 'server1'], cryptoProducer: 'crypto-producer' });
  const a = tfe.input({ shape: [4], name: 'alice_in' });
  const b = tfe.input({ shape: [4], name: 'bob_in' });
  const shared = tfe.layers.dense({ units: 3, name: 'enc' });
  const diff = tfe.layers.subtract().apply([shared.apply(a), shared.apply(b)]);
  const model = tfe.model({ inputs: [a, b], outputs: diff });
  t.deepEqual(model.outputShapes, [[null, 3]]);
  const w = [[0.5, -1, 0.25], [1, 0, -0.5], [0, 2, 1], [-1, 0.5, 0]];
  const bias = [0.1, -0.2, 0.3];
  model.build(prot, { weights: (layer, i) => (model.layers[layer].name === 'enc' ? (i === 0 ? w : bias) : []) });
  t.is(model.countParams(), 15, 'the shared layer has one set of weights');
  const va = [[1, 2, -1, 0.5]];
  const vb = [[-0.5, 1, 0, 2]];
  const xa = prot.definePrivateInput('alice', () => va);
  const xb = prot.definePrivateInput('bob', () => vb);
  const want = tf.sub(tf.matMul(tf.tensor(va), tf.tensor(w)), tf.matMul(tf.tensor(vb), tf.tensor(w))).dataSync();
  for (const got of [model.predict([xa, xb]), model.predict({ bob_in: xb, alice_in: xa })]) {
    const v = await revealValues(prot, got);
    t.true(Math.max(...Array.from(v, (x, i) => Math.abs(x - want[i]))) < 1e-3);
  }
  t.throws(() => model.predict(xa), { message: /has 2 inputs \(alice_in, bob_in\); pass a list or a record/ });
  t.throws(() => model.predict([xa]), { message: /expected 2 input tensors \(alice_in, bob_in\), got a list of 1/ });
  t.throws(() => model.predict({ alice_in: xa, carol: xb }), { message: /unknown input names carol/ });
  t.throws(() => model.predict([xa, prot.definePrivateInput('bob', () => [[1, 2, 3]])]), { message: /expected input 'bob_in' of shape \[null,4\]/ });
  const lines: string[] = [];
  model.summary(1, (l) => lines.push(l));
  t.true(lines.some((l) => /enc \(Dense\)\s+\[null,3\]\s+15\s+\d+\s+\d+\s+.*alice_in, bob_in/.test(l)), lines.join('\n'));
  const cfg = model.getConfig();
  t.deepEqual(cfg.inputLayers, ['alice_in', 'bob_in']);
  t.deepEqual(cfg.layers.find((l) => l.name === 'enc')?.inboundNodes, [['alice_in'], ['bob_in']]);
  await config.close();
});

test('several outputs: predictOutputs returns them in order, predict names the way', async (t) => {
  const { prot } = makePond();
  const x = tfe.input({ shape: [3] });
  const h = tfe.layers.dense({ units: 2, activation: 'relu' }).apply(x);
  const model = tfe.model({ inputs: x, outputs: [h, tfe.layers.dense({ units: 1 }).apply(h)] });
  const input = prot.definePrivateInput('inputter', () => [[1, -1, 0.5], [0, 2, 1]]);
  const outs = model.predictOutputs(input, { batchSize: 1 });
  t.deepEqual(outs.map((o) => [...o.shape]), [[2, 2], [2, 1]]);
  t.throws(() => model.predict(input), { message: /has 2 outputs .*predictOutputs\(x\) returns them as a list/ });
});

test('graph refusals: an output from a foreign input, a non-input as input, duplicate names', (t) => {
  const x = tfe.input({ shape: [3] });
  const other = tfe.input({ shape: [3], name: 'other' });
  const y = tfe.layers.add().apply([x, other]);
  t.throws(() => tfe.model({ inputs: x, outputs: y }), { message: /depend on input 'other', which is not among the model's inputs/ });
  t.throws(() => tfe.model({ inputs: [y], outputs: y }), { message: /inputs must be a non-empty list of tfe.input\(\) tensors/ });
  const d1 = tfe.layers.dense({ units: 2, name: 'same' }).apply(x);
  const d2 = tfe.layers.dense({ units: 2, name: 'same' }).apply(x);
  t.throws(() => tfe.model({ inputs: x, outputs: [d1, d2] }), { message: /two different layers are named 'same'/ });
  t.throws(() => tfe.layers.add().apply([x]), { message: /takes a list of at least 2 inputs, got 1/ });
  t.throws(() => tfe.layers.subtract().apply([x, x, x]), { message: /takes a list of exactly 2 inputs, got 3/ });
  t.throws(() => tfe.layers.add().apply([x, tfe.input({ shape: [4] })]), { message: /cannot be broadcast together: \[null,3\], \[null,4\]/ });
});

test('fromTfjs still returns a Sequential for tf.sequential and refuses multi-output layers by name', async (t) => {
  const { prot } = makePond();
  const s = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [3] })] });
  t.true((await tfe.models.fromTfjs(s, prot)) instanceof tfe.Sequential);
  const x = tf.input({ shape: [4, 2] });
  const [, state] = tf.layers.simpleRNN({ units: 3, returnState: true, name: 'rnn_state' }).apply(x) as tf.SymbolicTensor[];
  const m = tf.model({ inputs: x, outputs: state });
  await t.throwsAsync(tfe.models.fromTfjs(m, prot), { message: /layer 'rnn_state' \(SimpleRNN\) has several outputs/ });
});
