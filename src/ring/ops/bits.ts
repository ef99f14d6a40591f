/**
 * Bit packing for opened bits: bit 0 of every word, 64 words per packed word,
 * so that a vector of n secret bits travels as ceil(n / 64) words.
 */
import { check } from '../../errors.js';
import { kernels } from '../kernels.js';
import { RingTensor } from '../ring-tensor.js';

/** Packs bit 0 of each element (row-major) into [ceil(n / 64)] words, LSB first. */
export function packBits(t: RingTensor): RingTensor {
  const n = t.size;
  const words = Math.ceil(n / 64);
  const data = kernels().run((arena, k) => {
    const src = arena.put(t.data);
    const out = arena.alloc(words);
    k.pack_bits(src, out, n);
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
