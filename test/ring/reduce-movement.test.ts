import test from 'ava';
import * as ring from '../../src/ring/index.js';
import { RingTensor } from '../../src/ring/index.js';
import { TestRng } from '../helpers/random.js';
import { ravel, sizeOf, unravel, wrap } from '../helpers/reference.js';

const rng = new TestRng(2);
const rand = (shape: number[]): RingTensor => new RingTensor(shape, rng.words(sizeOf(shape)));

function refSum(a: RingTensor, axis: number, keepDims: boolean): bigint[] {
  const outShape = a.shape.map((d, i) => (i === axis ? 1 : d));
  const out = new Array<bigint>(sizeOf(outShape)).fill(0n);
  for (let i = 0; i < a.size; i++) {
    const idx = unravel(i, a.shape);
    idx[axis] = 0;
    out[ravel(idx, outShape)] = wrap(out[ravel(idx, outShape)] + a.data[i]);
  }
  void keepDims;
  return out;
}

test('sum along each axis equals the reference', (t) => {
  for (const shape of [[1], [9], [3, 4], [2, 3, 5], [4, 1, 3], [2, 0, 3]]) {
    const a = rand(shape);
    for (let axis = 0; axis < shape.length; axis++) {
      const got = ring.sum(a, axis);
      t.deepEqual(got.shape, shape.filter((_, i) => i !== axis));
      t.deepEqual(got.toBigInts(), refSum(a, axis, false), `shape ${JSON.stringify(shape)} axis ${axis}`);
      t.deepEqual(ring.sum(a, axis, true).shape, shape.map((d, i) => (i === axis ? 1 : d)));
    }
    const total = a.toBigInts().reduce((x, y) => wrap(x + y), 0n);
    t.deepEqual(ring.sum(a).toBigInts(), [total]);
    t.deepEqual(ring.sum(a, -1).toBigInts(), refSum(a, shape.length - 1, false));
  }
  t.throws(() => ring.sum(rand([2, 3]), 2), { message: /sum: axis 2 is out of range for rank 2/ });
});

test('transpose equals the reference for every permutation of rank 3', (t) => {
  const a = rand([2, 3, 4]);
  const perms = [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]];
  for (const p of perms) {
    const got = ring.transpose(a, p);
    const shape = p.map((d) => a.shape[d]);
    t.deepEqual(got.shape, shape);
    for (let i = 0; i < got.size; i++) {
      const idx = unravel(i, shape);
      const src = new Array<number>(3);
      p.forEach((d, j) => (src[d] = idx[j]));
      t.is(got.data[i], a.data[ravel(src, a.shape)]);
    }
  }
  t.deepEqual(ring.transpose(rand([1])).shape, [1]);
  const m = rand([3, 5]);
  t.deepEqual(ring.transpose(ring.transpose(m)).toBigInts(), m.toBigInts());
  t.throws(() => ring.transpose(a, [0, 0, 1]), { message: /not a permutation/ });
});

test('slice, concat, pad, tile, gather and broadcastTo equal the reference', (t) => {
  const a = rand([4, 5, 3]);
  const s = ring.slice(a, [1, 2, 0], [2, -1, 2]);
  t.deepEqual(s.shape, [2, 3, 2]);
  for (let i = 0; i < s.size; i++) {
    const [x, y, z] = unravel(i, s.shape);
    t.is(s.data[i], a.data[ravel([x + 1, y + 2, z], a.shape)]);
  }
  t.throws(() => ring.slice(a, [3, 0, 0], [2, 1, 1]), { message: /do not fit in shape \[4,5,3\]/ });

  const b = rand([4, 2, 3]);
  const c = ring.concat([a, b], 1);
  t.deepEqual(c.shape, [4, 7, 3]);
  for (let i = 0; i < c.size; i++) {
    const [x, y, z] = unravel(i, c.shape);
    t.is(c.data[i], y < 5 ? a.data[ravel([x, y, z], a.shape)] : b.data[ravel([x, y - 5, z], b.shape)]);
  }
  t.throws(() => ring.concat([a, rand([3, 2, 3])], 1), { message: /differ outside axis 1/ });

  const p = ring.pad(rand([2, 3]), [[1, 0], [2, 1]]);
  t.deepEqual(p.shape, [3, 6]);
  const src = ring.slice(p, [1, 2], [2, 3]);
  t.is(ring.sum(p).data[0], ring.sum(src).data[0]);
  t.is(p.data[0], 0n);

  const small = rand([2, 3]);
  const tl = ring.tile(small, [2, 3]);
  t.deepEqual(tl.shape, [4, 9]);
  for (let i = 0; i < tl.size; i++) {
    const [x, y] = unravel(i, tl.shape);
    t.is(tl.data[i], small.data[ravel([x % 2, y % 3], small.shape)]);
  }

  const g = ring.gather(a, [3, 0, 3], 0);
  t.deepEqual(g.shape, [3, 5, 3]);
  t.deepEqual(ring.slice(g, [1, 0, 0], [1, -1, -1]).toBigInts(), ring.slice(a, [0, 0, 0], [1, -1, -1]).toBigInts());
  const g2 = ring.gather(a, [2], 2);
  t.deepEqual(g2.toBigInts(), ring.slice(a, [0, 0, 2], [-1, -1, 1]).toBigInts());
  t.throws(() => ring.gather(a, [4], 0), { message: /index 4 is out of range \[0, 4\)/ });

  const row = rand([3]);
  const bc = ring.broadcastTo(row, [2, 3]);
  t.deepEqual(bc.toBigInts(), [...row.toBigInts(), ...row.toBigInts()]);
  t.throws(() => ring.broadcastTo(rand([2]), [2, 3]), { message: /cannot be broadcast/ });

  t.deepEqual(ring.reshape(a, [-1, 3]).shape, [20, 3]);
  t.throws(() => ring.reshape(a, [7, -1]), { message: /cannot reshape \[4,5,3\] \(60 elements\) into \[7,-1\]/ });
});
