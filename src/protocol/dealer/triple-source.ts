/**
 * The provider seam for correlated randomness (as CrypTen's provider and
 * tf-encrypted's triple sources): protocol code asks for masks, Beaver
 * products and truncation pairs, never knowing whether a crypto producer
 * online, a file or a preprocessed queue supplies them.
 */
import type { RingTensor, Shape } from '../../ring/index.js';
import type { Placed } from '../placed.js';

/** Two placed values, one on each server: additive shares or copies. */
export type ServerPair<T> = readonly [Placed<T>, Placed<T>];

/** A uniformly random mask a = a0 + a1, shared by the servers, known to the dealer. */
export interface MaskShares {
  readonly shape: Shape;
  readonly shares: ServerPair<RingTensor>;
  /** The whole mask, on the dealer only. */
  readonly full: Placed<RingTensor>;
}

/** A bilinear ring operation: mul (broadcasting), matmul or conv2d. */
export interface BilinearOp {
  /** Name for error messages. */
  readonly name: string;
  /** Output shape; throws a ShapeError naming both shapes and the op. */
  outShape(x: Shape, y: Shape): Shape;
  apply(x: RingTensor, y: RingTensor): RingTensor;
}

/** Dealer randomness for one truncation by `bits` (see truncate.ts). */
export interface TruncationShares {
  /** Shares of a uniformly random r. */
  readonly r: ServerPair<RingTensor>;
  /** Shares of (r mod 2^63) >> bits. */
  readonly rHigh: ServerPair<RingTensor>;
  /** Shares of the top bit of r, r >> 63. */
  readonly rTop: ServerPair<RingTensor>;
}

export interface TripleSource {
  /** A fresh mask of `shape` for operation `op`. */
  mask(op: number, shape: Shape): MaskShares;
  /** Shares of bilinear(a, b) for two masks handed out earlier. */
  product(op: number, a: MaskShares, b: MaskShares, bilinear: BilinearOp, outShape: Shape): ServerPair<RingTensor>;
  /** Randomness for truncating a tensor of `shape` by `bits`. */
  truncation(op: number, shape: Shape, bits: number): TruncationShares;
}
