/**
 * Pond's three tensor kinds, tagged by `kind` (the interface's PublicTensor,
 * PrivateTensor and MaskedTensor):
 * - public: the same ring value on every player;
 * - private: additive shares x = x0 + x1 mod 2^64 placed on the two servers;
 * - masked: a private tensor with its Beaver mask a and the opened x - a.
 *
 * Tensors are immutable. A private tensor's mask is cached by the protocol
 * (keyed by its shares), not on the tensor; a variable replaces its shares
 * with `assign`, which is what makes the old mask stale.
 */
import { ValueError } from '../../errors.js';
import type { RingTensor, Shape } from '../../ring/index.js';
import type { MaskedTensor, OpRunner, PrivateTensor, PublicTensor, SecretTensor } from '../api/index.js';
import { SecureTensorBase } from '../api/index.js';
import type { MaskShares, ServerPair } from '../dealer/triple-source.js';

/** A value known to every player. */
export class PondPublicTensor extends SecureTensorBase<'public'> implements PublicTensor {
  readonly kind = 'public' as const;

  constructor(protocol: OpRunner, readonly value: RingTensor, readonly fracBits: number) {
    super(protocol, value.shape);
  }
}

/** Additive shares on the two servers. */
export class PondPrivateTensor extends SecureTensorBase<'private'> implements PrivateTensor {
  readonly kind = 'private' as const;
  private currentShares: ServerPair<RingTensor>;
  private scale: number;

  private untruncated: PondPrivateTensor | (() => PondPrivateTensor) | undefined;

  constructor(
    protocol: OpRunner,
    shape: Shape,
    shares: ServerPair<RingTensor>,
    fracBits: number,
    truncatedFrom?: PondPrivateTensor | (() => PondPrivateTensor),
  ) {
    super(protocol, shape);
    this.currentShares = shares;
    this.scale = fracBits;
    this.untruncated = truncatedFrom;
  }

  /**
   * The product this tensor truncates, when it is one (or a truncated product
   * plus a bias: the sum at the product's scale): it has the same sign (to
   * within the rounding of values below one unit), so a comparison can start
   * on it while the truncation is still being opened. Given as a function, it
   * is computed on first use (local work on the shares, no messages).
   */
  get truncatedFrom(): PondPrivateTensor | undefined {
    if (typeof this.untruncated === 'function') this.untruncated = this.untruncated();
    return this.untruncated;
  }

  /** Share i lives on server i. */
  get shares(): ServerPair<RingTensor> {
    return this.currentShares;
  }

  get fracBits(): number {
    return this.scale;
  }

  /** For variables: new shares and scale. */
  protected replaceShares(shares: ServerPair<RingTensor>, fracBits: number): void {
    this.currentShares = shares;
    this.scale = fracBits;
  }
}

/** A private tensor together with its Beaver mask and opened difference. */
export class PondMaskedTensor extends SecureTensorBase<'masked'> implements MaskedTensor {
  readonly kind = 'masked' as const;

  constructor(
    protocol: OpRunner,
    readonly unmasked: PondPrivateTensor,
    readonly beaverMask: MaskShares,
    /** alpha = x - a, opened: the same public value on each server. */
    readonly alpha: ServerPair<RingTensor>,
  ) {
    super(protocol, unmasked.shape);
  }

  get fracBits(): number {
    return this.unmasked.fracBits;
  }

  /** The shares of the unmasked value (so a masked tensor is the MaskedArithmetic bit injection takes). */
  get shares(): ServerPair<RingTensor> {
    return this.unmasked.shares;
  }
}

export type PondTensor = PondPublicTensor | PondPrivateTensor | PondMaskedTensor;
/** Private or masked: the tensors whose value no single party knows. */
export type PondSecretTensor = PondPrivateTensor | PondMaskedTensor;

/** Whether `x` is a Pond tensor (of any protocol instance). */
export function isPondTensor(x: unknown): x is PondTensor {
  return x instanceof PondPublicTensor || x instanceof PondPrivateTensor || x instanceof PondMaskedTensor;
}

/** The Pond form of an interface type: what the op table's implementations receive. */
export type ToPond<T> = T extends PublicTensor
  ? PondPublicTensor
  : T extends PrivateTensor
    ? PondPrivateTensor
    : T extends MaskedTensor
      ? PondMaskedTensor
      : T extends SecretTensor
        ? PondSecretTensor
        : T extends readonly (infer E)[]
          ? E extends PublicTensor | PrivateTensor | MaskedTensor
            ? readonly ToPond<E>[]
            : T
          : T;

/**
 * The placed shares of a Pond private or masked tensor (for tests and
 * benchmarks that wait for, or compare, one result's shares).
 */
export function sharesOf(x: unknown): ServerPair<RingTensor> {
  if (x instanceof PondPrivateTensor || x instanceof PondMaskedTensor) return x.shares;
  throw new ValueError(`sharesOf: expected a private Pond tensor, got ${x instanceof PondPublicTensor ? 'a public one' : typeof x}`);
}
