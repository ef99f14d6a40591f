/**
 * Exact comparisons against float64 on the encoded values. Comparisons are
 * exact whenever the difference of the operands is encodable (|x - y| < 2^47
 * with 16 fractional bits); relu, sign and abs over the whole encodable range.
 * Every comparison runs with both methods: the adder and function secret
 * sharing (PondOptions.comparison).
 */
import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { TestRng } from '../../helpers/random.js';
import { makePond, maxAbsDiff, quantize, revealValues, ULP } from '../../helpers/float.js';
import { sharesOf } from '../../../src/protocol/index.js';

tf.env().set('PROD', true);
const rng = new TestRng(40);

/** 0, +-1 unit, near the range edges, and log-uniform magnitudes of both signs. */
function edgeValues(n: number): Float64Array {
  // (2^47 - 1/32 is the largest double below 2^47: the encodable edge.)
  const fixed = [0, ULP, -ULP, 2 * ULP, -2 * ULP, 1, -1, 2 ** 47 - 1 / 32, -(2 ** 47) + 1 / 32, 2 ** 46, -(2 ** 46), 0.5, -0.5];
  const out = new Float64Array(n);
  out.set(fixed);
  for (let i = fixed.length; i < n; i++) {
    const mag = 2 ** rng.uniform(-16, 46.99);
    out[i] = rng.float() < 0.5 ? -mag : mag;
  }
  return quantize(out);
}

for (const comparison of ['adder', 'fss'] as const) {
for (const [n, shape, levels] of comparison === 'fss' ? ([[250, [10, 25], 'function secret sharing'], [600, [20, 30], 'the adder beyond 256']] as const) : ([[600, [20, 30], 'radix-4 prefix levels'], [2500, [50, 50], 'radix-2 prefix levels']] as const)) {
test(`${comparison}: relu, sign, abs and isNegative are exact across the whole fixed-point range (${n} elements: ${levels})`, async (t) => {
  const { prot } = makePond({ comparison });
  const v = edgeValues(n);
  const x = prot.definePrivateInput('inputter', () => v, { shape: [...shape] });
  t.is(maxAbsDiff(await revealValues(prot, x.relu()), v.map((a) => Math.max(a, 0))), 0);
  t.is(maxAbsDiff(await revealValues(prot, prot.isNegative(x)), v.map((a) => (a < 0 ? 1 : 0))), 0);
  t.is(maxAbsDiff(await revealValues(prot, x.sign()), v.map((a) => Math.sign(a) + 0)), 0);
  t.is(maxAbsDiff(await revealValues(prot, x.abs()), v.map(Math.abs)), 0);
  t.is(maxAbsDiff(await revealValues(prot, prot.reluGrad(x)), v.map((a) => (a > 0 ? 1 : 0))), 0, 'reluGrad is 1 where x > 0, as tfjs');
  const scalar = prot.definePrivateInput('inputter', () => -2.5);
  t.deepEqual(Array.from(await revealValues(prot, scalar.relu())), [0]);
});
}

test(`${comparison}: greater, less, greaterEqual, lessEqual and equal are exact, ties included, private or public`, async (t) => {
  const { prot } = makePond({ comparison });
  const n = 200;
  // a and b: equal on a quarter of the entries, +-1 unit apart on another quarter.
  // Magnitudes up to 2^45 so that differences stay encodable.
  const a = quantize(edgeValues(n).map((z) => z / 4));
  const b = quantize(a.map((z, i) => (i % 4 === 0 ? z : i % 4 === 1 ? z + ULP : i % 4 === 2 ? z - ULP : rng.uniform(-(2 ** 44), 2 ** 44))));
  const x = prot.definePrivateInput('inputter', () => a, { shape: [n] });
  const y = prot.definePrivateInput('inputter', () => b, { shape: [n] });
  const pub = prot.definePublicVariable(Array.from(b));
  const cases: Array<[string, (p: typeof x, q: typeof x | typeof pub) => ReturnType<typeof x.greater>, (u: number, w: number) => boolean]> = [
    ['greater', (p, q) => p.greater(q), (u, w) => u > w],
    ['less', (p, q) => p.less(q), (u, w) => u < w],
    ['greaterEqual', (p, q) => p.greaterEqual(q), (u, w) => u >= w],
    ['lessEqual', (p, q) => p.lessEqual(q), (u, w) => u <= w],
    ['equal', (p, q) => p.equal(q), (u, w) => u === w],
  ];
  const pubB = b; // plain arrays keep float64 precision
  for (const [name, op, ref] of cases) {
    t.is(maxAbsDiff(await revealValues(prot, op(x, y)), a.map((u, i) => +ref(u, b[i]))), 0, `${name} private/private`);
    t.is(maxAbsDiff(await revealValues(prot, op(x, pub)), a.map((u, i) => +ref(u, pubB[i]))), 0, `${name} private/public`);
  }
  t.is(maxAbsDiff(await revealValues(prot, prot.greater(3, x)), a.map((u) => +(3 > u))), 0, 'number first');
  t.is(maxAbsDiff(await revealValues(prot, x.equal(0)), a.map((u) => +(u === 0))), 0);
});

test(`${comparison}: maximum, minimum, clip and where are exact`, async (t) => {
  const { prot } = makePond({ comparison });
  const a = quantize(rng.floats(250, -50, 50));
  const b = quantize(rng.floats(250, -50, 50));
  b[0] = a[0];
  const x = prot.definePrivateInput('inputter', () => a);
  const y = prot.definePrivateInput('inputter', () => b);
  t.is(maxAbsDiff(await revealValues(prot, x.maximum(y)), a.map((u, i) => Math.max(u, b[i]))), 0);
  t.is(maxAbsDiff(await revealValues(prot, x.minimum(y)), a.map((u, i) => Math.min(u, b[i]))), 0);
  t.is(maxAbsDiff(await revealValues(prot, x.maximum(0.5)), a.map((u) => Math.max(u, 0.5))), 0);
  t.is(maxAbsDiff(await revealValues(prot, x.clip(-6, 6)), a.map((u) => Math.min(Math.max(u, -6), 6))), 0);
  t.is(maxAbsDiff(await revealValues(prot, x.clip(0, 6)), a.map((u) => Math.min(Math.max(u, 0), 6))), 0, 'ReLU6');
  t.throws(() => x.clip(2, 1), { message: /clip: lo \(2\) must not exceed hi \(1\)/ });
  const cond = x.greater(y);
  t.true(maxAbsDiff(await revealValues(prot, prot.where(cond, x, y)), a.map((u, i) => (u > b[i] ? u : b[i]))) <= 0);
  t.is(maxAbsDiff(await revealValues(prot, prot.where(cond, 1, -1)), a.map((u, i) => (u > b[i] ? 1 : -1))), 0);
});

test(`${comparison}: maxPool2d equals tf.maxPool exactly on random tensors with ties (valid and same, several windows)`, async (t) => {
  const { prot } = makePond({ comparison });
  const shape: [number, number, number, number] = [2, 7, 6, 3];
  const size = shape.reduce((p, d) => p * d, 1);
  // Few distinct values: many ties, and negative values everywhere so padding must not win.
  const v = Float64Array.from({ length: size }, () => rng.int(5) - 6.5);
  const x = prot.definePrivateInput('inputter', () => v, { shape });
  for (const [k, s] of [[2, 2], [3, 2], [3, 1], [2, 1]]) {
    for (const padding of ['valid', 'same'] as const) {
      const want = tf.maxPool(tf.tensor4d(Array.from(v), shape), k, s, padding);
      const got = x.maxPool2d(k, { strides: s, padding });
      t.deepEqual([...got.shape], want.shape);
      t.is(maxAbsDiff(await revealValues(prot, got), want.dataSync()), 0, `k=${k} s=${s} ${padding}`);
    }
  }
});

test(`${comparison}: argmax equals tf.argMax exactly, first index among ties, any axis and odd lengths`, async (t) => {
  const { prot } = makePond({ comparison });
  for (const [shape, axis] of [[[6, 10], -1], [[6, 10], 0], [[3, 7, 5], 1], [[1, 1], 1], [[4, 3], 1], [[2, 9], 1]] as Array<[number[], number]>) {
    const size = shape.reduce((p, d) => p * d, 1);
    const v = Float64Array.from({ length: size }, () => rng.int(4) - 1.5);
    const x = prot.definePrivateInput('inputter', () => v, { shape });
    const got = x.argmax(axis);
    const want = tf.argMax(tf.tensor(Array.from(v), shape), axis);
    t.deepEqual([...got.shape], want.shape);
    t.deepEqual(Array.from(await revealValues(prot, got)), Array.from(want.dataSync()), `shape ${shape} axis ${axis}`);
  }
});
}

// Up to RADIX4_MAX_WORDS (2,048) elements, 6 rounds: the open of x (beside the
// adder), the adder's 4 (radix-4 levels), the injection; the radix-4 levels
// deal more words (about 410 bytes per element in all): two rounds fewer for
// 70 bytes. Beyond, radix 2: 8 rounds and about 340 bytes.
test('relu cost: 6 rounds up to 2048 elements and at most 420 bytes per element, 8 rounds and 350 bytes beyond', async (t) => {
  const { prot } = makePond();
  for (const n of [64, 2048, 2049, 4096]) {
    const x = prot.definePrivateInput('inputter', () => rng.floats(n, -5, 5), { shape: [n] });
    await Promise.all(sharesOf(x).map((s) => s.value()));
    const before = prot.traffic();
    const r = x.relu();
    await Promise.all(sharesOf(r).map((s) => s.value()));
    const after = prot.traffic();
    const rounds = after.rounds - before.rounds;
    const perElement = (after.totalBytes - before.totalBytes) / n;
    t.log(`n=${n}: ${rounds} rounds, ${perElement.toFixed(1)} bytes per element`);
    t.is(rounds, n <= 2048 ? 6 : 8);
    if (n === 2048) t.true(perElement <= 420);
    if (n === 4096) t.true(perElement <= 350);
  }
});

test('fss: relu counts 3 rounds (two of them concurrent: the Beaver open and the masked sign) and deals about 2 KB per element, up to 256 elements', async (t) => {
  const { prot } = makePond({ comparison: 'fss' });
  for (const n of [1, 64, 256, 257]) {
    const x = prot.definePrivateInput('inputter', () => rng.floats(n, -5, 5), { shape: [n] });
    await Promise.all(sharesOf(x).map((s) => s.value()));
    const before = prot.traffic();
    const r = x.relu();
    await Promise.all(sharesOf(r).map((s) => s.value()));
    const after = prot.traffic();
    const perElement = (after.totalBytes - before.totalBytes) / n;
    t.log(`n=${n}: ${after.rounds - before.rounds} rounds, ${perElement.toFixed(1)} bytes per element`);
    // Beyond 256 elements the adder takes over: its 6 rounds and few hundred bytes.
    t.is(after.rounds - before.rounds, n <= 256 ? 3 : 6);
    if (n === 256) t.true(perElement > 2000 && perElement < 2200, `${perElement} bytes per element`);
    if (n === 257) t.true(perElement < 450, `${perElement} bytes per element`);
  }
});

test('fss with reluBits 32: relu is exact while |x| < 2^31 units, on even and odd sizes', async (t) => {
  const { prot } = makePond({ comparison: 'fss', reluBits: 32 });
  for (const n of [1, 7, 250]) {
    const v = quantize(Float64Array.from({ length: n }, (_, i) => (i === 0 ? -ULP : i === 1 ? ULP : rng.uniform(-30000, 30000))));
    const x = prot.definePrivateInput('inputter', () => v, { shape: [n] });
    t.is(maxAbsDiff(await revealValues(prot, x.relu()), v.map((a) => Math.max(a, 0))), 0, `n=${n}`);
  }
});

test("comparison: an unknown method is refused with the methods there are", (t) => {
  t.throws(() => makePond({ comparison: 'gc' as 'fss' }), { message: /Pond: comparison must be 'adder' or 'fss', got gc/ });
});
