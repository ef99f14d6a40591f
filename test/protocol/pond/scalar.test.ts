/**
 * Products by public numbers (scalar.ts) against float64. The bound under
 * test: x * c is within 2 units (2^-16) + |x| 2^-(f+K+1) of the exact product
 * of the encoded x and the exact c, K the bits of c's second part; the old
 * single encoding of c erred by |x| 2^-17.
 */
import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { splitScalar } from '../../../src/protocol/pond/scalar.js';
import { TestRng } from '../../helpers/random.js';
import { makePond, maxAbsDiff, quantize, revealValues, ULP } from '../../helpers/float.js';

tf.env().set('PROD', true);
const rng = new TestRng(71);
const F = 16;

/** c as n / 2^s exactly. */
function rational(c: number): { n: bigint; s: number } {
  let m = c;
  let s = 0;
  while (!Number.isInteger(m)) {
    m *= 2;
    s += 1;
  }
  return { n: BigInt(m), s };
}

/** Scalars of every kind: tiny, huge, negative, 1/3, 1/n, random. */
function scalars(): number[] {
  const out = [1 / 3, -1 / 3, 2 / 3, 0.1, 0.2, -0.7, 1e-3, 1e-6, 1e-9, 3.75e-5, 1000.3, -12345.678, 2 ** 13 + 0.1, Math.PI, Math.E, 0.5, 1.5, -0.25];
  for (let n = 2; n <= 12; n++) out.push(1 / n);
  for (let i = 0; i < 40; i++) out.push((rng.float() < 0.5 ? -1 : 1) * 2 ** rng.uniform(-12, 14));
  return out;
}

test('splitScalar: c = hi 2^-f + lo 2^-(f+K) within 2^-(f+K+1), exactly, with |lo| <= max(|hi|, 1)', (t) => {
  for (const c of scalars()) {
    const { hi, lo, loBits } = splitScalar(c, F, 30);
    const { n, s } = rational(c);
    // Compare n / 2^s with (hi 2^K + lo) / 2^(f+K) at the common scale 2^(s + f + K + 1).
    const scale = s + F + loBits + 1;
    const exact = n << BigInt(scale - s);
    const approx = ((hi << BigInt(loBits)) + lo) << BigInt(scale - (F + loBits));
    const err = exact > approx ? exact - approx : approx - exact;
    t.true(err <= 1n << BigInt(scale - (F + loBits + 1)), `c = ${c}: split error above 2^-(f+K+1)`);
    t.true((lo < 0n ? -lo : lo) <= (hi === 0n ? 1n : hi < 0n ? -hi : hi), `c = ${c}: |lo| above max(|hi|, 1)`);
    t.true(loBits <= 30);
  }
  t.deepEqual(splitScalar(0.5, F, 30), { hi: 32768n, lo: 0n, loBits: 0 });
  const third = splitScalar(1 / 3, F, 30);
  t.is(third.hi, 21845n);
  t.true(third.loBits >= 15, `1/3 gets ${third.loBits} more bits`);
});

test('x * c for many public scalars is within 2 units + |x| 2^-(f+K+1) of float64, over the product range', async (t) => {
  const { prot } = makePond();
  let worstOld = 0;
  let worstNew = 0;
  for (const c of scalars()) {
    const { loBits } = splitScalar(c, F, 30);
    // |x c| up to 2^29, and |x| at most 2^40 (tiny c): the whole product range.
    const xmax = Math.min(2 ** 29 / Math.abs(c), 2 ** 40);
    const x = quantize(Float64Array.from(rng.floats(16, -xmax, xmax)));
    x[0] = quantize(Float64Array.of(xmax * 0.999))[0];
    x[1] = quantize(Float64Array.of(-xmax * 0.999))[0];
    x[2] = 0;
    x[3] = quantize(Float64Array.of(rng.uniform(-3000, 3000)))[0];
    const got = await revealValues(prot, prot.definePrivateInput('inputter', () => x, { shape: [16] }).mul(c));
    for (let i = 0; i < x.length; i++) {
      const err = Math.abs(got[i] - x[i] * c);
      const bound = 2 * ULP + Math.abs(x[i]) * 2 ** -(F + loBits + 1) + Math.abs(x[i] * c) * 2 ** -52;
      t.true(err <= bound, `c = ${c}, x[${i}]: error ${err} above ${bound}`);
      if (Math.abs(x[i]) <= 3000 && Math.abs(c) >= 0.01) {
        worstNew = Math.max(worstNew, err);
        worstOld = Math.max(worstOld, Math.abs(x[i]) * Math.abs(c - quantize(Float64Array.of(c))[0]));
      }
    }
  }
  // Values up to 3,000 and scalars of at least 0.01 (smaller ones have fewer
  // bits to spare: |lo| <= |hi|): what the single 16-bit encoding lost, and what is left.
  t.true(worstNew < 1e-4, `worst error ${worstNew} for |x| <= 3000`);
  t.true(worstOld > 1e-3, 'the old encoding was visibly worse on these scalars');
});

test('x / n for public integers n, and div by a real, are within the same bound; div by zero is a ValueError', async (t) => {
  const { prot } = makePond();
  const x = quantize(Float64Array.from(rng.floats(64, -30000, 30000)));
  const px = prot.definePrivateInput('inputter', () => x, { shape: [64] });
  for (const n of [3, 7, 10, 1000, -6, 65537, 0.3]) {
    const { loBits } = splitScalar(1 / n, F, 30);
    const got = await revealValues(prot, px.div(n));
    for (let i = 0; i < x.length; i++) {
      const bound = 2 * ULP + Math.abs(x[i]) * 2 ** -(F + loBits + 1) + Math.abs(x[i] / n) * 2 ** -51;
      t.true(Math.abs(got[i] - x[i] / n) <= bound, `x / ${n}`);
    }
  }
  t.throws(() => px.div(0), { message: /div: division by zero/ });
});

test('the federated average of three vectors in [-1000, 1000] is within 1e-3 of float64, by mul(1/n) and div(n)', async (t) => {
  const { prot } = makePond();
  const vs = [0, 1, 2].map(() => rng.floats(200, -1000, 1000));
  vs[0][0] = 1000;
  vs[1][0] = 999.99;
  vs[2][0] = 999.98;
  const want = vs[0].map((_, i) => (vs[0][i] + vs[1][i] + vs[2][i]) / 3);
  const xs = vs.map((v) => prot.definePrivateInput('inputter', () => v, { shape: [200] }));
  const sum = xs[0].add(xs[1]).add(xs[2]);
  t.true(maxAbsDiff(await revealValues(prot, sum.mul(1 / 3)), want) < 1e-3);
  t.true(maxAbsDiff(await revealValues(prot, sum.div(3)), want) < 1e-3);
  t.true(maxAbsDiff(await revealValues(prot, prot.concat([xs[0].reshape([1, 200]), xs[1].reshape([1, 200]), xs[2].reshape([1, 200])]).mean(0)), want) < 1e-3);
});

test('a product by a real scalar takes one round, as before; by a dyadic one, one term of bytes', async (t) => {
  const { prot } = makePond();
  const x = prot.definePrivateInput('inputter', () => rng.floats(100, -10, 10), { shape: [100] });
  await revealValues(prot, x);
  const measure = async (c: number): Promise<{ rounds: number; bytes: number }> => {
    const before = prot.traffic();
    await prot.flush();
    await revealValues(prot, x.mul(c).sum());
    const after = prot.traffic();
    return { rounds: after.rounds - before.rounds, bytes: after.totalBytes - before.totalBytes };
  };
  const third = await measure(1 / 3);
  const half = await measure(0.5);
  // One truncation round and the reveal's.
  t.is(third.rounds, 2);
  t.is(half.rounds, 2);
  t.true(third.bytes > half.bytes && third.bytes < 2.2 * half.bytes);
});
