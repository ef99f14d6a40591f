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
  /** The whole rHigh and rTop, on the dealer: the parts of the mask a truncated result carries (truncate.ts). */
  readonly full: Placed<{ readonly high: RingTensor; readonly top: RingTensor }>;
}

/**
 * One-sided ANDs: server 0 gets random words u_0.. and server 1 random words
 * v_0.. (each whole), and both get XOR shares of (u_i << s) & (v_j << t) for
 * each requested pair. A word X of server 0 masked by u_i (and any shift of
 * it, masked by the shifted u_i) can then be ANDed with a word Y of server 1
 * in one round: each opens its word once.
 */
export interface OwnedAnds {
  readonly u: readonly Placed<RingTensor>[];
  readonly v: readonly Placed<RingTensor>[];
  /** XOR shares of each pair's product, in request order. */
  readonly products: readonly ServerPair<RingTensor>[];
}

/** (u_i << uShift) & (v_j << vShift). */
export interface OwnedPair {
  readonly u: number;
  readonly uShift: number;
  readonly v: number;
  readonly vShift: number;
}

/** Random bits r, shared both ways, plus products with masks. */
export interface RandomBits {
  /**
   * XOR shares r = r0 ^ r1, packed 64 bits per word as ring.packBits packs
   * (bit i of the words is element i's, row-major; bits past the last
   * element are noise): [ceil(n / 64)] words.
   */
  readonly xor: ServerPair<RingTensor>;
  /** Additive shares of r. */
  readonly arith: ServerPair<RingTensor>;
  /** Additive shares of a_j * r for each arithmetic mask a_j requested. */
  readonly products: readonly ServerPair<RingTensor>[];
}

/**
 * Dealer randomness for a comparison by function secret sharing (fss-sign.ts):
 * a random mask r, the top bit of its low bits + 1 bits, and the keys of a
 * distributed comparison function (crypto/dcf.ts) for alpha = r mod 2^bits.
 */
export interface ComparisonKeys {
  /** The DCF's input width (the sign read is bit `bits`). */
  readonly bits: number;
  /** Additive shares of a uniformly random r. */
  readonly r: ServerPair<RingTensor>;
  /** XOR shares of bit `bits` of r, packed as ring.packBits packs ([ceil(n / 64)] words). */
  readonly top: ServerPair<RingTensor>;
  /** Each server's DCF root seeds: [n, 2] words of its own stream. */
  readonly seeds: ServerPair<RingTensor>;
  /** The corrections both keys share, on each server: seeds [bits, n, 2] and outputs [bits + 1, ceil(n / 64)]. */
  readonly corrections: ServerPair<readonly [RingTensor, RingTensor]>;
}

export interface TripleSource {
  /** A fresh mask of `shape` for operation `op`. */
  mask(op: number, shape: Shape): MaskShares;
  /** Shares of bilinear(a, b) for two masks handed out earlier. */
  product(op: number, a: MaskShares, b: MaskShares, bilinear: BilinearOp, outShape: Shape): ServerPair<RingTensor>;
  /** Randomness for truncating a tensor of `shape` by `bits`. */
  truncation(op: number, shape: Shape, bits: number): TruncationShares;
  /**
   * Shares of x * y (elementwise, broadcast to `outShape`) for each pair of
   * tensors the dealer knows whole (at most 16 pairs): the products a Beaver
   * multiplication needs when a mask is a public combination of such parts.
   */
  partProducts(op: number, pairs: readonly (readonly [Placed<RingTensor>, Placed<RingTensor>])[], outShape: Shape): ServerPair<RingTensor>[];
  /** A fresh XOR mask a = a0 ^ a1 (slot: several masks in one op). */
  binaryMask(op: number, shape: Shape, slot: number): MaskShares;
  /** XOR shares of f(a, b) for a bitwise-bilinear f (AND with shifts) of two XOR masks. */
  binaryProduct(op: number, a: MaskShares, b: MaskShares, f: BilinearOp, outShape: Shape, slot: number): ServerPair<RingTensor>;
  /** Randomness for ANDing words of server 0 with words of server 1 (see OwnedAnds). */
  ownedAnds(op: number, shape: Shape, uCount: number, vCount: number, pairs: readonly OwnedPair[]): OwnedAnds;
  /** Random bits for bit injection, with products r * a_j for arithmetic masks of the same shape. */
  randomBits(op: number, shape: Shape, masks: readonly MaskShares[]): RandomBits;
  /** Keys for comparing each element of `shape` by function secret sharing, on `bits`-bit inputs (1..63). */
  comparisonKeys(op: number, shape: Shape, bits: number): ComparisonKeys;
  /**
   * A mask whose whole value also goes to `owner` (an input's owner, who then
   * sends the masked input x - a directly).
   */
  ownedMask(op: number, shape: Shape, owner: string): { readonly mask: MaskShares; readonly forOwner: Placed<RingTensor> };
}
