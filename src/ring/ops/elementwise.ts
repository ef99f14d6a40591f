/**
 * Elementwise ring ops with numpy/tfjs broadcasting. Results wrap mod 2^64.
 */
import { check } from '../../errors.js';
import { kernels, type KernelExports } from '../kernels.js';
import { RingTensor } from '../ring-tensor.js';
import { broadcastShapes, sizeOf } from '../shape.js';
import { putBroadcast } from './strided.js';

type BinaryKernel = 'add' | 'sub' | 'mul' | 'and' | 'or' | 'xor';
type UnaryKernel = 'neg' | 'not';
type ShiftKernel = 'shr_s' | 'shr_u' | 'shl';

function binary(kernel: BinaryKernel, op: string, a: RingTensor, b: RingTensor): RingTensor {
  const shape = broadcastShapes(a.shape, b.shape, op);
  const n = sizeOf(shape);
  const data = kernels().run((arena, k: KernelExports) => {
    const pa = putBroadcast(arena, k, a.data, a.shape, shape, n);
    const pb = putBroadcast(arena, k, b.data, b.shape, shape, n);
    const out = arena.alloc(n);
    k[kernel](pa, pb, out, n);
    return arena.take(out, n);
  });
  return new RingTensor(shape, data);
}

function unary(kernel: UnaryKernel, a: RingTensor): RingTensor {
  const n = a.size;
  const data = kernels().run((arena, k) => {
    const pa = arena.put(a.data);
    const out = arena.alloc(n);
    k[kernel](pa, out, n);
    return arena.take(out, n);
  });
  return new RingTensor(a.shape, data);
}

function shift(kernel: ShiftKernel, op: string, a: RingTensor, bits: number): RingTensor {
  check(Number.isInteger(bits) && bits >= 0 && bits < 64, () => `${op}: shift amount must be an integer in [0, 64), got ${bits}`);
  const n = a.size;
  const data = kernels().run((arena, k) => {
    const pa = arena.put(a.data);
    const out = arena.alloc(n);
    k[kernel](pa, out, n, bits);
    return arena.take(out, n);
  });
  return new RingTensor(a.shape, data);
}

/** a + b mod 2^64. */
export const add = (a: RingTensor, b: RingTensor): RingTensor => binary('add', 'add', a, b);
/** a - b mod 2^64. */
export const sub = (a: RingTensor, b: RingTensor): RingTensor => binary('sub', 'sub', a, b);
/** a * b mod 2^64, elementwise. */
export const mul = (a: RingTensor, b: RingTensor): RingTensor => binary('mul', 'mul', a, b);
/** Bitwise and. */
export const and = (a: RingTensor, b: RingTensor): RingTensor => binary('and', 'and', a, b);
/** Bitwise or. */
export const or = (a: RingTensor, b: RingTensor): RingTensor => binary('or', 'or', a, b);
/** Bitwise xor. */
export const xor = (a: RingTensor, b: RingTensor): RingTensor => binary('xor', 'xor', a, b);
/** -a mod 2^64. */
export const neg = (a: RingTensor): RingTensor => unary('neg', a);
/** Bitwise not. */
export const not = (a: RingTensor): RingTensor => unary('not', a);
/** Arithmetic right shift of the words read as signed (floor division by 2^bits). */
export const shr = (a: RingTensor, bits: number): RingTensor => shift('shr_s', 'shr', a, bits);
/** Logical right shift of the words read as unsigned. */
export const shrLogical = (a: RingTensor, bits: number): RingTensor => shift('shr_u', 'shrLogical', a, bits);
/** Left shift (multiplication by 2^bits mod 2^64). */
export const shl = (a: RingTensor, bits: number): RingTensor => shift('shl', 'shl', a, bits);
