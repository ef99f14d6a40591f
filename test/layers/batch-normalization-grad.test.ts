/**
 * Batch normalization in training mode against tfjs: the output, the moving
 * statistics after a step, and the gradients through the batch statistics
 * (input, gamma, beta) against tf.grads / tf.variableGrads of the same
 * tfjs layer, on dense (2-D) and convolutional (NHWC) inputs, a batch of 2,
 * and a channel that is constant over the batch (its variance is 0, epsilon
 * dominates). Fixed point at 20 fractional bits, as training uses.
 *
 * Tolerances: the outputs are normalised (about unit size); invSqrt is exact
 * to 2^-20 relative, so the error is the fixed point's rounding (about 2^-20
 * per product) amplified by 1 / sqrt(variance + epsilon) and the chain of
 * products of the backward pass: 2e-3 for inputs of variance about 1/3. A
 * constant channel is scaled by 1 / sqrt(epsilon) (about 32 for 1e-3), and
 * its gradient holds the square of that scale times the deviations (which
 * are zero up to rounding): 2e-2 there.
 */
import test, { type ExecutionContext } from 'ava';
import * as tf from '@tensorflow/tfjs';
import * as tfe from '../../src/index.js';
import { grads, variableGrads } from '../../src/autodiff/index.js';
import type { PrivateTensor, Tensor } from '../../src/protocol/index.js';
import { maxAbsDiff, revealValues } from '../helpers/float.js';
import { TestRng } from '../helpers/random.js';

tf.env().set('PROD', true);
const rng = new TestRng(113);
const PLAYERS = ['server0', 'server1', 'crypto-producer', 'owner', 'result-receiver'];

function makeProt(): tfe.protocol.Pond {
  return new tfe.protocol.Pond(new tfe.InProcessConfig(PLAYERS), { servers: ['server0', 'server1'], cryptoProducer: 'crypto-producer' }, { fracBits: 20 });
}

const floats = (n: number, lo = -1, hi = 1): Float64Array => Float64Array.from({ length: n }, () => rng.uniform(lo, hi));

interface BnCase {
  readonly what: string;
  readonly shape: number[];
  readonly args?: { momentum?: number; epsilon?: number; center?: boolean; scale?: boolean };
  /** Channel whose inputs are one value over the whole batch. */
  readonly constantChannel?: number;
  readonly tol: number;
}

/** The batch normalization layer of a tfjs model (its last layer). */
function bnOf(plain: tf.LayersModel): tf.layers.Layer {
  return plain.layers[plain.layers.length - 1];
}

/** A tfjs model of one batch normalization layer with random gamma, beta and moving statistics. */
function plainModel(c: BnCase): tf.Sequential {
  const plain = tf.sequential({ layers: [tf.layers.inputLayer({ inputShape: c.shape.slice(1) }), tf.layers.batchNormalization(c.args ?? {})] });
  const bn = bnOf(plain);
  const ws = bn.getWeights().map((w, i, all) => tf.tensor(Array.from(floats(w.size, i === all.length - 1 ? 0.5 : -1, i === all.length - 1 ? 2 : 1)), w.shape));
  bn.setWeights(ws);
  return plain;
}

function inputs(c: BnCase): Float64Array {
  const xs = floats(c.shape.reduce((a, b) => a * b, 1));
  const ch = c.shape[c.shape.length - 1];
  if (c.constantChannel !== undefined) for (let i = c.constantChannel; i < xs.length; i += ch) xs[i] = 0.75;
  return xs;
}

/**
 * The plaintext reference: tfjs's own layer in training mode, or where tfjs
 * cannot run it (its training path reads gamma and beta unconditionally, so
 * `scale: false` or `center: false` throw) the same computation in tf ops:
 * tf.moments over every axis but the channels, then the normalisation.
 */
interface Reference {
  apply(input: tf.Tensor): tf.Tensor;
  readonly trainable: tf.Variable[];
  /** The moving statistics after the calls so far. */
  moving(): tf.Tensor[];
}

function reference(plain: tf.Sequential, c: BnCase): Reference {
  const bn = bnOf(plain);
  if (c.args?.scale !== false && c.args?.center !== false) {
    return { apply: (input) => plain.apply(input, { training: true }) as tf.Tensor, trainable: plain.trainableWeights.map((w) => w.read() as tf.Variable), moving: () => bn.getWeights().slice(-2) };
  }
  const ws = bn.getWeights();
  let i = 0;
  const gamma = c.args.scale === false ? undefined : tf.variable(ws[i++]);
  const beta = c.args.center === false ? undefined : tf.variable(ws[i++]);
  let [mm, mv] = [ws[i].clone(), ws[i + 1].clone()];
  let first = true;
  const momentum = c.args.momentum ?? 0.99;
  const axes = c.shape.slice(0, -1).map((_, k) => k);
  return {
    apply: (input) => {
      const { mean, variance } = tf.moments(input, axes);
      if (first) {
        // The statistics after the first call (later calls run inside tf.grads, which disposes what they make).
        mm = tf.keep(mm.sub(mm.sub(mean).mul(1 - momentum)));
        mv = tf.keep(mv.sub(mv.sub(variance).mul(1 - momentum)));
        first = false;
      }
      // tf.batchNorm's gradient needs both gamma and beta: the same formula in plain ops.
      let out = input.sub(mean).mul(variance.add(c.args?.epsilon ?? 1e-3).rsqrt());
      if (gamma !== undefined) out = out.mul(gamma);
      return beta === undefined ? out : out.add(beta);
    },
    trainable: [gamma, beta].filter((v): v is tf.Variable => v !== undefined),
    moving: () => [mm, mv],
  };
}

async function checkTraining(t: ExecutionContext, c: BnCase): Promise<void> {
  const plain = plainModel(c);
  const ref = reference(plain, c);
  const xs = inputs(c);
  const rs = floats(xs.length);
  const xt = tf.tensor(Array.from(xs), c.shape);
  const rt = tf.tensor(Array.from(rs), c.shape);
  const prot = makeProt();
  const model = await tfe.models.fromTfjs(plain, prot, { weightsOwner: 'owner' });
  // The owner reads the weights when it shares them: before tfjs's training call moves its statistics.
  await prot.flush();
  const x = prot.definePrivateInput('owner', () => xs, { shape: c.shape });
  const r = prot.definePrivateInput('owner', () => rs, { shape: c.shape });
  const close = async (got: Tensor, want: tf.Tensor, name: string, tol = c.tol): Promise<void> => {
    const err = maxAbsDiff(await revealValues(prot, got), want.dataSync());
    errors.push(`${name} ${err.toExponential(1)}`);
    t.true(err <= tol, `${c.what}: ${name} off by ${err.toExponential(2)} (tolerance ${tol})`);
  };
  const errors: string[] = [];

  // One training step's output and moving statistics (tfjs updates them in apply).
  const y = model.apply(x, { training: true });
  await close(y, ref.apply(xt), 'training output');
  const ours = model.layers[0].weights;
  const theirs = ref.moving();
  await close(ours[ours.length - 2], theirs[0], 'moving mean after a step', 1e-4);
  await close(ours[ours.length - 1], theirs[1], 'moving variance after a step', 1e-4);

  const f = (input: PrivateTensor): PrivateTensor => model.apply(input, { training: true }).mul(r).sum();
  const fPlain = (input: tf.Tensor): tf.Scalar => tf.sum(tf.mul(ref.apply(input), rt));
  const gx = grads((input) => f(input as PrivateTensor))([x])[0];
  await close(gx, tf.grads(fPlain)([xt])[0], 'input gradient');

  const secure = variableGrads(() => f(x), model.trainableWeights);
  const vars = ref.trainable;
  const plainGrads = tf.variableGrads(() => fPlain(xt), vars);
  t.is(secure.grads.length, vars.length, `${c.what}: one gradient per trainable weight (gamma and beta, not the moving statistics)`);
  for (const [i, g] of secure.grads.entries()) {
    if (g === undefined) {
      t.fail(`${c.what}: weight ${i} has no gradient`);
      continue;
    }
    await close(g, plainGrads.grads[vars[i].name], `weight ${i} gradient`);
  }
  t.log(`${c.what}: ${errors.join(', ')}`);
}

const CASES: BnCase[] = [
  { what: 'dense input [6, 5]', shape: [6, 5], tol: 2e-3 },
  { what: 'conv input NHWC [2, 3, 3, 4]', shape: [2, 3, 3, 4], tol: 2e-3 },
  { what: 'a batch of 2', shape: [2, 3], tol: 2e-3 },
  { what: 'momentum 0.9, epsilon 0.01, no gamma', shape: [4, 3], args: { momentum: 0.9, epsilon: 0.01, scale: false }, tol: 2e-3 },
  { what: 'no beta', shape: [4, 3], args: { center: false }, tol: 2e-3 },
  { what: 'a constant channel (epsilon dominates)', shape: [5, 3], constantChannel: 1, tol: 2e-2 },
];

for (const c of CASES) {
  test(`batchNormalization training: ${c.what} agrees with tfjs (output, moving statistics, gradients)`, async (t) => {
    await checkTraining(t, c);
  });
}

test('batchNormalization frozen (trainable = false): moving statistics in fit mode too, nothing updated, no trainable weights', async (t) => {
  const c: BnCase = { what: 'frozen', shape: [4, 3], tol: 2e-3 };
  const plain = plainModel(c);
  const xs = inputs(c);
  const rs = floats(xs.length);
  const xt = tf.tensor(Array.from(xs), c.shape);
  const rt = tf.tensor(Array.from(rs), c.shape);
  const prot = makeProt();
  const model = await tfe.models.fromTfjs(plain, prot, { weightsOwner: 'owner' });
  const layer = model.layers[0];
  layer.trainable = false;
  t.is(layer.trainableWeights.length, 0);
  t.is(model.trainableWeights.length, 0);
  const x = prot.definePrivateInput('owner', () => xs, { shape: c.shape });
  const r = prot.definePrivateInput('owner', () => rs, { shape: c.shape });
  // Keras 2: a frozen layer normalises with its moving statistics, which is tfjs's inference mode.
  const gx = grads((input) => model.apply(input as PrivateTensor, { training: true }).mul(r).sum())([x])[0];
  const want = tf.grads((input: tf.Tensor) => tf.sum(tf.mul(plain.apply(input, { training: false }) as tf.Tensor, rt)))([xt])[0];
  const err = maxAbsDiff(await revealValues(prot, gx), want.dataSync());
  t.true(err <= c.tol, `frozen: input gradient off by ${err.toExponential(2)}`);
  const moving = bnOf(plain).getWeights().slice(-2);
  for (const [i, w] of layer.weights.slice(-2).entries()) {
    const drift = maxAbsDiff(await revealValues(prot, w), moving[i].dataSync());
    t.true(drift <= 1e-5, `frozen: moving statistic ${i} changed by ${drift.toExponential(2)}`);
  }
});

test('batchNormalization in a model: fit reduces the loss like tfjs with the same recipe, and predict uses the moving statistics', async (t) => {
  // Two blobs in 4 features, at an offset and scale that batch normalization removes.
  const n = 64;
  const xs = new Float64Array(n * 4);
  const ys = new Float64Array(n * 2);
  for (let i = 0; i < n; i++) {
    const k = i % 2;
    for (let j = 0; j < 4; j++) xs[i * 4 + j] = 2 + (k === 0 ? 1 : -1) * (0.5 + 0.1 * j) + rng.uniform(-0.6, 0.6);
    ys[i * 2 + k] = 1;
  }
  const build = (): tf.Sequential =>
    tf.sequential({
      layers: [
        tf.layers.dense({ units: 4, inputShape: [4], useBias: false }),
        tf.layers.batchNormalization({ momentum: 0.8 }),
        tf.layers.activation({ activation: 'relu' }),
        tf.layers.dense({ units: 2, activation: 'softmax' }),
      ],
    });
  const plain = build();
  for (const l of [plain.layers[0], plain.layers[3]]) l.setWeights(l.getWeights().map((w) => tf.tensor(Array.from(floats(w.size, -0.7, 0.7)), w.shape)));
  const prot = makeProt();
  const model = await tfe.models.fromTfjs(plain, prot, { weightsOwner: 'owner' });
  await prot.flush();
  // The summary counts the moving statistics as non-trainable, as tfjs's does.
  const ours: string[] = [];
  const theirs: string[] = [];
  model.summary(1, (l) => ours.push(l));
  plain.summary(undefined, undefined, (l) => theirs.push(l));
  const counts = (lines: string[]): string[] => lines.filter((l) => /^(Total|Trainable|Non-trainable) params/.test(l)).map((l) => l.replace(/,/g, ''));
  t.deepEqual(counts(ours), counts(theirs));
  t.true(counts(ours).includes('Non-trainable params: 8'), counts(ours).join('; '));
  const [epochs, batchSize, lr] = [4, 16, 0.2];
  plain.compile({ optimizer: tf.train.sgd(lr), loss: 'categoricalCrossentropy' });
  const plainHistory = await plain.fit(tf.tensor(Array.from(xs), [n, 4]), tf.tensor(Array.from(ys), [n, 2]), { batchSize, epochs, shuffle: false, verbose: 0 });
  const x = prot.definePrivateInput('owner', () => xs, { shape: [n, 4] });
  const y = prot.definePrivateInput('owner', () => ys, { shape: [n, 2] });
  model.compile({ optimizer: tfe.train.sgd(lr), loss: 'categoricalCrossentropy' });
  const history = await model.fit(x, y, { batchSize, epochs, shuffle: false, verbose: 0, revealLossTo: 'owner' });
  const loss = history.history.loss;
  const plainLoss = plainHistory.history.loss as number[];
  t.log(`loss per epoch: private ${loss.map((l) => l.toFixed(4)).join(' ')}, tfjs ${plainLoss.map((l) => l.toFixed(4)).join(' ')}`);
  t.true(loss[epochs - 1] < loss[0] - 0.05, `the private loss goes down: ${loss.join(' -> ')}`);
  for (let e = 0; e < epochs; e++) t.true(Math.abs(loss[e] - plainLoss[e]) <= 5e-3, `epoch ${e}: private loss ${loss[e]} vs tfjs ${plainLoss[e]}`);
  // Every weight, the moving statistics included, ends where tfjs's do.
  const weights = model.layers.flatMap((l) => [...l.weights]);
  // tfjs's model.getWeights() lists trainable weights first: compare layer by layer.
  const plainWeights = plain.layers.flatMap((l) => l.getWeights());
  t.is(weights.length, plainWeights.length);
  for (const [i, w] of weights.entries()) {
    const err = maxAbsDiff(await revealValues(prot, w), plainWeights[i].dataSync());
    t.true(err <= 5e-3, `weight ${i} off by ${err.toExponential(2)} after fit`);
  }
  // Inference: the moving statistics, as tfjs's predict.
  const err = maxAbsDiff(await revealValues(prot, model.predict(x)), (plain.predict(tf.tensor(Array.from(xs), [n, 4])) as tf.Tensor).dataSync());
  t.true(err <= 5e-3, `predict after fit off by ${err.toExponential(2)}`);
});
