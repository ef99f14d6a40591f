/**
 * What every Pond op needs: the runtime, who the servers and the dealer are,
 * the fixed-point scale, the triple source, the truncation mode and the cache
 * of opened masks. Owned by one Pond instance; ops are functions of it.
 */
import type { RandomSource } from '../../crypto/index.js';
import * as ring from '../../ring/index.js';
import { sizeOf, type RingTensor, type Shape } from '../../ring/index.js';
import type { OpRunner } from '../api/index.js';
import type { AdderBits } from '../binary/adder.js';
import type { ServerPair } from '../dealer/triple-source.js';
import type { Placed } from '../placed.js';
import { onServers, type SharedWords, type TwoServerContext } from '../two-server.js';
import { PondPrivateTensor, PondPublicTensor, type PondMaskedTensor, type PondSecretTensor, type PondTensor } from './tensors.js';

/**
 * A Beaver mask a = sum_k coef_k * part_k with its opened alpha = x - a: each
 * part is known whole to the dealer and shared between the servers, each
 * coefficient is public on the servers (undefined: 1). A truncation's result
 * has one for free (truncate.ts), so an elementwise product with it opens
 * nothing (mask-parts.ts).
 */
export interface PartMask {
  /** x - a, the same on both servers. */
  readonly alpha: ServerPair<RingTensor>;
  readonly parts: readonly MaskPart[];
  /** parts.length, known without computing them (cost estimates read it). */
  readonly count: number;
}

export interface MaskPart {
  readonly coef?: ServerPair<RingTensor>;
  readonly shares: ServerPair<RingTensor>;
  readonly full: Placed<RingTensor>;
}

/** How products are brought back to `fracBits` fractional bits. */
export type TruncationMode = 'dealer' | 'local';

/**
 * How comparisons read a sign bit: 'adder', a parallel-prefix adder over the
 * shares (4-6 rounds, a few hundred bytes per element, nothing dealt ahead
 * beyond AND triples); 'fss', function secret sharing for comparisons of up
 * to 256 elements (1 round, about 16 bytes per element and bit of dealer
 * traffic to each server; the servers and the crypto producer need
 * node:crypto), the adder beyond.
 */
export type ComparisonMethod = 'adder' | 'fss';

/**
 * Opened masks, keyed by the shares they mask: a tensor multiplied several
 * times (a model's weights) is masked and opened once, and a variable given
 * new shares is masked afresh. A cost estimate reads the protocol's cache and
 * writes only its own (`child`), so estimating never touches real masks.
 */
export class MaskCache {
  private readonly own = new WeakMap<ServerPair<RingTensor>, PondMaskedTensor>();
  private readonly ownParts = new WeakMap<ServerPair<RingTensor>, PartMask>();

  constructor(private readonly parent?: MaskCache) {}

  get(x: PondPrivateTensor): PondMaskedTensor | undefined {
    return this.own.get(x.shares) ?? this.parent?.get(x);
  }

  set(x: PondPrivateTensor, masked: PondMaskedTensor): void {
    this.own.set(x.shares, masked);
  }

  /** The mask a truncation left on x, known in parts (mask-parts.ts). */
  getParts(x: PondPrivateTensor): PartMask | undefined {
    return this.ownParts.get(x.shares) ?? this.parent?.getParts(x);
  }

  setParts(x: PondPrivateTensor, mask: PartMask): void {
    this.ownParts.set(x.shares, mask);
  }

  child(): MaskCache {
    return new MaskCache(this);
  }
}

export interface PondContext extends TwoServerContext {
  readonly prot: OpRunner;
  readonly fracBits: number;
  readonly truncation: TruncationMode;
  /** Each player's source of fresh seeds. */
  readonly randomness: (player: string) => RandomSource;
  readonly masks: MaskCache;
  /** Bits the relu op reads the sign from (PondOptions.reluBits). */
  readonly reluBits: AdderBits;
  /** How sign bits are computed (PondOptions.comparison). */
  readonly comparison: ComparisonMethod;
  /**
   * Set by the choke point while a recorder listens: values an op computed
   * anyway that its gradient needs (relu's derivative bit), keyed by name.
   */
  readonly saved?: Map<string, PondTensor>;
}

export { onServers } from '../two-server.js';

/** The private tensor behind a secret operand (a masked tensor's unmasked one). */
export function unmasked(x: PondSecretTensor): PondPrivateTensor {
  return x.kind === 'masked' ? x.unmasked : x;
}

/** A private tensor whose share i is `fn(share_i of x, i)`, computed locally. */
export function mapShares(
  ctx: PondContext,
  x: PondPrivateTensor,
  shape: Shape,
  fracBits: number,
  fn: (share: RingTensor, i: 0 | 1) => RingTensor,
): PondPrivateTensor {
  const shares = onServers(ctx, async (i) => fn(await x.shares[i].value(), i));
  return new PondPrivateTensor(ctx.prot, shape, shares, fracBits);
}

/** Share-by-share combination of private tensors (all of `xs`, in order). */
export function zipShares(
  ctx: PondContext,
  xs: readonly PondPrivateTensor[],
  shape: Shape,
  fracBits: number,
  fn: (shares: RingTensor[], i: 0 | 1) => RingTensor,
): PondPrivateTensor {
  const shares = onServers(ctx, async (i) => fn(await Promise.all(xs.map((x) => x.shares[i].value())), i));
  return new PondPrivateTensor(ctx.prot, shape, shares, fracBits);
}

/** A public tensor of reals encoded at `fracBits` (one value broadcasts as a scalar). */
export function publicValues(ctx: PondContext, values: ArrayLike<number>, shape: Shape, fracBits: number, context = 'constant'): PondPublicTensor {
  return new PondPublicTensor(ctx.prot, ring.encode(values, shape, fracBits, context), fracBits);
}

/** A public scalar encoded at `fracBits`. */
export function publicScalar(ctx: PondContext, c: number, fracBits: number): PondPublicTensor {
  return publicValues(ctx, [c], [], fracBits, 'public constant');
}

/** A public value as a (trivial) sharing: server 0 holds it, server 1 zero. */
export function toPrivate(ctx: PondContext, x: PondTensor): PondPrivateTensor {
  if (x.kind !== 'public') return unmasked(x);
  const v = x.value;
  return new PondPrivateTensor(ctx.prot, x.shape, onServers(ctx, (i) => (i === 0 ? v : ring.RingTensor.zeros(v.shape))), x.fracBits);
}

/** `v * 2^bits` exactly (a left shift): raises the fixed-point scale. */
export function upscale(t: RingTensor, bits: number): RingTensor {
  return bits === 0 ? t : ring.shl(t, bits);
}

/** Several private tensors' shares flattened and joined (at xs[0]'s scale), so one run serves them all. */
export function join(ctx: PondContext, xs: readonly PondPrivateTensor[]): PondPrivateTensor {
  if (xs.length === 1 && xs[0].rank === 1) return xs[0];
  const n = xs.reduce((acc, x) => acc + x.size, 0);
  return zipShares(ctx, xs, [n], xs[0].fracBits, (shares) => ring.concat(shares.map((s, j) => s.withShape([xs[j].size]))));
}

/** Splits joined words back into pieces of the given shapes. */
export function split(ctx: PondContext, joined: SharedWords, shapes: readonly Shape[]): ServerPair<RingTensor>[] {
  let at = 0;
  return shapes.map((shape) => {
    const start = at;
    at += sizeOf(shape);
    return onServers(ctx, async (i) => {
      const all = await joined.shares[i].value();
      return (shapes.length === 1 ? all : ring.slice(all, [start], [sizeOf(shape)])).withShape(shape);
    });
  });
}
