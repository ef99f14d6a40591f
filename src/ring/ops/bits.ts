/**
 * Bit packing for opened bits: bit 0 of every word, 64 words per packed word,
 * so that a vector of n secret bits travels as ceil(n / 64) words.
 */
import { check } from '../../errors.js';
import { kernels } from '../kernels.js';
import { RingTensor } from '../ring-tensor.js';

/** Packs bit 0 of each element (row-major) into [ceil(n / 64)] words, LSB first. */
export function packBits(t: RingTensor): RingTensor {
  return packBitRows(t, 0, 1);
}

/**
 * Packs bits first..first + count - 1 of each element, row by row: bit
 * k n + i of the result (LSB first) is bit max(0, first + k) of element i,
 * for n elements (rows below bit 0 repeat bit 0); [ceil(count n / 64)] words.
 */
export function packBitRows(t: RingTensor, first: number, count: number): RingTensor {
  check(Number.isInteger(first) && Number.isInteger(count) && count >= 1 && first > -64 && first + count <= 64, () => `packBitRows: bits ${first}..${first + count - 1} must end within 0..63`);
  const n = t.size;
  const words = Math.ceil((n * count) / 64);
  const data = kernels().run((arena, k) => {
    const src = arena.put(t.data);
    const out = arena.alloc(words);
    k.pack_bit_rows(src, out, n, first, count);
    return arena.take(out, words);
  });
  return new RingTensor([words], data);
}

/** Inverse of {@link packBits}: n words of 0 or 1 in `shape`. */
export function unpackBits(packed: RingTensor, shape: readonly number[]): RingTensor {
  const n = shape.reduce((a, b) => a * b, 1);
  check(packed.size === Math.ceil(n / 64), () => `unpackBits: ${packed.size} packed words cannot hold ${n} bits`);
  const data = kernels().run((arena, k) => {
    const src = arena.put(packed.data);
    const out = arena.alloc(n);
    k.unpack_bits(src, out, n);
    return arena.take(out, n);
  });
  return new RingTensor(shape, data);
}
