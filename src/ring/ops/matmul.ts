/**
 * Matrix product mod 2^64 (tf.matMul semantics: rank >= 2, batch dimensions
 * broadcast), on the limb-split SIMD kernel of kernels.wat.
 */
import { checkShape } from '../../errors.js';
import { kernels, type Arena, type KernelExports } from '../kernels.js';
import { RingTensor } from '../ring-tensor.js';
import { broadcastShapes, fmt, sizeOf, type Shape } from '../shape.js';
import { transpose } from './movement.js';
import { copyStrided } from './strided.js';

/**
 * C = A B for A at `pa` (m x k, leading dimension lda) and B at `pb` (k x n,
 * ldb), all in wasm memory. Returns a pointer to C, contiguous m x n.
 */
export function matmulInArena(arena: Arena, k: KernelExports, pa: number, lda: number, pb: number, ldb: number, m: number, kk: number, n: number): number {
  const panels = Math.ceil(n / 4);
  const ldc = panels * 4;
  const packed = arena.alloc(panels * kk * 4);
  k.pack_b(pb, ldb, kk, n, packed);
  const c = arena.alloc(m * ldc);
  k.matmul(pa, lda, packed, c, ldc, m, kk, n);
  if (ldc === n) return c;
  // The kernel writes whole panels; drop the padding columns.
  const out = arena.alloc(m * n);
  copyStrided(arena, k, c, 0, [ldc, 1], out, 0, [n, 1], [m, n]);
  return out;
}

function matmul2d(a: BigUint64Array, b: BigUint64Array, m: number, kk: number, n: number): BigUint64Array {
  return kernels().run((arena, k) => {
    const pa = arena.put(a);
    const pb = arena.put(b);
    return arena.take(matmulInArena(arena, k, pa, kk, pb, n, m, kk, n), m * n);
  });
}

/**
 * Matrix product of the last two dimensions; leading (batch) dimensions
 * broadcast as in tf.matMul. `transposeA`/`transposeB` transpose the last two
 * dimensions of the operand first.
 */
export function matmul(a: RingTensor, b: RingTensor, transposeA = false, transposeB = false): RingTensor {
  checkShape(a.rank >= 2 && b.rank >= 2, () => `matmul: both operands need rank >= 2, got ${fmt(a.shape)} and ${fmt(b.shape)}`);
  const x = transposeA ? transpose(a, swapLast(a.rank)) : a;
  const y = transposeB ? transpose(b, swapLast(b.rank)) : b;
  const shape = matmulShape(x.shape, y.shape);
  const [m, kk] = x.shape.slice(-2);
  const n = y.shape[y.rank - 1];
  const batchA = x.shape.slice(0, -2);
  const batchB = y.shape.slice(0, -2);
  const batch = shape.slice(0, -2);
  if (sizeOf(shape) === 0) return RingTensor.zeros(shape);

  // A batch times a single matrix is one tall matrix product.
  if (sizeOf(batchB) === 1 && sizeOf(batchA) === sizeOf(batch)) {
    return new RingTensor(shape, matmul2d(x.data, y.data, sizeOf(batchA) * m, kk, n));
  }
  const nb = sizeOf(batch);
  const out = new BigUint64Array(nb * m * n);
  const xs = broadcastBatch(x, batch);
  const ys = broadcastBatch(y, batch);
  for (let i = 0; i < nb; i++) {
    out.set(matmul2d(xs.subarray(i * m * kk, (i + 1) * m * kk), ys.subarray(i * kk * n, (i + 1) * kk * n), m, kk, n), i * m * n);
  }
  return new RingTensor(shape, out);
}

/** Shape of matmul(a, b) (no transposes); throws naming both shapes. */
export function matmulShape(a: Shape, b: Shape): number[] {
  checkShape(a.length >= 2 && b.length >= 2, () => `matmul: both operands need rank >= 2, got ${fmt(a)} and ${fmt(b)}`);
  const [m, kk] = a.slice(-2);
  const [kb, n] = b.slice(-2);
  checkShape(kk === kb, () => `matmul: inner dimensions differ: ${fmt(a)} x ${fmt(b)} (${kk} vs ${kb})`);
  return [...broadcastShapes(a.slice(0, -2), b.slice(0, -2), 'matmul'), m, n];
}

function swapLast(rank: number): number[] {
  const p = Array.from({ length: rank }, (_, i) => i);
  [p[rank - 2], p[rank - 1]] = [p[rank - 1], p[rank - 2]];
  return p;
}

/** The words of `t` with its batch dimensions broadcast to `batch`. */
function broadcastBatch(t: RingTensor, batch: readonly number[]): BigUint64Array {
  const inner = t.shape.slice(-2);
  const own = t.shape.slice(0, -2);
  if (sizeOf(own) === sizeOf(batch)) return t.data;
  const padded = [...new Array<number>(batch.length - own.length).fill(1), ...own];
  const strides: number[] = [];
  let acc = inner[0] * inner[1];
  for (let i = padded.length - 1; i >= 0; i--) {
    strides[i] = padded[i] === 1 ? 0 : acc;
    acc *= padded[i];
  }
  const dims = [...batch, ...inner];
  const n = sizeOf(dims);
  return kernels().run((arena, k) => {
    const src = arena.put(t.data);
    const dst = arena.alloc(n);
    const dstStrides = dims.map((_, i) => sizeOf(dims.slice(i + 1)));
    copyStrided(arena, k, src, 0, [...strides, inner[1], 1], dst, 0, dstStrides, dims);
    return arena.take(dst, n);
  });
}
