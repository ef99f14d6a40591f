import test from 'ava';
import * as ring from '../../src/ring/index.js';
import { FixedPointRangeError } from '../../src/errors.js';
import { TestRng } from '../helpers/random.js';

const rng = new TestRng(4);

test('encode rounds to nearest and decode reads signed two\'s complement', (t) => {
  const values = [0, 1, -1, 0.5, -0.5, 2 ** -16, -(2 ** -16), 1.5 * 2 ** -16, 2 ** -17, 3 * 2 ** -17, 123.456, -98765.4321];
  const enc = ring.encode(values, [values.length]);
  const want = values.map((v) => BigInt.asUintN(64, BigInt(roundHalfEven(v * 2 ** 16))));
  t.deepEqual(enc.toBigInts(), want);
  const dec = ring.decode(enc);
  values.forEach((v, i) => t.true(Math.abs(dec[i] - v) <= 2 ** -17, `value ${i}`));
});

function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

test('encode/decode round trip within half a unit over the whole range, for several fracBits', (t) => {
  for (const f of [0, 8, 16, 24]) {
    const bound = ring.encodableBound(f);
    const xs = new Float64Array(2000);
    for (let i = 0; i < xs.length; i++) {
      // log-uniform magnitudes up to the range edge, both signs
      const mag = 2 ** rng.uniform(-f - 2, Math.log2(bound) - 1e-9);
      xs[i] = rng.float() < 0.5 ? -mag : mag;
    }
    xs[0] = 0;
    xs[1] = bound * (1 - 2 ** -52);
    xs[2] = -bound * (1 - 2 ** -52);
    const back = ring.decode(ring.encode(xs, [xs.length], f), f);
    const outside: number[] = [];
    for (let i = 0; i < xs.length; i++) {
      // half a unit in the last place, plus float64 rounding of the decoded word
      const tol = 2 ** (-f - 1) + Math.abs(xs[i]) * 2 ** -52;
      if (!(Math.abs(back[i] - xs[i]) <= tol)) outside.push(i);
    }
    t.deepEqual(outside, [], `fracBits ${f}`);
  }
});

test('NaN, infinities and out-of-range values are errors that name the range', (t) => {
  for (const bad of [NaN, Infinity, -Infinity, 2 ** 47, -(2 ** 47), 1e300]) {
    const e = t.throws(() => ring.encode([1, bad], [2]), { instanceOf: FixedPointRangeError });
    t.regex(e!.message, /element 1 of a tensor of shape \[2\] is (NaN|infinite|out of range)/);
    t.regex(e!.message, /\|x\| < 2\^47/);
  }
  t.notThrows(() => ring.encode([2 ** 47 - 1], [1]));
  t.throws(() => ring.encode([1], [1], 63), { message: /fracBits must be an integer in \[0, 62\]/ });
  t.throws(() => ring.checkFracBits(32), { message: /fracBits must be an integer in \[0, 31\]/ });
});
