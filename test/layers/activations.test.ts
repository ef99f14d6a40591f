/**
 * The smooth activations and the advanced activation layers. Each activation
 * is measured on a dense grid over its range against float64 and must stay
 * within the bound its TSDoc states; the layers agree with tfjs's for every
 * supported config.
 */
import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import * as tfe from '../../src/index.js';
import { agreeModel, seq } from '../helpers/agree.js';
import { makePond, revealValues } from '../helpers/float.js';
import { TestRng } from '../helpers/random.js';

tf.env().set('PROD', true);
const rng = new TestRng(92);

/** erf from Numerical Recipes' erfc (fractional error below 1.2e-7 everywhere). */
const erf = (x: number): number => {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const poly = -z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  const erfc = t * Math.exp(poly);
  return x >= 0 ? 1 - erfc : erfc - 1;
};
const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));
const K = Math.sqrt(2 / Math.PI);
const SELU = [1.6732632423543772, 1.0507009873554805];

/** float64 references, the range measured and the bound the code states. */
const CASES: Array<{ name: tfe.layers.ActivationIdentifier; f: (x: number) => number; lo: number; hi: number; bound: number }> = [
  { name: 'elu', f: (x) => (x > 0 ? x : Math.expm1(x)), lo: -30, hi: 30, bound: 2e-4 },
  { name: 'selu', f: (x) => SELU[1] * (x > 0 ? x : SELU[0] * Math.expm1(x)), lo: -30, hi: 30, bound: 4e-4 },
  { name: 'softplus', f: (x) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x))), lo: -30, hi: 30, bound: 3e-4 },
  { name: 'softsign', f: (x) => x / (1 + Math.abs(x)), lo: -30000, hi: 30000, bound: 3e-5 },
  { name: 'swish', f: (x) => x * sigmoid(x), lo: -30, hi: 30, bound: 5e-4 },
  { name: 'gelu_new', f: (x) => 0.5 * x * (1 + Math.tanh(K * (x + 0.044715 * x ** 3))), lo: -30, hi: 30, bound: 3e-4 },
  { name: 'gelu', f: (x) => 0.5 * x * (1 + erf(x / Math.SQRT2)), lo: -30, hi: 30, bound: 7.5e-4 },
];

test('each smooth activation stays within its stated bound over its range', async (t) => {
  const { prot } = makePond();
  for (const c of CASES) {
    // a dense grid, plus the ends of the range
    const n = 4001;
    const xs = Float64Array.from({ length: n }, (_, i) => c.lo + ((c.hi - c.lo) * i) / (n - 1));
    const model = tfe.sequential({ layers: [tfe.layers.activation({ activation: c.name, inputShape: [n] })] });
    const got = await revealValues(prot, model.predict(prot.definePrivateInput('inputter', () => xs, { shape: [1, n] })));
    let worst = 0;
    let at = 0;
    xs.forEach((x, i) => {
      const e = Math.abs(got[i] - c.f(x));
      if (e > worst) [worst, at] = [e, x];
    });
    t.log(`${c.name}: max error ${worst.toExponential(2)} at x = ${at.toFixed(3)} over [${c.lo}, ${c.hi}] (bound ${c.bound})`);
    t.true(worst <= c.bound, `${c.name}: ${worst} at ${at}`);
  }
});

test('dense layers with each new activation agree with tfjs', async (t) => {
  for (const c of CASES) {
    await agreeModel(t, seq([tf.layers.dense({ units: 5, activation: c.name as 'elu' })], [6]), c.bound + 2e-3, `dense ${c.name}`, rng, { lo: -2, hi: 2 });
  }
});

test('leakyReLU, prelu, elu and thresholdedReLU layers agree with tfjs for every config', async (t) => {
  const EXACT = 2 ** -15;
  for (const alpha of [undefined, 0.01, 0, 1.5, -0.2]) {
    await agreeModel(t, seq([tf.layers.leakyReLU(alpha === undefined ? {} : { alpha })], [3, 4]), EXACT, `leakyReLU alpha ${String(alpha)}`, rng, { lo: -3, hi: 3 });
  }
  for (const sharedAxes of [undefined, 1, [1, 2]] as Array<number | number[] | undefined>) {
    await agreeModel(t, seq([tf.layers.prelu(sharedAxes === undefined ? {} : { sharedAxes })], [3, 4, 2]), 2 * EXACT, `prelu sharedAxes ${JSON.stringify(sharedAxes)}`, rng, { lo: -3, hi: 3 });
  }
  await agreeModel(t, seq([tf.layers.elu({})], [7]), 2e-4 + EXACT, 'elu', rng, { lo: -6, hi: 6 });
  // tfjs's ELU layer refuses alpha != 1; ours takes any alpha (float64 reference):
  const { prot } = makePond();
  for (const alpha of [0.5, 2]) {
    const xs = rng.floats(50, -6, 6);
    const m = tfe.sequential({ layers: [tfe.layers.elu({ alpha, inputShape: [50] })] });
    const got = await revealValues(prot, m.predict(prot.definePrivateInput('inputter', () => xs, { shape: [1, 50] })));
    t.true(Math.max(...Array.from(xs, (x, i) => Math.abs(got[i] - (x > 0 ? x : alpha * Math.expm1(x))))) <= 2e-4 * alpha + EXACT, `elu alpha ${alpha}`);
  }
  for (const theta of [undefined, 0, -0.5, 2]) {
    await agreeModel(t, seq([tf.layers.thresholdedReLU(theta === undefined ? {} : { theta })], [7]), EXACT, `thresholdedReLU theta ${String(theta)}`, rng, { lo: -3, hi: 3 });
  }
});

test('configs are validated and reported with tfjs field names', (t) => {
  t.throws(() => tfe.layers.leakyReLU({ alpha: Number.NaN }), { message: /alpha must be a finite number/ });
  t.throws(() => tfe.layers.prelu({ sharedAxes: [0] }), { message: /sharedAxes must be sample axes \(1-based\)/ });
  t.deepEqual(tfe.layers.thresholdedReLU({ theta: 0.5 }).getConfig().theta, 0.5);
  t.deepEqual(tfe.layers.prelu({ sharedAxes: 2 }).weightShapes([null, 3, 4]), [[3, 1]]);
});
