/**
 * Data movement on ring tensors: reshape, broadcast, transpose, slice, concat,
 * pad, tile, gather. All but reshape are one strided copy in wasm memory.
 */
import { check, checkShape } from '../../errors.js';
import { kernels } from '../kernels.js';
import { RingTensor } from '../ring-tensor.js';
import { broadcastShapes, fmt, normalizeAxis, resolveReshape, shapesEqual, sizeOf, stridesOf, type Shape } from '../shape.js';
import { broadcastStrides, copyStrided } from './strided.js';

/** Reads `t` through a strided view into a new contiguous tensor of `dims`. */
function view(t: RingTensor, dims: Shape, strides: readonly number[], offset: number): RingTensor {
  const n = sizeOf(dims);
  if (n === 0) return RingTensor.zeros(dims);
  const data = kernels().run((arena, k) => {
    const src = arena.put(t.data);
    const dst = arena.alloc(n);
    copyStrided(arena, k, src, offset, strides, dst, 0, stridesOf(dims), dims);
    return arena.take(dst, n);
  });
  return new RingTensor(dims, data);
}

/** Same words in a new shape; one dimension may be -1. */
export function reshape(t: RingTensor, shape: Shape): RingTensor {
  return t.withShape(resolveReshape(t.shape, shape));
}

/** Inserts a dimension of size 1 at `axis`. */
export function expandDims(t: RingTensor, axis = 0): RingTensor {
  const ax = normalizeAxis(axis, t.rank + 1, 'expandDims');
  const shape = [...t.shape];
  shape.splice(ax, 0, 1);
  return t.withShape(shape);
}

/** Repeats `t` along dimensions of size 1 (and new leading ones) to `shape`. */
export function broadcastTo(t: RingTensor, shape: Shape): RingTensor {
  const out = broadcastShapes(t.shape, shape, 'broadcastTo');
  checkShape(shapesEqual(out, shape), () => `broadcastTo: shape ${fmt(t.shape)} cannot be broadcast to ${fmt(shape)}`);
  if (shapesEqual(t.shape, shape)) return t;
  return view(t, shape, broadcastStrides(t.shape, shape), 0);
}

/** Permutes dimensions; without `perm`, reverses them (as tf.transpose). */
export function transpose(t: RingTensor, perm?: readonly number[]): RingTensor {
  const p = checkPermutation(t.shape, perm);
  const strides = stridesOf(t.shape);
  return view(t, p.map((d) => t.shape[d]), p.map((d) => strides[d]), 0);
}

/** The permutation of a transpose (reversal by default), validated. */
export function checkPermutation(shape: Shape, perm?: readonly number[]): number[] {
  const rank = shape.length;
  const p = perm ? [...perm] : Array.from({ length: rank }, (_, i) => rank - 1 - i);
  checkShape(
    p.length === rank && [...p].sort((a, b) => a - b).every((v, i) => v === i),
    () => `transpose: perm [${p.join(',')}] is not a permutation of the ${rank} dimensions of ${fmt(shape)}`,
  );
  return p;
}

/** Shape of transpose(x, perm). */
export function transposeShape(shape: Shape, perm?: readonly number[]): number[] {
  return checkPermutation(shape, perm).map((d) => shape[d]);
}

/**
 * Slice of `size` elements from `begin` (tf.slice semantics: a size of -1
 * takes everything to the end of that dimension).
 */
export function slice(t: RingTensor, begin: readonly number[], size?: readonly number[]): RingTensor {
  const sz = sliceShape(t.shape, begin, size);
  const strides = stridesOf(t.shape);
  const offset = begin.reduce((acc, b, i) => acc + b * strides[i], 0);
  return view(t, sz, strides, offset);
}

/** Shape of slice(t, begin, size); throws when the slice does not fit. */
export function sliceShape(shape: Shape, begin: readonly number[], size?: readonly number[]): number[] {
  checkShape(begin.length === shape.length, () => `slice: begin [${begin.join(',')}] must have one entry per dimension of ${fmt(shape)}`);
  const sz = begin.map((b, i) => {
    const s = size?.[i] ?? -1;
    return s === -1 ? shape[i] - b : s;
  });
  for (let i = 0; i < shape.length; i++) {
    checkShape(
      Number.isInteger(begin[i]) && Number.isInteger(sz[i]) && begin[i] >= 0 && sz[i] >= 0 && begin[i] + sz[i] <= shape[i],
      () => `slice: begin [${begin.join(',')}] and size [${sz.join(',')}] do not fit in shape ${fmt(shape)}`,
    );
  }
  return sz;
}

/** Joins tensors along `axis`; all other dimensions must agree. */
export function concat(tensors: readonly RingTensor[], axis = 0): RingTensor {
  const shape = concatShape(tensors.map((t) => t.shape), axis);
  const ax = normalizeAxis(axis, shape.length, 'concat');
  const n = sizeOf(shape);
  if (n === 0) return RingTensor.zeros(shape);
  const outStrides = stridesOf(shape);
  const data = kernels().run((arena, k) => {
    const dst = arena.alloc(n);
    let at = 0;
    for (const t of tensors) {
      if (t.size > 0) {
        const src = arena.put(t.data);
        copyStrided(arena, k, src, 0, stridesOf(t.shape), dst, at * outStrides[ax], outStrides, t.shape);
      }
      at += t.shape[ax];
    }
    return arena.take(dst, n);
  });
  return new RingTensor(shape, data);
}

/** Shape of concat along `axis`; throws when the other dimensions differ. */
export function concatShape(shapes: readonly Shape[], axis = 0): number[] {
  check(shapes.length > 0, () => 'concat: needs at least one tensor');
  const first = shapes[0];
  const ax = normalizeAxis(axis, first.length, 'concat');
  for (const s of shapes) {
    checkShape(
      s.length === first.length && s.every((d, i) => i === ax || d === first[i]),
      () => `concat: shapes ${shapes.map((x) => fmt(x)).join(', ')} differ outside axis ${ax}`,
    );
  }
  const shape = [...first];
  shape[ax] = shapes.reduce((acc, s) => acc + s[ax], 0);
  return shape;
}

/** Zero padding: `paddings[i] = [before, after]` for dimension i. */
export function pad(t: RingTensor, paddings: ReadonlyArray<readonly [number, number]>): RingTensor {
  const shape = padShape(t.shape, paddings);
  const n = sizeOf(shape);
  const outStrides = stridesOf(shape);
  const data = kernels().run((arena, k) => {
    const dst = arena.allocZeroed(n);
    if (t.size > 0) {
      const src = arena.put(t.data);
      const offset = paddings.reduce((acc, [b], i) => acc + b * outStrides[i], 0);
      copyStrided(arena, k, src, 0, stridesOf(t.shape), dst, offset, outStrides, t.shape);
    }
    return arena.take(dst, n);
  });
  return new RingTensor(shape, data);
}

/** Shape after zero padding; throws on malformed paddings. */
export function padShape(shape: Shape, paddings: ReadonlyArray<readonly [number, number]>): number[] {
  checkShape(paddings.length === shape.length, () => `pad: paddings need one [before, after] pair per dimension of ${fmt(shape)}, got ${paddings.length}`);
  for (const p of paddings) {
    check(Array.isArray(p) && p.length === 2 && p.every((v) => Number.isInteger(v) && v >= 0), () => `pad: each padding must be [before, after] with non-negative integers, got ${JSON.stringify(p)}`);
  }
  return shape.map((d, i) => d + paddings[i][0] + paddings[i][1]);
}

/** Repeats the whole tensor `reps[i]` times along dimension i (tf.tile). */
export function tile(t: RingTensor, reps: readonly number[]): RingTensor {
  checkShape(reps.length === t.rank, () => `tile: reps [${reps.join(',')}] need one entry per dimension of ${fmt(t.shape)}`);
  check(reps.every((r) => Number.isInteger(r) && r >= 0), () => `tile: reps must be non-negative integers, got [${reps.join(',')}]`);
  // out[r0, j0, r1, j1, ...] = t[j0, j1, ...]: a view with stride 0 on each rep axis.
  const strides = stridesOf(t.shape);
  const dims: number[] = [];
  const viewStrides: number[] = [];
  t.shape.forEach((d, i) => {
    dims.push(reps[i], d);
    viewStrides.push(0, strides[i]);
  });
  return view(t, dims, viewStrides, 0).withShape(t.shape.map((d, i) => d * reps[i]));
}

/** Takes the entries `indices` along `axis` (tf.gather). */
export function gather(t: RingTensor, indices: readonly number[], axis = 0): RingTensor {
  const ax = normalizeAxis(axis, t.rank, 'gather');
  const len = t.shape[ax];
  for (const i of indices) {
    check(Number.isInteger(i) && i >= 0 && i < len, () => `gather: index ${i} is out of range [0, ${len}) along axis ${ax} of ${fmt(t.shape)}`);
  }
  const shape = [...t.shape];
  shape[ax] = indices.length;
  const n = sizeOf(shape);
  if (n === 0) return RingTensor.zeros(shape);
  const srcStrides = stridesOf(t.shape);
  const outStrides = stridesOf(shape);
  const piece = [...t.shape];
  piece[ax] = 1;
  const data = kernels().run((arena, k) => {
    const src = arena.put(t.data);
    const dst = arena.alloc(n);
    indices.forEach((idx, j) => {
      copyStrided(arena, k, src, idx * srcStrides[ax], srcStrides, dst, j * outStrides[ax], outStrides, piece);
    });
    return arena.take(dst, n);
  });
  return new RingTensor(shape, data);
}
