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
 * Smallest dimension at which a Strassen-Winograd level pays off: below it the
 * 15 block additions cost more than the one product in eight they save
 * (measured on bench/matmul.ts; see BENCHMARKS.md).
 */
export const STRASSEN_MIN = Number(globalThis.process?.env?.TFE_STRASSEN_MIN ?? 384);

/**
 * C = A B for A at `pa` (m x k, leading dimension lda) and B at `pb` (k x n,
 * ldb), all in wasm memory. Returns a pointer to C, contiguous m x n.
 */
export function matmulInArena(arena: Arena, k: KernelExports, pa: number, lda: number, pb: number, ldb: number, m: number, kk: number, n: number): number {
  const c = arena.alloc(m * n);
  gemm(arena, k, pa, lda, pb, ldb, c, n, m, kk, n);
  return c;
}

const usesStrassen = (m: number, kk: number, n: number): boolean => m % 2 === 0 && kk % 2 === 0 && n % 2 === 0 && Math.min(m, kk, n) >= STRASSEN_MIN;

/** C (ldc) = A (lda) B (ldb): Strassen-Winograd while it pays, then the kernel. */
function gemm(arena: Arena, k: KernelExports, pa: number, lda: number, pb: number, ldb: number, pc: number, ldc: number, m: number, kk: number, n: number): void {
  if (usesStrassen(m, kk, n)) {
    winograd(arena, k, pa, lda, pb, ldb, pc, ldc, m, kk, n);
  } else {
    classical(arena, k, pa, lda, pb, ldb, pc, ldc, m, kk, n);
  }
}

function classical(arena: Arena, k: KernelExports, pa: number, lda: number, pb: number, ldb: number, pc: number, ldc: number, m: number, kk: number, n: number): void {
  const packed = arena.alloc(packedWords(kk, n));
  k.pack_b(pb, ldb, kk, n, packed);
  productOfPacked(arena, k, pa, lda, packed, pc, ldc, m, kk, n);
}

/** Words of B (k x n) packed in panels of 4 columns. */
const packedWords = (kk: number, n: number): number => Math.ceil(n / 4) * kk * 4;

/** C (ldc) = A (lda) B, B packed by pack_b. */
function productOfPacked(arena: Arena, k: KernelExports, pa: number, lda: number, packed: number, pc: number, ldc: number, m: number, kk: number, n: number): void {
  const panels = Math.ceil(n / 4);
  if (n % 4 === 0) {
    k.matmul(pa, lda, packed, pc, ldc, m, kk, n);
    return;
  }
  // The kernel writes whole panels of 4 columns: go through a padded buffer.
  const padded = arena.alloc(m * panels * 4);
  k.matmul(pa, lda, packed, padded, panels * 4, m, kk, n);
  copyStrided(arena, k, padded, 0, [panels * 4, 1], pc, 0, [ldc, 1], [m, n]);
}

/**
 * One level of Strassen-Winograd (7 half-size products, 15 additions), exact
 * in any ring:
 *   S1 = A21 + A22, S2 = S1 - A11, S3 = A11 - A21, S4 = A12 - S2
 *   T1 = B12 - B11, T2 = B22 - T1, T3 = B22 - B12, T4 = T2 - B21
 *   P1 = A11 B11, P2 = A12 B21, P3 = S4 B22, P4 = A22 T4, P5 = S1 T1, P6 = S2 T2, P7 = S3 T3
 *   C11 = P1 + P2, U2 = P1 + P6, U3 = U2 + P7, C12 = U2 + P5 + P3, C21 = U3 - P4, C22 = U3 + P5
 */
function winograd(arena: Arena, k: KernelExports, pa: number, lda: number, pb: number, ldb: number, pc: number, ldc: number, m: number, kk: number, n: number): void {
  const [m2, k2, n2] = [m / 2, kk / 2, n / 2];
  const A11 = pa, A12 = pa + 8 * k2, A21 = pa + 8 * m2 * lda, A22 = A21 + 8 * k2;
  const B11 = pb, B12 = pb + 8 * n2, B21 = pb + 8 * k2 * ldb, B22 = B21 + 8 * n2;
  const C11 = pc, C12 = pc + 8 * n2, C21 = pc + 8 * m2 * ldc, C22 = C21 + 8 * n2;
  const add = (x: number, ldx: number, y: number, ldy: number, out: number, ldo: number, rows: number, cols: number): void => k.add2d(x, ldx, y, ldy, out, ldo, rows, cols);
  const sub = (x: number, ldx: number, y: number, ldy: number, out: number, ldo: number, rows: number, cols: number): void => k.sub2d(x, ldx, y, ldy, out, ldo, rows, cols);

  const S1 = arena.alloc(m2 * k2), S2 = arena.alloc(m2 * k2), S3 = arena.alloc(m2 * k2), S4 = arena.alloc(m2 * k2);
  add(A21, lda, A22, lda, S1, k2, m2, k2);
  sub(S1, k2, A11, lda, S2, k2, m2, k2);
  sub(A11, lda, A21, lda, S3, k2, m2, k2);
  sub(A12, lda, S2, k2, S4, k2, m2, k2);
  const T1 = arena.alloc(k2 * n2), T2 = arena.alloc(k2 * n2), T3 = arena.alloc(k2 * n2), T4 = arena.alloc(k2 * n2);
  sub(B12, ldb, B11, ldb, T1, n2, k2, n2);
  sub(B22, ldb, T1, n2, T2, n2, k2, n2);
  sub(B22, ldb, B12, ldb, T3, n2, k2, n2);
  sub(T2, n2, B21, ldb, T4, n2, k2, n2);

  const P = (x: number, ldx: number, y: number, ldy: number): number => {
    const out = arena.alloc(m2 * n2);
    gemm(arena, k, x, ldx, y, ldy, out, n2, m2, k2, n2);
    return out;
  };
  const P1 = P(A11, lda, B11, ldb);
  const P2 = P(A12, lda, B21, ldb);
  const P3 = P(S4, k2, B22, ldb);
  const P4 = P(A22, lda, T4, n2);
  const P5 = P(S1, k2, T1, n2);
  const P6 = P(S2, k2, T2, n2);
  const P7 = P(S3, k2, T3, n2);

  add(P1, n2, P2, n2, C11, ldc, m2, n2);
  const U2 = P6; // P6 is not needed after U2 = P1 + P6
  add(P1, n2, P6, n2, U2, n2, m2, n2);
  const U3 = P7;
  add(U2, n2, P7, n2, U3, n2, m2, n2);
  add(U2, n2, P5, n2, U2, n2, m2, n2); // U4
  add(U2, n2, P3, n2, C12, ldc, m2, n2); // U5 = U4 + P3
  sub(U3, n2, P4, n2, C21, ldc, m2, n2); // U6
  add(U3, n2, P5, n2, C22, ldc, m2, n2); // U7
}

function matmul2d(a: BigUint64Array, b: BigUint64Array, m: number, kk: number, n: number): BigUint64Array {
  return kernels().run((arena, k) => {
    // A right-hand matrix used again (a served model's weights) stays packed in wasm memory.
    const packed = usesStrassen(m, kk, n) ? undefined : arena.pinned(b, packedWords(kk, n), (dst, src) => k.pack_b(src, n, kk, n, dst));
    const pa = arena.put(a);
    if (packed !== undefined) {
      const c = arena.alloc(m * n);
      productOfPacked(arena, k, pa, kk, packed, c, n, m, kk, n);
      return arena.take(c, m * n);
    }
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
