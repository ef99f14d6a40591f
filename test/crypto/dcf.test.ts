/**
 * Distributed comparison functions: for random secret alphas and public xs,
 * including x = alpha, alpha +- 1 and the ends of the range, the two
 * servers' output bits XOR to [x < alpha] on the low `bits` bits; either
 * server's bits alone are balanced; bad sizes are refused.
 */
import test from 'ava';
import { dcfEval, dcfGen, packedWords } from '../../src/crypto/dcf.js';
import { TestRng } from '../helpers/random.js';

const mask = (bits: number): bigint => (bits === 64 ? (1n << 64n) - 1n : (1n << BigInt(bits)) - 1n);

/** Cases per alpha: random xs, the alpha itself and its neighbours, 0 and the largest value. */
function cases(rng: TestRng, bits: number, n: number): { alpha: BigUint64Array; x: BigUint64Array } {
  const m = mask(bits);
  const alpha = new BigUint64Array(n);
  const x = new BigUint64Array(n);
  for (let j = 0; j < n; j++) {
    // Garbage above `bits` in both: only the low bits may count.
    const a = rng.u64();
    alpha[j] = a;
    const kind = j % 6;
    const low = a & m;
    const near = kind === 0 ? low : kind === 1 ? (low + 1n) & m : kind === 2 ? (low - 1n) & m : kind === 3 ? 0n : kind === 4 ? m : rng.u64() & m;
    x[j] = (rng.u64() & ~m & mask(64)) | near;
  }
  return { alpha, x };
}

for (const bits of [1, 2, 7, 31, 32, 63, 64]) {
  test(`dcf: shares of [x < alpha] on the low ${bits} bits`, (t) => {
    const rng = new TestRng(1000 + bits);
    const n = 300;
    const { alpha, x } = cases(rng, bits, n);
    const s0 = rng.words(2 * n);
    const s1 = rng.words(2 * n);
    const keys = dcfGen(bits, alpha, s0, s1);
    t.is(keys.cw.length, 2 * bits * n);
    t.is(keys.vcw.length, (bits + 1) * packedWords(n));
    const y0 = dcfEval(0, bits, s0, keys, x);
    const y1 = dcfEval(1, bits, s1, keys, x);
    const m = mask(bits);
    let wrong = 0;
    for (let j = 0; j < n; j++) {
      const want = (x[j] & m) < (alpha[j] & m) ? 1 : 0;
      if ((y0[j] ^ y1[j]) !== want) wrong += 1;
      t.true(y0[j] === 0 || y0[j] === 1);
    }
    t.is(wrong, 0);
  });
}

test('dcf: one server alone sees balanced bits, whatever the comparison', (t) => {
  const rng = new TestRng(7);
  const n = 4096;
  // Every x below its alpha: the outputs XOR to 1, yet each share alone is a fair coin.
  const alpha = new BigUint64Array(n).fill(1n << 40n);
  const x = new BigUint64Array(n).fill(5n);
  const s0 = rng.words(2 * n);
  const s1 = rng.words(2 * n);
  const keys = dcfGen(48, alpha, s0, s1);
  const y0 = dcfEval(0, 48, s0, keys, x);
  const y1 = dcfEval(1, 48, s1, keys, x);
  const ones = y0.reduce((a, b) => a + b, 0);
  t.true(Math.abs(ones - n / 2) < 4 * Math.sqrt(n / 4), `server 0 bits: ${ones} ones of ${n}`);
  t.true(y0.every((b, j) => (b ^ y1[j]) === 1));
});

test('dcf: wrong sizes are refused with what was expected', (t) => {
  const rng = new TestRng(3);
  const alpha = rng.words(5);
  const s0 = rng.words(10);
  const keys = dcfGen(16, alpha, s0, rng.words(10));
  t.throws(() => dcfGen(16, alpha, rng.words(9), s0), { message: /expected 10 seed words for 5 comparisons, got 9/ });
  t.throws(() => dcfGen(0, alpha, s0, s0), { message: /bits must be an integer in \[1, 64\], got 0/ });
  t.throws(() => dcfEval(0, 17, s0, keys, alpha), { message: /expected 170 seed-correction words, got 160/ });
  t.throws(() => dcfEval(0, 16, s0, { cw: keys.cw, vcw: keys.vcw.subarray(1) }, alpha), { message: /expected 17 output-correction words, got 16/ });
  const none = new BigUint64Array(0);
  t.is(dcfEval(1, 16, none, dcfGen(16, none, none, none), none).length, 0);
});
