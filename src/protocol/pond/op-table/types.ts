/**
 * The shape of Pond's op table: for every op of the interface (`OpName`), the
 * implementation on Pond tensors and its cost. The compiler refuses a table
 * without an entry for every op.
 */
import { ValueError } from '../../../errors.js';
import type { OpCost, OpName, OpParams } from '../../api/index.js';
import type { AdderBits } from '../../binary/adder.js';
import type { CostBuilder } from '../cost.js';
import { publicScalar, unmasked, type PondContext } from '../context.js';
import type { PondSecretTensor, PondTensor, ToPond } from '../tensors.js';

/** Op K's arguments after the receiver, as Pond tensors. */
export type PondArgs<K extends OpName> = MapPond<OpParams<K>>;

/** Maps a tuple element-wise (a mapped type over a type parameter keeps tuples tuples). */
type MapPond<T extends readonly unknown[]> = { [I in keyof T]: ToPond<T[I]> };

/** What a cost formula may ask: a fresh builder, and whether a tensor's mask was open before the op. */
export interface CostContext {
  /** The protocol's fractional bits (public numbers are encoded with them). */
  readonly fracBits: number;
  /** Bits the relu op reads the sign from (PondOptions.reluBits). */
  readonly reluBits: AdderBits;
  builder(): CostBuilder;
  wasMasked(t: PondTensor): boolean;
  /** The parts of the mask a truncation left on t, when t had one and no opened mask before the op (else 0). */
  partsBefore(t: PondTensor): number;
}

export interface PondOp<K extends OpName> {
  /** The op on a validated receiver and arguments (numbers are finite, tensors are this protocol's). */
  run(ctx: PondContext, x: PondTensor, ...args: PondArgs<K>): PondTensor;
  /** What `run` sends, estimated from the operands and the result (shapes and scales only). */
  cost(cc: CostContext, out: PondTensor, x: PondTensor, ...args: PondArgs<K>): OpCost;
}

export type PondOpTable = { readonly [K in OpName]: PondOp<K> };

/** Tensors pass through; numbers become public scalars at the protocol's scale. */
export function lift(ctx: PondContext, x: PondTensor | number): PondTensor {
  return typeof x === 'number' ? publicScalar(ctx, x, ctx.fracBits) : x;
}

/** The receiver of an op defined on secret tensors only. */
export function secret(x: PondTensor, op: string): PondSecretTensor {
  if (x.kind === 'public') throw new ValueError(`${op}: expected a private tensor, got a public one; compute public values in the clear (tf.${op})`);
  return x;
}

/** Words still to open before a product of `ts` (each tensor once; public and masked ones need none). */
export function toMask(cc: CostContext, ...ts: readonly PondTensor[]): number {
  const seen = new Set<unknown>();
  let n = 0;
  for (const t of ts) {
    if (t.kind !== 'private') continue;
    const p = unmasked(t);
    if (seen.has(p.shares) || cc.wasMasked(p)) continue;
    seen.add(p.shares);
    n += p.size;
  }
  return n;
}
