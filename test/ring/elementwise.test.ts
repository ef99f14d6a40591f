import test from 'ava';
import * as ring from '../../src/ring/index.js';
import { RingTensor } from '../../src/ring/index.js';
import { TestRng } from '../helpers/random.js';
import { refBinary, sizeOf, wrap } from '../helpers/reference.js';

const rng = new TestRng(1);
const rand = (shape: number[]): RingTensor => new RingTensor(shape, rng.words(sizeOf(shape)));

const SHAPES: Array<[number[], number[]]> = [
  [[1], [1]],
  [[], []],
  [[7], [7]],
  [[3, 5], [3, 5]],
  [[2, 3, 4], [2, 3, 4]],
  [[4, 6], [6]], // trailing-dimension row
  [[4, 6], []], // scalar
  [[4, 1], [1, 5]], // both broadcast
  [[2, 1, 3], [4, 1]],
  [[3, 0], [3, 0]], // empty
];

const binaries: Array<[string, (a: RingTensor, b: RingTensor) => RingTensor, (x: bigint, y: bigint) => bigint]> = [
  ['add', ring.add, (x, y) => x + y],
  ['sub', ring.sub, (x, y) => x - y],
  ['mul', ring.mul, (x, y) => x * y],
  ['and', ring.and, (x, y) => x & y],
  ['or', ring.or, (x, y) => x | y],
  ['xor', ring.xor, (x, y) => x ^ y],
];

for (const [name, op, ref] of binaries) {
  test(`${name} equals the BigInt reference with broadcasting and wrap-around`, (t) => {
    for (const [sa, sb] of SHAPES) {
      const a = rand(sa);
      const b = rand(sb);
      const got = op(a, b);
      const want = refBinary(a, b, ref);
      t.deepEqual(got.shape, want.shape, `${name} ${JSON.stringify(sa)} ${JSON.stringify(sb)}`);
      t.deepEqual(got.toBigInts(), want.toBigInts(), `${name} ${JSON.stringify(sa)} ${JSON.stringify(sb)}`);
      // broadcasting is symmetric
      t.deepEqual(op(b, a).toBigInts(), refBinary(b, a, ref).toBigInts());
    }
  });
}

test('binary ops reject shapes that do not broadcast, naming both shapes and the op', (t) => {
  const err = t.throws(() => ring.add(rand([2, 3]), rand([4])));
  t.regex(err!.message, /add: shapes \[2,3\] and \[4\] cannot be broadcast/);
  t.is((err as { code?: string }).code, 'shape');
});

test('neg and not equal the reference', (t) => {
  for (const shape of [[1], [5], [2, 9], [0]]) {
    const a = rand(shape);
    t.deepEqual(ring.neg(a).toBigInts(), a.toBigInts().map((v) => wrap(-v)));
    t.deepEqual(ring.not(a).toBigInts(), a.toBigInts().map((v) => wrap(~v)));
  }
  const edge = RingTensor.fromBigInts([4], [0n, 1n, 1n << 63n, (1n << 64n) - 1n]);
  t.deepEqual(ring.neg(edge).toBigInts(), [0n, (1n << 64n) - 1n, 1n << 63n, 1n]);
});

test('shifts equal the reference for every amount', (t) => {
  const a = rand([33]);
  const edge = RingTensor.fromBigInts([5], [0n, 1n, 1n << 63n, (1n << 64n) - 1n, (1n << 63n) - 1n]);
  for (const x of [a, edge]) {
    for (const bits of [0, 1, 7, 16, 31, 32, 33, 62, 63]) {
      t.deepEqual(ring.shr(x, bits).toBigInts(), x.toSignedBigInts().map((v) => wrap(v >> BigInt(bits))), `shr ${bits}`);
      t.deepEqual(ring.shrLogical(x, bits).toBigInts(), x.toBigInts().map((v) => v >> BigInt(bits)), `shrLogical ${bits}`);
      t.deepEqual(ring.shl(x, bits).toBigInts(), x.toBigInts().map((v) => wrap(v << BigInt(bits))), `shl ${bits}`);
    }
  }
  t.throws(() => ring.shr(a, 64), { message: /shift amount must be an integer in \[0, 64\)/ });
  t.throws(() => ring.shl(a, -1), { message: /shift amount/ });
});

test('packBits keeps bit 0 of each word and unpackBits restores it', (t) => {
  for (const n of [1, 63, 64, 65, 200, 0]) {
    const a = rand([n]);
    const packed = ring.packBits(a);
    t.is(packed.size, Math.ceil(n / 64));
    const bits = a.toBigInts().map((v) => v & 1n);
    t.deepEqual(ring.unpackBits(packed, [n]).toBigInts(), bits, `n=${n}`);
    for (let w = 0; w < packed.size; w++) {
      let want = 0n;
      for (let j = 0; j < 64 && w * 64 + j < n; j++) want |= bits[w * 64 + j] << BigInt(j);
      t.is(packed.data[w], want);
    }
  }
  t.throws(() => ring.unpackBits(rand([2]), [200]), { message: /2 packed words cannot hold 200 bits/ });
});

test('packBitRows packs bit max(0, first + k) of each word row by row, as BigInts pack them', (t) => {
  for (const [n, first, count] of [[1, 0, 1], [65, 12, 23], [7, -3, 5], [64, 40, 24], [130, 63, 1], [3, -63, 2]]) {
    const a = rand([n]);
    const packed = ring.packBitRows(a, first, count);
    t.is(packed.size, Math.ceil((n * count) / 64));
    const want = new Array<bigint>(packed.size).fill(0n);
    const vals = a.toBigInts();
    for (let k = 0; k < count; k++) {
      for (let i = 0; i < n; i++) {
        const bit = (vals[i] >> BigInt(Math.max(0, first + k))) & 1n;
        const idx = k * n + i;
        want[idx >> 6] |= bit << BigInt(idx & 63);
      }
    }
    t.deepEqual(Array.from(packed.data), want, `n=${n} first=${first} count=${count}`);
  }
  t.deepEqual(Array.from(ring.packBitRows(rand([0]), 5, 3).data), []);
  t.throws(() => ring.packBitRows(rand([2]), 60, 5), { message: /bits 60\.\.64 must end within 0\.\.63/ });
});

test('injectDot equals sum_k w_k (first c_k + (1 - 2 c_k) r_k) computed with BigInts, for both servers', (t) => {
  const M = (1n << 64n) - 1n;
  const cases: [number, number[]][] = [[1, [5]], [23, [3, 7]], [4, [64]], [3, [1]]];
  for (const [count, shape] of cases) {
    const n = sizeOf(shape);
    const c = ring.packBitRows(rand([count * n]), 0, 1);
    const r = rand([count, ...shape]);
    const w = rand([count]);
    const cb = ring.unpackBits(c, [count * n]).toBigInts();
    const rv = r.toBigInts();
    const wv = w.toBigInts();
    for (const first of [true, false]) {
      const want = Array.from({ length: n }, (_, i) => {
        let acc = 0n;
        for (let k = 0; k < count; k++) {
          const ck = cb[k * n + i];
          const term = ck === 1n ? (first ? 1n : 0n) - rv[k * n + i] : rv[k * n + i];
          acc = (acc + wv[k] * term) & M;
        }
        return acc;
      });
      const got = ring.injectDot(c, r, w, first);
      t.deepEqual(got.shape, shape);
      t.deepEqual(got.toBigInts(), want, `count ${count} shape ${shape} first ${first}`);
    }
  }
  t.throws(() => ring.injectDot(rand([1]), rand([2, 3]), rand([3]), true), { message: /r needs 3 rows/ });
  t.throws(() => ring.injectDot(rand([2]), rand([2, 3]), rand([2]), true), { message: /2 packed words cannot hold 2 x 3 bits/ });
});

test('xorOfProducts equals the XOR of its terms\' ANDs of shifted words, computed with BigInts', (t) => {
  const M = (1n << 64n) - 1n;
  for (const n of [1, 2, 5, 64]) {
    const xs = [0, 1, 2, 3].map(() => rand([2, n]));
    // Terms of 1 to 4 factors, a tensor used twice in one term and shifts up to 63.
    const terms: ring.ShiftedFactor[][] = [
      [[xs[0], 0]],
      [[xs[1], 3], [xs[2], 0]],
      [[xs[0], 63], [xs[1], 1], [xs[3], 16]],
      [[xs[0], 2], [xs[1], 4], [xs[2], 6], [xs[3], 8]],
      [[xs[2], 5], [xs[2], 9]],
    ];
    const want = Array.from({ length: 2 * n }, (_, i) =>
      terms.reduce((acc, term) => acc ^ term.reduce((p, [x, s]) => p & ((x.data[i] << BigInt(s)) & M), M), 0n),
    );
    const got = ring.xorOfProducts(terms);
    t.deepEqual([...got.shape], [2, n]);
    t.deepEqual(Array.from(got.data), want);
  }
  t.throws(() => ring.xorOfProducts([[[rand([2]), 0]], [[rand([3]), 0]]]), { message: /all factors need shape \[2\]/ });
  t.throws(() => ring.xorOfProducts([[[rand([2]), 64]]]), { message: /a shift is an integer in \[0, 64\)/ });
  t.throws(() => ring.xorOfProducts([[]]), { message: /a term has 1 to 4 factors, got 0/ });
  t.throws(() => ring.xorOfProducts([]), { message: /no terms/ });
});

test('fused andShifted and selectMulAdd equal their unfused formulas', (t) => {
  for (const n of [1, 2, 7, 64]) {
    const [c, d, b, a, e, g] = [0, 1, 2, 3, 4, 5].map(() => rand([n]));
    for (const shift of [0, 1, 17, 32, 63]) {
      const f = (u: RingTensor, v: RingTensor): RingTensor => ring.and(u, ring.shl(v, shift));
      const base = ring.xor(c, ring.xor(f(d, b), f(a, e)));
      t.deepEqual(ring.andShifted(c, d, b, a, e, shift, false).toBigInts(), base.toBigInts());
      t.deepEqual(ring.andShifted(c, d, b, a, e, shift, true).toBigInts(), ring.xor(base, f(d, e)).toBigInts());
      t.deepEqual(ring.andShifted(c, d, b, a, e, shift, true, g).toBigInts(), ring.xor(ring.xor(base, f(d, e)), g).toBigInts());
    }
    const bit = ring.and(rand([n]), RingTensor.fill([], 1n));
    const [x, alpha, r, ar] = [0, 1, 2, 3].map(() => rand([n]));
    const tt = ring.add(ring.mul(alpha, r), ar);
    const want = ring.add(ring.mul(bit, x), ring.mul(ring.sub(RingTensor.fill([], 1n), ring.mul(RingTensor.fill([], 2n), bit)), tt));
    t.deepEqual(ring.selectMulAdd(bit, x, alpha, r, ar).toBigInts(), want.toBigInts());
  }
  t.throws(() => ring.andShifted(rand([2]), rand([3]), rand([2]), rand([2]), rand([2]), 1, false), { message: /all operands need shape \[2\]/ });
});

test("truncateOpened equals the truncation's unshift formula computed with BigInts, for both servers, with and without an accumulator", (t) => {
  const M = (1n << 64n) - 1n;
  const LOW63 = (1n << 63n) - 1n;
  for (const shape of [[1], [3, 5], [2, 64], [0]]) {
    for (const bits of [1, 13, 16, 20, 40, 62]) {
      for (const party of [0, 1] as const) {
        const [mine, theirs, rHigh, acc] = [0, 1, 2, 3].map(() => rand(shape));
        // rTop is a share of a bit: any word; some c with the top bit set and some without.
        const rTop = rand(shape);
        const want = (withAcc: boolean): bigint[] =>
          Array.from(mine.data, (m, k) => {
            const c = (m + theirs.data[k]) & M;
            const cTop = c >> 63n;
            let w = (rTop.data[k] * (1n - 2n * cTop)) & M;
            if (party === 0) w = (w + cTop) & M;
            let out = (((w << BigInt(63 - bits)) & M) - rHigh.data[k]) & M;
            if (party === 0) out = (out + ((c & LOW63) >> BigInt(bits)) - (1n << BigInt(62 - bits))) & M;
            return withAcc ? (out + acc.data[k]) & M : out;
          });
        t.deepEqual(Array.from(ring.truncateOpened(mine, theirs, rTop, rHigh, bits, party).data), want(false), `${shape} bits ${bits} server ${party}`);
        t.deepEqual(Array.from(ring.truncateOpened(mine, theirs, rTop, rHigh, bits, party, acc).data), want(true), `${shape} bits ${bits} server ${party}, accumulated`);
      }
    }
  }
  t.throws(() => ring.truncateOpened(rand([2]), rand([3]), rand([2]), rand([2]), 16, 0), { message: /all operands need shape \[2\]/ });
  t.throws(() => ring.truncateOpened(rand([2]), rand([2]), rand([2]), rand([2]), 63, 1), { message: /bits must be an integer in \[1, 62\], got 63/ });
});

test('small results kept across many kernel calls stay correct and independent (they share slabs), large ones own their memory', (t) => {
  // 600 results of 1 to 256 words fill many 32 KiB slabs; every one must still hold its own sum.
  const kept: Array<{ got: RingTensor; a: RingTensor; b: RingTensor }> = [];
  for (let i = 0; i < 600; i++) {
    const n = 1 + ((i * 37) % 256);
    const a = rand([n]);
    const b = rand([n]);
    kept.push({ got: ring.add(a, b), a, b });
  }
  for (const { got, a, b } of kept) {
    t.deepEqual(got.toBigInts(), a.toBigInts().map((x, j) => wrap(x + b.data[j])));
    // A view of exactly its words: nothing before or after it is part of the tensor.
    t.is(got.data.byteLength, 8 * got.size);
  }
  // Writing into one result (ops never do; this checks the views do not overlap) changes no other.
  const [first, second] = [kept[0].got, kept[1].got];
  const before = second.toBigInts();
  first.data.fill(0n);
  t.deepEqual(second.toBigInts(), before);
  const big = ring.add(rand([1000]), rand([1000]));
  t.is(big.data.byteOffset, 0);
  t.is(big.data.buffer.byteLength, 8000, 'a result above the slab size has a buffer of its own');
});
