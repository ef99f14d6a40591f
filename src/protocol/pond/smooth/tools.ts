/** Small tools shared by the smooth functions: scales, public constants, joins. */
import * as ring from '../../../ring/index.js';
import { RingTensor, sizeOf, type Shape } from '../../../ring/index.js';
import { mapShares, onServers, type PondContext } from '../context.js';
import * as linear from '../linear.js';
import { PondPrivateTensor, PondPublicTensor, type PondSecretTensor } from '../tensors.js';
import { truncate } from '../truncate.js';

/** The same value at `fracBits` fractional bits: an exact shift up, or a truncation down. */
export function rescale(ctx: PondContext, x: PondSecretTensor, fracBits: number): PondPrivateTensor {
  const p = linear.unmasked(x);
  if (fracBits === p.fracBits) return p;
  if (fracBits > p.fracBits) return mapShares(ctx, p, p.shape, fracBits, (s) => ring.shl(s, fracBits - p.fracBits));
  return truncate(ctx, p, p.fracBits - fracBits);
}

/** The same words read at another scale: x * 2^(old - new), free. */
export function reinterpret(ctx: PondContext, x: PondPrivateTensor, fracBits: number): PondPrivateTensor {
  return new PondPrivateTensor(ctx.prot, x.shape, x.shares, fracBits);
}

/** A public tensor of reals of `shape` encoded at `fracBits`. */
export function publicValues(ctx: PondContext, values: ArrayLike<number>, shape: Shape, fracBits: number): PondPublicTensor {
  return new PondPublicTensor(ctx.prot, ring.encode(values, shape, fracBits, 'constant'), fracBits);
}

/** A public scalar encoded at `fracBits`. */
export function publicScalarAt(ctx: PondContext, c: number, fracBits: number): PondPublicTensor {
  return publicValues(ctx, [c], [], fracBits);
}

/** Several private tensors of one scale flattened and joined, for one batched run. */
export function join(ctx: PondContext, xs: readonly PondPrivateTensor[]): PondPrivateTensor {
  const n = xs.reduce((acc, x) => acc + x.size, 0);
  const shares = onServers(ctx, async (i) => ring.concat(await Promise.all(xs.map(async (x) => (await x.shares[i].value()).withShape([x.size])))));
  return new PondPrivateTensor(ctx.prot, [n], shares, xs[0].fracBits);
}

/** Piece j of a joined tensor, reshaped. */
export function piece(ctx: PondContext, x: PondPrivateTensor, start: number, shape: Shape): PondPrivateTensor {
  return mapShares(ctx, x, shape, x.fracBits, (s) => ring.slice(s, [start], [sizeOf(shape)]).withShape(shape));
}

/** Multiplies by public reals encoded at `fracBits` and keeps the product's scale (no truncation). */
export function scaleExact(ctx: PondContext, x: PondSecretTensor, values: ArrayLike<number>, shape: Shape, fracBits: number): PondPrivateTensor {
  return linear.mulPublicWords(ctx, x, ring.encode(values, shape, fracBits, 'constant'), fracBits);
}

export const ONE_WORD = RingTensor.fill([], 1n);
