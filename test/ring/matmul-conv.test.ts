import test from 'ava';
import * as ring from '../../src/ring/index.js';
import { RingTensor } from '../../src/ring/index.js';
import { TestRng } from '../helpers/random.js';
import { refConv2d, refMatmul2d, sizeOf, wrap } from '../helpers/reference.js';

const rng = new TestRng(3);
const rand = (shape: number[]): RingTensor => new RingTensor(shape, rng.words(sizeOf(shape)));

test('matmul equals the BigInt reference on square, non-square, 1-element and odd shapes', (t) => {
  const cases: Array<[number, number, number]> = [
    [1, 1, 1], [1, 5, 1], [2, 3, 4], [3, 1, 7], [5, 7, 3], [8, 8, 8], [9, 13, 6], [17, 33, 9], [31, 64, 5], [64, 128, 32], [4, 0, 3],
  ];
  for (const [m, k, n] of cases) {
    const a = rand([m, k]);
    const b = rand([k, n]);
    const got = ring.matmul(a, b);
    t.deepEqual(got.shape, [m, n]);
    t.deepEqual(got.toBigInts(), refMatmul2d(a.data, b.data, m, k, n), `${m}x${k} @ ${k}x${n}`);
  }
});

test('a right-hand matrix used again (kept packed in wasm memory from its second use) gives the same products as a fresh one', (t) => {
  // Weights as a served model uses them: the same arrays every query, interleaved with others.
  const shapes: Array<[number, number]> = [[13, 9], [7, 4], [20, 5]];
  const weights = shapes.map(([k, n]) => rand([k, n]));
  for (let query = 0; query < 4; query++) {
    for (const [i, w] of weights.entries()) {
      const [k, n] = shapes[i];
      for (const m of [1, 3]) {
        const x = rand([m, k]);
        t.deepEqual(ring.matmul(x, w).toBigInts(), refMatmul2d(x.data, w.data, m, k, n), `query ${query}, ${m}x${k} @ ${k}x${n}`);
      }
      // A fresh matrix of the same shape and an equal copy are not mistaken for the pinned one.
      const other = rand([k, n]);
      const x = rand([2, k]);
      t.deepEqual(ring.matmul(x, other).toBigInts(), refMatmul2d(x.data, other.data, 2, k, n));
      const copy = new RingTensor([k, n], w.data.slice());
      t.deepEqual(ring.matmul(x, copy).toBigInts(), refMatmul2d(x.data, w.data, 2, k, n));
    }
  }
  // Results of other kernels between uses do not disturb a pinned matrix.
  const w = weights[0];
  const big = rand([300, 300]);
  ring.add(big, big);
  const x = rand([2, 13]);
  t.deepEqual(ring.matmul(x, w).toBigInts(), refMatmul2d(x.data, w.data, 2, 13, 9));
});

test('past 64 MiB of pinned matrices every pin is dropped and made again: products stay right', (t) => {
  // Five matrices of 16 MiB: pinning them in turn overflows the 64 MiB region, which drops the pins made before.
  const [k, n] = [1024, 2048];
  const big = (): RingTensor => {
    const data = new BigUint64Array(k * n);
    const halves = new Uint32Array(data.buffer);
    for (let i = 0; i < halves.length; i++) halves[i] = (Math.random() * 2 ** 32) >>> 0;
    return new RingTensor([k, n], data);
  };
  const ws = Array.from({ length: 5 }, big);
  const x = rand([1, k]);
  // An equal copy, used once, goes the unpinned way: the reference for each product.
  const want = ws.map((w) => ring.matmul(x, new RingTensor([k, n], w.data.slice())).toBigInts());
  for (let round = 0; round < 3; round++) {
    for (const [i, w] of ws.entries()) t.deepEqual(ring.matmul(x, w).toBigInts(), want[i], `round ${round}, matrix ${i}`);
  }
  // Spot check the reference itself against BigInts on a few columns.
  for (const col of [0, 1, n - 1]) {
    let s = 0n;
    for (let j = 0; j < k; j++) s += x.data[j] * ws[0].data[j * n + col];
    t.is(want[0][col], wrap(s));
  }
});

test('matmul at Strassen-Winograd sizes equals the reference (Freivalds check and sampled entries)', (t) => {
  t.true(ring.STRASSEN_MIN <= 512);
  for (const [m, k, n] of [[512, 512, 512], [400, 512, 388], [768, 384, 390], [384, 386, 770], [513, 512, 512]] as const) {
    const a = rand([m, k]);
    const b = rand([k, n]);
    const c = ring.matmul(a, b);
    // Freivalds: A (B r) == C r for random r, in Z_(2^64).
    for (let trial = 0; trial < 2; trial++) {
      const r = rng.words(n);
      const br = Array.from({ length: k }, (_, i) => { let s = 0n; for (let j = 0; j < n; j++) s += b.data[i * n + j] * r[j]; return wrap(s); });
      for (let i = 0; i < m; i++) {
        let lhs = 0n;
        let rhs = 0n;
        for (let j = 0; j < k; j++) lhs += a.data[i * k + j] * br[j];
        for (let j = 0; j < n; j++) rhs += c.data[i * n + j] * r[j];
        if (wrap(lhs) !== wrap(rhs)) {
          t.fail(`${m}x${k}x${n}: row ${i} fails Freivalds`);
          return;
        }
      }
    }
    // Entries in each quadrant, exactly.
    for (const [i, j] of [[0, 0], [0, n - 1], [m - 1, 0], [m - 1, n - 1], [m >> 1, n >> 1], [(m >> 1) - 1, (n >> 1) - 1]]) {
      let s = 0n;
      for (let x = 0; x < k; x++) s += a.data[i * k + x] * b.data[x * n + j];
      t.is(c.data[i * n + j], wrap(s), `${m}x${k}x${n} at (${i},${j})`);
    }
  }
});

test('matmul: transposed operands and batches (broadcast batch dims)', (t) => {
  const a = rand([3, 4]);
  const b = rand([5, 4]);
  t.deepEqual(ring.matmul(a, b, false, true).toBigInts(), ring.matmul(a, ring.transpose(b)).toBigInts());
  t.deepEqual(ring.matmul(ring.transpose(a), b, true, true).toBigInts(), ring.matmul(a, ring.transpose(b)).toBigInts());

  const x = rand([2, 3, 4, 5]);
  const w = rand([5, 6]);
  const y = ring.matmul(x, w);
  t.deepEqual(y.shape, [2, 3, 4, 6]);
  for (let i = 0; i < 6; i++) {
    const xi = new RingTensor([4, 5], x.data.subarray(i * 20, (i + 1) * 20));
    t.deepEqual(ring.slice(ring.reshape(y, [6, 4, 6]), [i, 0, 0], [1, -1, -1]).toBigInts(), refMatmul2d(xi.data, w.data, 4, 5, 6));
  }
  const u = rand([3, 2, 4]);
  const v = rand([1, 4, 3]);
  const uv = ring.matmul(u, v);
  t.deepEqual(uv.shape, [3, 2, 3]);
  for (let i = 0; i < 3; i++) {
    t.deepEqual(
      Array.from(uv.data.subarray(i * 6, (i + 1) * 6)),
      refMatmul2d(u.data.subarray(i * 8, (i + 1) * 8), v.data, 2, 4, 3),
    );
  }
  const e = t.throws(() => ring.matmul(rand([2, 3]), rand([4, 2])));
  t.regex(e!.message, /matmul: inner dimensions differ: \[2,3\] x \[4,2\]/);
  t.throws(() => ring.matmul(rand([3]), rand([3, 2])), { message: /rank >= 2/ });
});

test('conv2d (im2col) equals a direct convolution for valid/same padding and strides 1 and 2', (t) => {
  const inputs: Array<[number[], number[]]> = [
    [[1, 5, 5, 1], [3, 3, 1, 1]],
    [[2, 7, 6, 3], [3, 2, 3, 4]],
    [[1, 8, 8, 2], [5, 5, 2, 3]],
    [[3, 4, 4, 1], [1, 1, 1, 2]],
    [[1, 1, 1, 1], [1, 1, 1, 1]],
  ];
  for (const [xs, ws] of inputs) {
    for (const padding of ['valid', 'same'] as const) {
      for (const s of [1, 2]) {
        if (padding === 'valid' && (ws[0] > xs[1] || ws[1] > xs[2])) continue;
        const x = rand(xs);
        const w = rand(ws);
        const got = ring.conv2d(x, w, { strides: s, padding });
        const want = refConv2d(x, w, [s, s], padding);
        t.deepEqual(got.shape, want.shape, `${JSON.stringify(xs)} ${JSON.stringify(ws)} ${padding} ${s}`);
        t.deepEqual(got.toBigInts(), want.toBigInts(), `${JSON.stringify(xs)} ${JSON.stringify(ws)} ${padding} ${s}`);
      }
    }
  }
  const x = rand([1, 6, 5, 2]);
  const w = rand([3, 2, 2, 2]);
  t.deepEqual(ring.conv2d(x, w, { strides: [2, 1], padding: 'same' }).toBigInts(), refConv2d(x, w, [2, 1], 'same').toBigInts());
  t.throws(() => ring.conv2d(rand([1, 4, 4, 2]), rand([3, 3, 3, 1])), { message: /disagree on input channels/ });
  t.throws(() => ring.conv2d(rand([1, 2, 2, 1]), rand([3, 3, 1, 1])), { message: /larger than the input/ });
});

test('sumPool2d sums each window and windowCounts counts the pixels under it', (t) => {
  const x = rand([2, 5, 5, 3]);
  for (const padding of ['valid', 'same'] as const) {
    const g = ring.windowGeometry(x.shape, [2, 2], [2, 2], padding, 'pool');
    // A pool is a depthwise conv with a ones filter: check channel by channel.
    const pooled = ring.sumPool2d(x, g);
    for (let c = 0; c < 3; c++) {
      const xc = ring.slice(x, [0, 0, 0, c], [-1, -1, -1, 1]);
      const ones = RingTensor.fill([2, 2, 1, 1], 1n);
      const want = refConv2d(xc, ones, [2, 2], padding);
      t.deepEqual(ring.slice(pooled, [0, 0, 0, c], [-1, -1, -1, 1]).toBigInts(), want.toBigInts());
    }
    const counts = ring.windowCounts(g);
    t.is(counts[0], 4);
    t.is(counts[counts.length - 1], padding === 'same' ? 1 : 4);
  }
});

test('depthwiseConv2d equals a per-channel direct convolution', (t) => {
  for (const [xs, fs, padding, s] of [
    [[2, 6, 5, 3], [3, 3, 3, 2], 'same', 1],
    [[1, 7, 7, 2], [2, 2, 2, 1], 'valid', 2],
    [[1, 4, 4, 1], [3, 3, 1, 3], 'same', 2],
  ] as Array<[number[], number[], 'valid' | 'same', number]>) {
    const x = rand(xs);
    const w = rand(fs);
    const got = ring.depthwiseConv2d(x, w, { strides: s, padding });
    const [, , c, m] = fs;
    for (let ch = 0; ch < c; ch++) {
      const xc = ring.slice(x, [0, 0, 0, ch], [-1, -1, -1, 1]);
      for (let k = 0; k < m; k++) {
        const wk = ring.slice(w, [0, 0, ch, k], [-1, -1, 1, 1]);
        const want = refConv2d(xc, wk, [s, s], padding);
        t.deepEqual(ring.slice(got, [0, 0, 0, ch * m + k], [-1, -1, -1, 1]).toBigInts(), want.toBigInts(), `${xs} ${fs} c=${ch} m=${k}`);
      }
    }
  }
});
