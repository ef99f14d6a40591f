/**
 * The one data-movement primitive: a strided copy inside wasm memory. Broadcast,
 * transpose, slice, pad, concat and tile are all strided views or strided
 * destinations; see copy_strided in kernels.wat.
 */
import type { Arena, KernelExports } from '../kernels.js';
import { stridesOf, type Shape } from '../shape.js';

/**
 * Copies the view (dims, srcStrides) starting at word `srcOffset` of the region
 * at `srcPtr` into the region at `dstPtr` laid out with `dstStrides` from word
 * `dstOffset`. Strides are in words; a zero source stride repeats a value.
 */
export function copyStrided(
  arena: Arena,
  k: KernelExports,
  srcPtr: number,
  srcOffset: number,
  srcStrides: readonly number[],
  dstPtr: number,
  dstOffset: number,
  dstStrides: readonly number[],
  dims: Shape,
): void {
  const rank = dims.length;
  const dimsPtr = arena.putI32(dims);
  const sPtr = arena.putI32(srcStrides);
  const dPtr = arena.putI32(dstStrides);
  const idxPtr = arena.putI32(new Array<number>(Math.max(rank, 1)).fill(0));
  k.copy_strided(srcPtr + srcOffset * 8, dstPtr + dstOffset * 8, rank, dimsPtr, sPtr, dPtr, idxPtr);
}

/** Strides that read `shape` as if broadcast to `outShape` (0 where repeated). */
export function broadcastStrides(shape: Shape, outShape: Shape): number[] {
  const own = stridesOf(shape);
  const offset = outShape.length - shape.length;
  return outShape.map((d, i) => {
    const j = i - offset;
    if (j < 0) return 0;
    return shape[j] === 1 && d !== 1 ? 0 : own[j];
  });
}

/**
 * Puts `data` (of `shape`) into the arena laid out as `outShape`, broadcasting
 * when the shapes differ. Returns the byte pointer.
 */
export function putBroadcast(arena: Arena, k: KernelExports, data: BigUint64Array, shape: Shape, outShape: Shape, outSize: number): number {
  const src = arena.put(data);
  // Equal sizes under broadcasting means equal layouts (only 1s were added).
  if (data.length === outSize) return src;
  const dst = arena.alloc(outSize);
  if (outSize > 0) copyStrided(arena, k, src, 0, broadcastStrides(shape, outShape), dst, 0, stridesOf(outShape), outShape);
  return dst;
}
