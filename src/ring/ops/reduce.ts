/** Reductions over ring tensors. */
import { check } from '../../errors.js';
import { kernels } from '../kernels.js';
import { RingTensor } from '../ring-tensor.js';
import { normalizeAxis, sizeOf, type Shape } from '../shape.js';

/** Sum along one axis (kept as size 1 when `keepDims`). */
function sumAxis(t: RingTensor, axis: number, keepDims: boolean): RingTensor {
  const outer = sizeOf(t.shape.slice(0, axis));
  const len = t.shape[axis];
  const inner = sizeOf(t.shape.slice(axis + 1));
  const shape = keepDims ? t.shape.map((d, i) => (i === axis ? 1 : d)) : t.shape.filter((_, i) => i !== axis);
  const n = outer * inner;
  if (n === 0) return RingTensor.zeros(shape);
  const data = kernels().run((arena, k) => {
    const src = arena.put(t.data);
    const dst = arena.alloc(n);
    k.sum_axis(src, dst, outer, len, inner);
    return arena.take(dst, n);
  });
  return new RingTensor(shape, data);
}

/**
 * Sum mod 2^64 over `axis` (a number, a list, or all axes when omitted), as
 * tf.sum.
 */
export function sum(t: RingTensor, axis?: number | readonly number[], keepDims = false): RingTensor {
  // Highest axis first so the remaining indices stay valid when dims are dropped.
  let out = t;
  for (const a of reductionAxes(t.shape, axis, 'sum').sort((x, y) => y - x)) out = sumAxis(out, a, keepDims);
  return out;
}

/** The normalised axes of a reduction (all axes when omitted); throws on repeats. */
export function reductionAxes(shape: Shape, axis: number | readonly number[] | undefined, op: string): number[] {
  const axes = axis === undefined ? shape.map((_, i) => i) : typeof axis === 'number' ? [axis] : [...axis];
  const norm = axes.map((a) => normalizeAxis(a, shape.length, op));
  check(new Set(norm).size === norm.length, () => `${op}: axis [${axes.join(',')}] repeats a dimension`);
  return norm;
}

/** Shape of a reduction over `axis`. */
export function reducedShape(shape: Shape, axis: number | readonly number[] | undefined, keepDims: boolean, op = 'sum'): number[] {
  const axes = reductionAxes(shape, axis, op);
  return keepDims ? shape.map((d, i) => (axes.includes(i) ? 1 : d)) : shape.filter((_, i) => !axes.includes(i));
}
