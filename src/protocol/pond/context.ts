/**
 * What every Pond op needs: the runtime, who the servers and the dealer are,
 * the fixed-point scale, the triple source and the truncation mode. Owned by
 * one Pond instance; ops are functions of it.
 */
import type { RandomSource } from '../../crypto/index.js';
import * as ring from '../../ring/index.js';
import type { RingTensor} from '../../ring/index.js';
import { type Shape } from '../../ring/index.js';
import { onServers, type TwoServerContext } from '../two-server.js';
import type { Pond } from './pond.js';
import { PondPrivateTensor, PondPublicTensor } from './tensors.js';

/** How products are brought back to `fracBits` fractional bits. */
export type TruncationMode = 'dealer' | 'local';

export interface PondContext extends TwoServerContext {
  readonly prot: Pond;
  readonly fracBits: number;
  readonly truncation: TruncationMode;
  /** Each player's source of fresh seeds. */
  readonly randomness: (player: string) => RandomSource;
}

export { onServers } from '../two-server.js';

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

/** Share-by-share combination of two private tensors. */
export function zipShares(
  ctx: PondContext,
  x: PondPrivateTensor,
  y: PondPrivateTensor,
  shape: Shape,
  fracBits: number,
  fn: (a: RingTensor, b: RingTensor, i: 0 | 1) => RingTensor,
): PondPrivateTensor {
  const shares = onServers(ctx, async (i) => fn(await x.shares[i].value(), await y.shares[i].value(), i));
  return new PondPrivateTensor(ctx.prot, shape, shares, fracBits);
}

/** Public tensor of a real number, encoded at `fracBits`. */
export function publicScalar(ctx: PondContext, c: number, fracBits: number): PondPublicTensor {
  return new PondPublicTensor(ctx.prot, ring.encode([c], [], fracBits, 'public constant'), fracBits);
}

/** `v * 2^bits` exactly (a left shift): raises the fixed-point scale. */
export function upscale(t: RingTensor, bits: number): RingTensor {
  return bits === 0 ? t : ring.shl(t, bits);
}
