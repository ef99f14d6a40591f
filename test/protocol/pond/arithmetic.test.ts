/**
 * Pond arithmetic against float64. Tolerances: linear ops are exact on the
 * encoded inputs; a truncated product is within 1 unit in the last place
 * (ULP = 2^-16) of the exact product of the encoded inputs (stochastic
 * rounding), so tests allow 2 ULP; against the original float inputs the
 * quantization of each input (half a unit) adds |x|/2 + |y|/2 units per product.
 */
import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { ShapeError } from '../../../src/errors.js';
import { TestRng } from '../../helpers/random.js';
import { avgPool64, conv2d64, makePond, matmul64, maxAbsDiff, quantize, revealValues, ULP } from '../../helpers/float.js';

tf.env().set('PROD', true);
const rng = new TestRng(20);

function broadcast64(a: Float64Array, as: number[], b: Float64Array, bs: number[], f: (x: number, y: number) => number): { shape: number[]; values: Float64Array } {
  const rank = Math.max(as.length, bs.length);
  const pa = [...new Array(rank - as.length).fill(1), ...as];
  const pb = [...new Array(rank - bs.length).fill(1), ...bs];
  const shape = pa.map((d, i) => Math.max(d, pb[i]));
  const size = shape.reduce((x, y) => x * y, 1);
  const out = new Float64Array(size);
  for (let i = 0; i < size; i++) {
    let rem = i;
    let ia = 0;
    let ib = 0;
    let sa = 1;
    let sb = 1;
    for (let d = rank - 1; d >= 0; d--) {
      const idx = rem % shape[d];
      rem = Math.floor(rem / shape[d]);
      ia += (pa[d] === 1 ? 0 : idx) * sa;
      ib += (pb[d] === 1 ? 0 : idx) * sb;
      sa *= pa[d];
      sb *= pb[d];
    }
    out[i] = f(a[ia], b[ib]);
  }
  return { shape, values: out };
}

const SHAPE_PAIRS: Array<[number[], number[]]> = [[[1], [1]], [[5], [5]], [[3, 4], [3, 4]], [[3, 4], [4]], [[2, 3], []], [[4, 1], [1, 3]]];

test('add, sub and neg are exact on encoded inputs, for private/public/number operands and broadcasting', async (t) => {
  const { prot } = makePond();
  for (const [sa, sb] of SHAPE_PAIRS) {
    const na = sa.reduce((x, y) => x * y, 1);
    const nb = sb.reduce((x, y) => x * y, 1);
    // magnitudes up to 2^45 so sums stay encodable (|x| < 2^47), plus zeros and negatives
    const a = quantize(rng.floats(na, -(2 ** 45), 2 ** 45));
    const b = quantize(rng.floats(nb, -100, 100));
    a[0] = 0;
    const xa = prot.definePrivateInput('inputter', () => a, { shape: sa });
    const xb = prot.definePrivateInput('inputter', () => b, { shape: sb });
    const pb = prot.definePublicVariable(nb === 1 && sb.length === 0 ? b[0] : tf.tensor(Array.from(b), sb, 'float32'));
    const pbv = quantize(Float64Array.from(tf.tensor(Array.from(b), sb, 'float32').dataSync()));
    const add = broadcast64(a, sa, b, sb, (x, y) => x + y);
    const sub = broadcast64(a, sa, b, sb, (x, y) => x - y);
    t.is(maxAbsDiff(await revealValues(prot, xa.add(xb)), add.values), 0, `priv+priv ${sa} ${sb}`);
    t.is(maxAbsDiff(await revealValues(prot, xa.sub(xb)), sub.values), 0, `priv-priv ${sa} ${sb}`);
    t.is(maxAbsDiff(await revealValues(prot, xb.sub(xa)), broadcast64(b, sb, a, sa, (x, y) => x - y).values), 0, `priv-priv reversed ${sa} ${sb}`);
    t.is(maxAbsDiff(await revealValues(prot, xa.add(pb)), broadcast64(a, sa, pbv, sb, (x, y) => x + y).values), 0, `priv+pub ${sa} ${sb}`);
    t.is(maxAbsDiff(await revealValues(prot, prot.sub(pb, xa)), broadcast64(pbv, sb, a, sa, (x, y) => x - y).values), 0, `pub-priv ${sa} ${sb}`);
    t.is(maxAbsDiff(await revealValues(prot, xa.neg()), a.map((x) => -x)), 0);
    t.is(maxAbsDiff(await revealValues(prot, xa.add(2.5)), a.map((x) => x + 2.5)), 0);
    t.is(maxAbsDiff(await revealValues(prot, prot.sub(1, xa)), a.map((x) => 1 - x)), 0);
  }
});

test('mul of private, public and numbers is within 2 ULP of the exact product of encoded inputs', async (t) => {
  const { prot } = makePond();
  for (const [sa, sb] of SHAPE_PAIRS) {
    const na = sa.reduce((x, y) => x * y, 1);
    const nb = sb.reduce((x, y) => x * y, 1);
    const a = quantize(rng.floats(na, -100, 100));
    const b = quantize(rng.floats(nb, -100, 100));
    a[0] = 0;
    const xa = prot.definePrivateInput('inputter', () => a, { shape: sa });
    const xb = prot.definePrivateInput('inputter', () => b, { shape: sb });
    const want = broadcast64(a, sa, b, sb, (x, y) => x * y).values;
    t.true(maxAbsDiff(await revealValues(prot, xa.mul(xb)), want) <= 2 * ULP, `priv*priv ${sa} ${sb}`);
    t.true(maxAbsDiff(await revealValues(prot, xb.mul(xa)), broadcast64(b, sb, a, sa, (x, y) => x * y).values) <= 2 * ULP);
    const pb = prot.definePublicVariable(new Float64Array(b).length === 1 && sb.length === 0 ? b[0] : Array.from(b));
    if (sb.length <= 1) t.true(maxAbsDiff(await revealValues(prot, xa.mul(pb)), want) <= 2 * ULP, `priv*pub ${sa} ${sb}`);
    t.true(maxAbsDiff(await revealValues(prot, xa.mul(3)), a.map((x) => 3 * x)) === 0, 'integer scalar is exact');
    // A real scalar is not rounded to 16 bits (scalar.ts): within 2 ULP of x * 0.2 itself, plus 2^-30 |x|.
    t.true(maxAbsDiff(await revealValues(prot, xa.mul(0.2)), a.map((x) => x * 0.2)) <= 2 * ULP + 100 * 2 ** -30, 'real scalar');
    t.true(maxAbsDiff(await revealValues(prot, xa.square()), a.map((x) => x * x)) <= 2 * ULP, 'square');
  }
});

test('products near the documented range |x*y| < 2^30 stay within 2 ULP', async (t) => {
  const { prot } = makePond();
  const a = quantize(Float64Array.of(2 ** 15 - 1, -(2 ** 15) + 3, 32000.5, -1, 0, 2 ** -16));
  const b = quantize(Float64Array.of(2 ** 14.9, 2 ** 14.9, -(2 ** 14.9), -(2 ** 14.99), 2 ** 14, -(2 ** -16)));
  const x = prot.definePrivateInput('inputter', () => a);
  const y = prot.definePrivateInput('inputter', () => b);
  const want = a.map((v, i) => v * b[i]);
  t.true(want.every((v) => Math.abs(v) < 2 ** 30));
  t.true(maxAbsDiff(await revealValues(prot, x.mul(y)), want) <= 2 * ULP);
});

test('matmul 64x128 by 128x32 in [-10, 10]: <= 5e-3 from float64 on the inputs, <= 2 ULP per product on encoded inputs', async (t) => {
  const { prot } = makePond();
  const a = rng.floats(64 * 128, -10, 10);
  const b = rng.floats(128 * 32, -10, 10);
  const x = prot.definePrivateInput('inputter', () => a, { shape: [64, 128] });
  const w = prot.definePrivateVariable(tf.tensor(Array.from(b), [128, 32], 'float32'));
  const bf = Float64Array.from(tf.tensor(Array.from(b), [128, 32], 'float32').dataSync());
  const got = await revealValues(prot, x.matmul(w));
  const errOriginal = maxAbsDiff(got, matmul64(a, bf, 64, 128, 32));
  const errEncoded = maxAbsDiff(got, matmul64(quantize(a), quantize(bf), 64, 128, 32));
  t.log(`max abs error: ${errOriginal.toExponential(2)} vs float64 on inputs, ${(errEncoded / ULP).toFixed(2)} ULP on encoded inputs`);
  t.true(errOriginal <= 5e-3);
  t.true(errEncoded <= 2 * ULP);
  // private x public and public x private give the same accuracy
  const pw = prot.definePublicVariable(tf.tensor(Array.from(b), [128, 32], 'float32'));
  t.true(maxAbsDiff(await revealValues(prot, x.matmul(pw)), matmul64(quantize(a), quantize(bf), 64, 128, 32)) <= 2 * ULP);
  const pa = prot.definePublicVariable(tf.tensor(Array.from(a), [64, 128], 'float32'));
  const af = Float64Array.from(tf.tensor(Array.from(a), [64, 128], 'float32').dataSync());
  t.true(maxAbsDiff(await revealValues(prot, prot.matmul(pa, w)), matmul64(quantize(af), quantize(bf), 64, 128, 32)) <= 2 * ULP);
});

test('matmul on other shapes: 1x1, non-square, batched with broadcast', async (t) => {
  const { prot } = makePond();
  for (const [m, k, n] of [[1, 1, 1], [3, 5, 2], [7, 1, 9], [2, 33, 5]]) {
    const a = quantize(rng.floats(m * k, -3, 3));
    const b = quantize(rng.floats(k * n, -3, 3));
    const x = prot.definePrivateInput('inputter', () => a, { shape: [m, k] });
    const y = prot.definePrivateInput('inputter', () => b, { shape: [k, n] });
    t.true(maxAbsDiff(await revealValues(prot, x.matmul(y)), matmul64(a, b, m, k, n)) <= 2 * ULP, `${m}x${k}x${n}`);
  }
  const a = quantize(rng.floats(2 * 3 * 4, -3, 3));
  const b = quantize(rng.floats(4 * 5, -3, 3));
  const x = prot.definePrivateInput('inputter', () => a, { shape: [2, 3, 4] });
  const y = prot.definePrivateInput('inputter', () => b, { shape: [4, 5] });
  const got = await revealValues(prot, x.matmul(y));
  const want = new Float64Array([...matmul64(a.subarray(0, 12), b, 3, 4, 5), ...matmul64(a.subarray(12), b, 3, 4, 5)]);
  t.true(maxAbsDiff(got, want) <= 2 * ULP);
  const e = t.throws(() => x.matmul(prot.definePrivateInput('inputter', () => b, { shape: [5, 4] })), { instanceOf: ShapeError });
  t.regex(e!.message, /matmul: inner dimensions differ: \[2,3,4\] x \[5,4\]/);
  t.throws(() => x.mul(prot.definePrivateInput('inputter', () => [1, 2], { shape: [2] })), { message: /mul: shapes \[2,3,4\] and \[2\] cannot be broadcast/ });
  t.throws(() => x.add(prot.definePrivateInput('inputter', () => [1, 2], { shape: [2] })), { message: /add: shapes \[2,3,4\] and \[2\] cannot be broadcast/ });
});

test('conv2d matches a direct float64 convolution (valid/same, strides 1 and 2)', async (t) => {
  const { prot } = makePond();
  const configs: Array<[number[], number[]]> = [[[1, 6, 6, 1], [3, 3, 1, 2]], [[2, 7, 5, 3], [2, 3, 3, 4]], [[1, 28, 28, 1], [5, 5, 1, 4]]];
  for (const [xs, fs] of configs) {
    const xv = quantize(rng.floats(xs.reduce((p, d) => p * d, 1), -2, 2));
    const fv = quantize(rng.floats(fs.reduce((p, d) => p * d, 1), -1, 1));
    const x = prot.definePrivateInput('inputter', () => xv, { shape: xs });
    const f = prot.definePrivateVariable(Array.from(fv));
    const filter = f.reshape(fs);
    for (const padding of ['valid', 'same'] as const) {
      for (const s of [1, 2]) {
        const got = await revealValues(prot, x.conv2d(filter, { strides: s, padding }));
        t.true(maxAbsDiff(got, conv2d64(xv, xs, fv, fs, s, padding)) <= 2 * ULP, `${xs} ${fs} ${padding} ${s}`);
      }
    }
  }
});

test('avgPool2d matches tfjs semantics, including same padding at the edges', async (t) => {
  const { prot } = makePond();
  const xs = [2, 5, 6, 3];
  const xv = quantize(rng.floats(2 * 5 * 6 * 3, -8, 8));
  const x = prot.definePrivateInput('inputter', () => xv, { shape: xs });
  for (const [k, s] of [[2, 2], [3, 1], [3, 2]]) {
    for (const padding of ['valid', 'same'] as const) {
      const got = await revealValues(prot, x.avgPool2d(k, { strides: s, padding }));
      const want = avgPool64(xv, xs, k, s, padding);
      // The reciprocal 1/n is encoded: error |window sum| * 2^-17 on top of the product's ULP.
      const tol = 2 * ULP + k * k * 8 * 2 ** -17;
      t.true(maxAbsDiff(got, want) <= tol, `k=${k} s=${s} ${padding}: ${maxAbsDiff(got, want)}`);
      if (k === 2) t.true(maxAbsDiff(got, want) <= 2 * ULP, '2x2 windows divide exactly by 4');
      const tfOut = tf.avgPool(tf.tensor4d(Array.from(xv), xs as [number, number, number, number], "float32"), k, s, padding).dataSync();
      t.true(maxAbsDiff(got, tfOut) <= 1e-3);
    }
  }
});

test('sum, mean, reshape and transpose', async (t) => {
  const { prot } = makePond();
  const v = quantize(rng.floats(24, -5, 5));
  const x = prot.definePrivateInput('inputter', () => v, { shape: [2, 3, 4] });
  const ref = tf.tensor(Array.from(v), [2, 3, 4], 'float32');
  const check = async (got: ReturnType<typeof x.sum>, want: tf.Tensor, tol: number, what: string): Promise<void> => {
    t.deepEqual([...got.shape], want.shape, what);
    t.true(maxAbsDiff(await revealValues(prot, got), want.dataSync()) <= tol, what);
  };
  await check(x.sum(), tf.sum(ref), 1e-4, 'sum all');
  await check(x.sum(1), tf.sum(ref, 1), 1e-5, 'sum axis 1');
  await check(x.sum([0, 2], true), tf.sum(ref, [0, 2], true), 1e-5, 'sum keepDims');
  await check(x.mean(-1), tf.mean(ref, -1), 2 * ULP + 1e-5, 'mean');
  await check(x.mean(), tf.mean(ref), 2 * ULP + 1e-5, 'mean all');
  await check(x.reshape([4, -1]), tf.reshape(ref, [4, -1]), 0, 'reshape');
  await check(x.transpose([2, 0, 1]), tf.transpose(ref, [2, 0, 1]), 0, 'transpose');
  await check(x.transpose(), tf.transpose(ref), 0, 'transpose default');
  t.throws(() => x.sum(3), { message: /sum: axis 3 is out of range for rank 3/ });
  t.throws(() => x.reshape([5, 5]), { message: /cannot reshape \[2,3,4\] \(24 elements\) into \[5,5\]/ });
});

test('polyval with public coefficients', async (t) => {
  const { prot } = makePond();
  const v = quantize(rng.floats(50, -2, 2));
  const x = prot.definePrivateInput('inputter', () => v, { shape: [5, 10] });
  for (const coeffs of [[3], [0, 1], [1, -2, 0.5], [0.5, 0.197, 0, -0.004], [1, 1, 0.5, 1 / 6, 1 / 24, 1 / 120]]) {
    const want = v.map((z) => coeffs.reduce((acc, c, k) => acc + c * z ** k, 0));
    const got = await revealValues(prot, x.polyval(coeffs));
    // each power is within a few ULP; the weighted sum adds |c_k| times that
    const tol = coeffs.reduce((acc, c, k) => acc + Math.abs(c) * k * 2 ** (k + 1) * ULP, 2 * ULP) + 1e-4;
    t.true(maxAbsDiff(got, want) <= tol, `coeffs ${coeffs}: ${maxAbsDiff(got, want)}`);
  }
});

test('a tensor multiplied several times is masked and opened once', async (t) => {
  const { prot } = makePond();
  const w = prot.definePrivateVariable(rng.floats(16 * 8, -1, 1), {});
  const W = w.reshape([16, 8]);
  const x1 = prot.definePrivateInput('inputter', () => rng.floats(4 * 16, -1, 1), { shape: [4, 16] });
  const x2 = prot.definePrivateInput('inputter', () => rng.floats(4 * 16, -1, 1), { shape: [4, 16] });
  await revealValues(prot, x1.matmul(W));
  const before = prot.traffic();
  await revealValues(prot, x2.matmul(W));
  const after = prot.traffic();
  // Second product opens only x2 (4x16 words each way, one message), not W (16x8).
  const opened = after.bytes['server0->server1'] - before.bytes['server0->server1'];
  const truncation = 4 * 8 * 8 + 32; // opening c for the 4x8 result
  t.true(opened < 4 * 16 * 8 + 64 + truncation + 16, `server0 sent ${opened} bytes`);
  t.true(opened >= 4 * 16 * 8 + truncation);
});

test('one million truncated products of values up to +-2^14 are within 2 ULP (dealer truncation)', async (t) => {
  const { prot } = makePond();
  const n = 1_000_000;
  const a = quantize(rng.floats(n, -(2 ** 14), 2 ** 14));
  const b = quantize(rng.floats(n, -(2 ** 14), 2 ** 14));
  const x = prot.definePrivateInput('inputter', () => a, { shape: [n] });
  const y = prot.definePrivateInput('inputter', () => b, { shape: [n] });
  const got = await revealValues(prot, x.mul(y));
  let worst = 0;
  let above = 0;
  for (let i = 0; i < n; i++) {
    const e = Math.abs(got[i] - a[i] * b[i]);
    worst = Math.max(worst, e);
    if (e > 2 * ULP) above++;
  }
  t.log(`worst error ${(worst / ULP).toFixed(3)} ULP over ${n} products`);
  t.is(above, 0);
});

test('local (SecureML) truncation gives the same results within 2 ULP for small values', async (t) => {
  const { prot } = makePond({ truncation: 'local' });
  const a = quantize(rng.floats(1000, -50, 50));
  const b = quantize(rng.floats(1000, -50, 50));
  const x = prot.definePrivateInput('inputter', () => a);
  const y = prot.definePrivateInput('inputter', () => b);
  t.true(maxAbsDiff(await revealValues(prot, x.mul(y)), a.map((v, i) => v * b[i])) <= 2 * ULP);
});
