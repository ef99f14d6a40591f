/**
 * Selections by exact comparison: max pooling and argmax, as tournaments.
 * Each level compares pairs in one adder run (6 or 8 rounds, adder.ts) whatever the size:
 * 2x2 pooling takes two levels, argmax over k entries ceil(log2 k).
 */
import { check } from '../../errors.js';
import * as ring from '../../ring/index.js';
import { pair, RingTensor, windowGeometry, type Padding } from '../../ring/index.js';
import { injectBits, notBits } from '../binary/bit-injection.js';
import { maskAll } from './beaver.js';
import { mapShares, onServers, unmasked, zipShares, type PondContext } from './context.js';
import { reluMany, signBits } from './compare.js';
import * as linear from './linear.js';
import { PondPrivateTensor, type PondSecretTensor } from './tensors.js';

/** Options of max pooling (tf.maxPool). */
export interface MaxPoolOptions {
  strides?: number | readonly [number, number];
  padding?: Padding;
}

/**
 * Magnitude given to padded window positions so they never win: below any
 * encodable value, and every difference stays inside the ring's signed range.
 */
const PAD_VALUE = -(2n ** 61n);

/** Max over axis 1 of a private [m, k, c] tensor, by pairwise relu tournaments. */
export function maxOverAxis1(ctx: PondContext, x: PondPrivateTensor): PondPrivateTensor {
  let cur = x;
  // A gradient tape gets each level's selection bits ('keep0', 'keep1', ...): [left >= right], left winning ties.
  for (let level = 0; cur.shape[1] > 1; level++) {
    const [m, k, c] = cur.shape;
    const half = Math.floor(k / 2);
    const pairs = (start: number): PondPrivateTensor =>
      mapShares(ctx, cur, [m, half, c], cur.fracBits, (s) =>
        ring.gather(s, Array.from({ length: half }, (_, j) => 2 * j + start), 1),
      );
    const left = pairs(0);
    const right = pairs(1);
    // max(l, r) = r + relu(l - r)
    const { outputs: [diff], keep: [bit] } = reluMany(ctx, [linear.sub(ctx, left, right)]);
    ctx.saved?.set(`keep${level}`, bit);
    let next = linear.add(ctx, right, diff);
    if (k % 2 === 1) {
      const last = mapShares(ctx, cur, [m, 1, c], cur.fracBits, (s) => ring.slice(s, [0, k - 1, 0], [m, 1, c]));
      next = zipShares(ctx, [next, last], [m, half + 1, c], cur.fracBits, (parts) => ring.concat(parts, 1));
    }
    cur = next;
  }
  return cur;
}

/**
 * tf.maxPool over NHWC input ('valid' or 'same' padding; padded positions
 * never win, as in tfjs). Exact: the result is one of the inputs, ties included.
 */
export function maxPool2d(ctx: PondContext, x: PondSecretTensor, poolSize: number | readonly [number, number], options: MaxPoolOptions = {}): PondPrivateTensor {
  const kernel = pair(poolSize, 'poolSize', 'maxPool2d');
  const g = windowGeometry(x.shape, kernel, pair(options.strides ?? kernel, 'strides', 'maxPool2d'), options.padding ?? 'valid', 'maxPool2d');
  const p = unmasked(x);
  const rows = g.batch * g.outHeight * g.outWidth;
  const window = g.kernelHeight * g.kernelWidth;
  let patches = mapShares(ctx, p, [rows, window, g.channels], p.fracBits, (s) => ring.im2col(s, g).withShape([rows, window, g.channels]));
  if (g.padTop > 0 || g.padLeft > 0 || (g.outHeight - 1) * g.strideHeight + g.kernelHeight > g.inHeight || (g.outWidth - 1) * g.strideWidth + g.kernelWidth > g.inWidth) {
    // Server 0 adds PAD_VALUE where a window covers padding (a public pattern).
    const ones = RingTensor.fill([g.batch, g.inHeight, g.inWidth, g.channels], 1n);
    const inside = ring.im2col(ones, g).withShape([rows, window, g.channels]);
    const padding = ring.mul(ring.sub(RingTensor.fill([], 1n), inside), RingTensor.fill([], PAD_VALUE));
    patches = mapShares(ctx, patches, patches.shape, patches.fracBits, (s, i) => (i === 0 ? ring.add(s, padding) : s));
  }
  const max = maxOverAxis1(ctx, patches);
  return mapShares(ctx, max, [g.batch, g.outHeight, g.outWidth, g.channels], max.fracBits, (s) => s.withShape([g.batch, g.outHeight, g.outWidth, g.channels]));
}

/** Max over `axis` (all when omitted): the reduced axes moved together, then a tournament. */
export function reduceMax(ctx: PondContext, x: PondSecretTensor, axis?: number | number[], keepDims = false): PondPrivateTensor {
  const p = unmasked(x);
  const axes = ring.reductionAxes(p.shape, axis, 'max');
  const outShape = ring.reducedShape(p.shape, axis, keepDims, 'max');
  const kept = [...p.shape.keys()].filter((i) => !axes.includes(i));
  const len = axes.reduce((acc, a) => acc * p.shape[a], 1);
  check(len > 0, () => `max: cannot take the maximum over an empty axis of [${p.shape.join(',')}]`);
  const m = p.size / len;
  // [kept..., reduced...] -> [m, len, 1]
  const rows = mapShares(ctx, p, [m, len, 1], p.fracBits, (s) => ring.transpose(s, [...kept, ...axes]).withShape([m, len, 1]));
  const max = maxOverAxis1(ctx, rows);
  return mapShares(ctx, max, outShape, max.fracBits, (s) => s.withShape(outShape));
}

/**
 * Index of the largest entry along `axis` (tf.argMax: the first one among
 * equal maxima), as a private integer tensor. A tournament carries (value,
 * index) pairs; each level's comparison bit selects both in one bit injection.
 */
export function argmax(ctx: PondContext, x: PondSecretTensor, axis = -1): PondPrivateTensor {
  const p = unmasked(x);
  const ax = ring.normalizeAxis(axis, p.rank, 'argmax');
  check(p.shape[ax] > 0, () => `argmax: axis ${ax} of shape [${p.shape.join(',')}] is empty`);
  const outShape = p.shape.filter((_, i) => i !== ax);
  // Move the axis last and flatten the rest: [m, k].
  const perm = [...p.shape.keys()].filter((i) => i !== ax).concat(ax);
  const k = p.shape[ax];
  const m = p.size / k;
  let values = mapShares(ctx, p, [m, k], p.fracBits, (s) => ring.transpose(s, perm).withShape([m, k]));
  // Indices start public; server 0 holds them as a trivial sharing.
  let indices = new PondPrivateTensor(ctx.prot, [m, k], onServers(ctx, (i) =>
    i === 0 ? ring.broadcastTo(RingTensor.fromBigInts([1, k], Array.from({ length: k }, (_, j) => BigInt(j))), [m, k]) : RingTensor.zeros([m, k])), 0);

  while (values.shape[1] > 1) {
    const kk = values.shape[1];
    const half = Math.floor(kk / 2);
    const take = (t: PondPrivateTensor, start: number): PondPrivateTensor =>
      mapShares(ctx, t, [m, half], t.fracBits, (s) => ring.gather(s, Array.from({ length: half }, (_, j) => 2 * j + start), 1));
    const [lv, rv, li, ri] = [take(values, 0), take(values, 1), take(indices, 0), take(indices, 1)];
    const dv = linear.sub(ctx, lv, rv);
    const di = linear.sub(ctx, li, ri);
    // Left wins ties (it has the lower index): keep left when l - r >= 0.
    const [mdv, mdi] = maskAll(ctx, [dv, di]);
    const keepLeft = notBits(ctx, signBits(ctx, { shape: dv.shape, shares: dv.shares }));
    const { products } = injectBits(ctx, keepLeft, [mdv, mdi]);
    let nv = linear.add(ctx, rv, new PondPrivateTensor(ctx.prot, [m, half], products[0], dv.fracBits));
    let ni = linear.add(ctx, ri, new PondPrivateTensor(ctx.prot, [m, half], products[1], 0));
    if (kk % 2 === 1) {
      const lastOf = (t: PondPrivateTensor): PondPrivateTensor => mapShares(ctx, t, [m, 1], t.fracBits, (s) => ring.slice(s, [0, kk - 1], [m, 1]));
      nv = zipShares(ctx, [nv, lastOf(values)], [m, half + 1], nv.fracBits, (parts) => ring.concat(parts, 1));
      ni = zipShares(ctx, [ni, lastOf(indices)], [m, half + 1], 0, (parts) => ring.concat(parts, 1));
    }
    values = nv;
    indices = ni;
  }
  return mapShares(ctx, indices, outShape, 0, (s) => s.withShape(outShape));
}
