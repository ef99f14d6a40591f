/**
 * `RingTensor`: an exact tensor over the ring Z_(2^64): a public shape and one
 * 64-bit word per element, row-major. Arithmetic wraps mod 2^64. A word read as
 * signed two's complement is how fixed-point values are decoded.
 *
 * Tensors are immutable by convention: every op returns a new tensor and never
 * writes into its operands, so values can be shared between players of one
 * process without copies.
 *
 * `data` may be a view into a buffer that other tensors share (small kernel
 * results, keystream, received frames): read it through its byteOffset and
 * length, never as `data.buffer` whole.
 */
import { check, checkShape } from '../errors.js';
import { assertValidShape, fmt, sizeOf, type Shape } from './shape.js';

const MASK64 = (1n << 64n) - 1n;

export class RingTensor {
  readonly shape: Shape;
  readonly data: BigUint64Array;

  constructor(shape: Shape, data: BigUint64Array) {
    assertValidShape(shape, 'RingTensor');
    checkShape(data.length === sizeOf(shape), () => `RingTensor: shape ${fmt(shape)} needs ${sizeOf(shape)} words, got ${data.length}`);
    this.shape = Object.freeze([...shape]);
    this.data = data;
  }

  get size(): number {
    return this.data.length;
  }

  get rank(): number {
    return this.shape.length;
  }

  static zeros(shape: Shape): RingTensor {
    return new RingTensor(shape, new BigUint64Array(sizeOf(shape)));
  }

  /** A tensor filled with one value (taken mod 2^64). */
  static fill(shape: Shape, value: bigint): RingTensor {
    return new RingTensor(shape, new BigUint64Array(sizeOf(shape)).fill(value & MASK64));
  }

  /** From integers of any sign, reduced mod 2^64. */
  static fromBigInts(shape: Shape, values: readonly bigint[]): RingTensor {
    check(values.length === sizeOf(shape), () => `RingTensor.fromBigInts: shape ${fmt(shape)} needs ${sizeOf(shape)} values, got ${values.length}`);
    const data = new BigUint64Array(values.length);
    for (let i = 0; i < values.length; i++) data[i] = values[i] & MASK64;
    return new RingTensor(shape, data);
  }

  /** The words as unsigned integers in [0, 2^64). */
  toBigInts(): bigint[] {
    return Array.from(this.data);
  }

  /** The words read as signed two's complement, in [-2^63, 2^63). */
  toSignedBigInts(): bigint[] {
    return Array.from(this.data, (v) => BigInt.asIntN(64, v));
  }

  /** Same words, another shape with the same number of elements (no copy). */
  withShape(shape: Shape): RingTensor {
    return new RingTensor(shape, this.data);
  }

  toString(): string {
    // Deliberately content-free: ring tensors are often shares.
    return `RingTensor(shape=${fmt(this.shape)})`;
  }
}
