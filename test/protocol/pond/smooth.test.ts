/**
 * Smooth functions: each one's max error over its documented range, against
 * float64 evaluated on the encoded input (the input's own quantization is not
 * the function's error). The bounds here are the ones stated in the TSDoc.
 */
import test from 'ava';
import { ValueError } from '../../../src/errors.js';
import type { Pond, PrivateTensor, Tensor } from '../../../src/protocol/index.js';
import { makePond, quantize, revealValues, ULP } from '../../helpers/float.js';

const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

function grid(lo: number, hi: number, n: number, log = false): Float64Array {
  return Float64Array.from({ length: n }, (_, i) =>
    log ? Math.exp(Math.log(lo) + ((Math.log(hi) - Math.log(lo)) * i) / (n - 1)) : lo + ((hi - lo) * i) / (n - 1),
  );
}

/** Max of |got - ref(x)| / (rel * |ref(x)| + abs) over the grid: <= 1 means within the bound. */
async function worstRatio(
  run: (x: PrivateTensor) => Tensor,
  prot: Pond,
  values: Float64Array,
  ref: (z: number) => number,
  bound: { abs: number; rel?: number },
): Promise<{ ratio: number; at: number; err: number }> {
  const v = quantize(values);
  const x = prot.definePrivateInput('inputter', () => v, { shape: [v.length] });
  const got = await revealValues(prot, run(x));
  let worst = { ratio: 0, at: 0, err: 0 };
  v.forEach((z, i) => {
    const r = ref(z);
    const err = Math.abs(got[i] - r);
    const ratio = err / ((bound.rel ?? 0) * Math.abs(r) + bound.abs);
    if (ratio > worst.ratio) worst = { ratio, at: z, err };
  });
  return worst;
}

test('sigmoid (accurate, the default) is within 1e-4 over the whole fixed-point range', async (t) => {
  const { prot } = makePond();
  const values = Float64Array.from([...grid(-20, 20, 8001), 1e6, -1e6, 2 ** 46, -(2 ** 46), 0, ULP, -ULP]);
  const w = await worstRatio((x) => prot.sigmoid(x), prot, values, sigmoid, { abs: 1e-4 });
  t.log(`max error ${w.err.toExponential(2)} at x = ${w.at}`);
  t.true(w.ratio <= 1);
});

test('sigmoid (polynomial) is within 4e-3 over the whole range; it clamps outside [-6, 6]', async (t) => {
  const { prot } = makePond();
  const values = Float64Array.from([...grid(-20, 20, 4001), 1e6, -1e6, 2 ** 46]);
  const w = await worstRatio((x) => prot.sigmoid(x, { method: 'polynomial' }), prot, values, sigmoid, { abs: 4e-3 });
  t.log(`max error ${w.err.toExponential(2)} at x = ${w.at}`);
  t.true(w.ratio <= 1);
});

test('tanh is within 2e-4 (accurate) and 8e-3 (polynomial)', async (t) => {
  const { prot } = makePond();
  const values = Float64Array.from([...grid(-12, 12, 4001), 1e5, -1e5]);
  const acc = await worstRatio((x) => prot.tanh(x), prot, values, Math.tanh, { abs: 2e-4 });
  const fast = await worstRatio((x) => prot.tanh(x, { method: 'polynomial' }), prot, values, Math.tanh, { abs: 8e-3 });
  t.log(`accurate ${acc.err.toExponential(2)}, polynomial ${fast.err.toExponential(2)}`);
  t.true(acc.ratio <= 1 && fast.ratio <= 1);
});

test('reluApprox is within 0.26 on [-4, 4]', async (t) => {
  const { prot } = makePond();
  const w = await worstRatio((x) => prot.reluApprox(x), prot, grid(-4, 4, 2001), (z) => Math.max(z, 0), { abs: 0.26 });
  t.log(`max error ${w.err.toExponential(2)} at x = ${w.at}`);
  t.true(w.ratio <= 1);
});

test('exp is within 1e-5 relative + 2 ULP on [-20, 10], and clamps outside', async (t) => {
  const { prot } = makePond();
  const w = await worstRatio((x) => prot.exp(x), prot, grid(-20, 10, 6001), Math.exp, { abs: 2 * ULP, rel: 1e-5 });
  t.log(`max error ${w.err.toExponential(2)} at x = ${w.at}`);
  t.true(w.ratio <= 1);
  const clamped = await revealValues(prot, prot.exp(prot.definePrivateInput('inputter', () => [-1000, -25, 12, 1000])));
  t.true(Math.abs(clamped[0]) <= 2 * ULP && Math.abs(clamped[1]) <= 2 * ULP);
  t.true(Math.abs(clamped[2] - Math.exp(10)) <= 1e-5 * Math.exp(10) && Math.abs(clamped[3] - Math.exp(10)) <= 1e-5 * Math.exp(10));
  t.throws(() => prot.exp(prot.definePrivateInput('inputter', () => [1]), { upper: 30 }), { message: /clamp interval \[-20, 30\] must lie in \[-64, 20\]/ });
});

test('reciprocal is within 2 ULP + 2^-20 relative on 2^-8 <= |x| < 2^15, both signs', async (t) => {
  const { prot } = makePond();
  const pos = grid(2 ** -8, 2 ** 15 * 0.999, 3001, true);
  const values = Float64Array.from([...pos, ...pos.filter((_, i) => i % 3 === 0).map((z) => -z), 1, -1, 2, 0.5]);
  const w = await worstRatio((x) => prot.reciprocal(x), prot, values, (z) => 1 / z, { abs: 2 * ULP, rel: 2 ** -20 });
  t.log(`max error ${w.err.toExponential(2)} at x = ${w.at}`);
  t.true(w.ratio <= 1);
});

test('reciprocal, invSqrt and log at 6 fractional bits, where the powers 2^-8 and 2^-7 fall below bit 0 and read [x >= 1 unit], are within 2 ULP', async (t) => {
  const { prot } = makePond({ fracBits: 6 });
  const ulp6 = 2 ** -6;
  // Multiples of 2^-6 (encoded exactly at 6 bits): 2^-6 up to 2^15.
  const values = Float64Array.from(new Set(Array.from(grid(ulp6, 2 ** 15 * 0.999, 801, true), (z) => Math.max(1, Math.round(z / ulp6)) * ulp6)));
  const rec = await worstRatio((x) => prot.reciprocal(x), prot, values, (z) => 1 / z, { abs: 2 * ulp6, rel: 2 ** -20 });
  const inv = await worstRatio((x) => prot.invSqrt(x), prot, values, (z) => 1 / Math.sqrt(z), { abs: 2 * ulp6, rel: 2 ** -20 });
  const log = await worstRatio((x) => prot.log(x), prot, values, Math.log, { abs: 2 * ulp6 });
  t.log(`reciprocal ${rec.err.toExponential(2)} at ${rec.at}; invSqrt ${inv.err.toExponential(2)} at ${inv.at}; log ${log.err.toExponential(2)} at ${log.at}`);
  t.true(rec.ratio <= 1 && inv.ratio <= 1 && log.ratio <= 1);
});

test('invSqrt and log are within 2 ULP on 2^-8 <= x < 2^15', async (t) => {
  const { prot } = makePond();
  const values = grid(2 ** -8, 2 ** 15 * 0.999, 3001, true);
  const inv = await worstRatio((x) => prot.invSqrt(x), prot, values, (z) => 1 / Math.sqrt(z), { abs: 2 * ULP, rel: 2 ** -20 });
  const log = await worstRatio((x) => prot.log(x), prot, Float64Array.from([...values, 1, 2, 0.5]), Math.log, { abs: 2 * ULP });
  t.log(`invSqrt ${inv.err.toExponential(2)} at ${inv.at}; log ${log.err.toExponential(2)} at ${log.at}`);
  t.true(inv.ratio <= 1 && log.ratio <= 1);
});

test('softmax along the last axis is within 5e-5 of float64, including large spreads and ties', async (t) => {
  const { prot } = makePond();
  const rows = 64;
  for (const k of [1, 2, 10, 17]) {
    const v = quantize(Float64Array.from({ length: rows * k }, (_, i) => ((i * 7919) % 4001) / 50 - 40));
    if (k > 1) v[1] = v[0]; // a tie
    const x = prot.definePrivateInput('inputter', () => v, { shape: [rows, k] });
    const got = await revealValues(prot, prot.softmax(x));
    let worst = 0;
    for (let r = 0; r < rows; r++) {
      const row = Array.from(v.subarray(r * k, (r + 1) * k));
      const m = Math.max(...row);
      const e = row.map((z) => Math.exp(z - m));
      const s = e.reduce((a, b) => a + b, 0);
      e.forEach((z, j) => (worst = Math.max(worst, Math.abs(got[r * k + j] - z / s))));
    }
    t.log(`k=${k}: max error ${worst.toExponential(2)}`);
    t.true(worst <= 5e-5, `k=${k}`);
  }
  const x3 = prot.definePrivateInput('inputter', () => [[[1, 2], [3, 3]]]);
  const s3 = await revealValues(prot, prot.softmax(x3));
  t.true(Math.abs(s3[2] - 0.5) <= 5e-5 && Math.abs(s3[0] - 1 / (1 + Math.E)) <= 5e-5);
});

test('out-of-domain public inputs are errors that name the domain', (t) => {
  const { prot } = makePond();
  t.throws(() => prot.reciprocal(prot.definePublicVariable([1, 0])), { instanceOf: ValueError, message: /reciprocal: the public input has values outside the domain; expected x != 0/ });
  t.throws(() => prot.log(prot.definePublicVariable([-1])), { message: /log: the public input has values outside the domain; expected x > 0/ });
  t.throws(() => prot.invSqrt(prot.definePublicVariable([0])), { message: /invSqrt: the public input has values outside the domain; expected x > 0/ });
  const ok = prot.log(prot.definePublicVariable([Math.E]));
  t.is(ok.kind, 'public');
});
