/** Reductions over ring tensors. */
import { check } from '../../errors.js';
import { kernels } from '../kernels.js';
import { RingTensor } from '../ring-tensor.js';
import { normalizeAxis, sizeOf } from '../shape.js';

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
  const axes = axis === undefined ? t.shape.map((_, i) => i) : typeof axis === 'number' ? [axis] : [...axis];
  const norm = axes.map((a) => normalizeAxis(a, t.rank, 'sum'));
  check(new Set(norm).size === norm.length, () => `sum: axis [${axes.join(',')}] repeats a dimension`);
  // Highest axis first so the remaining indices stay valid when dims are dropped.
  let out = t;
  for (const a of [...norm].sort((x, y) => y - x)) out = sumAxis(out, a, keepDims);
  return out;
}
