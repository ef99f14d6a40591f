/** Scales, shared by the smooth functions. */
import { unmasked, type PondContext } from '../context.js';
import * as linear from '../linear.js';
import { PondPrivateTensor, type PondSecretTensor } from '../tensors.js';
import { truncate } from '../truncate.js';

/** The same value at `fracBits` fractional bits: an exact shift up, or a truncation down. */
export function rescale(ctx: PondContext, x: PondSecretTensor, fracBits: number): PondPrivateTensor {
  const p = unmasked(x);
  return fracBits >= p.fracBits ? linear.rescaleUp(ctx, p, fracBits) : truncate(ctx, p, p.fracBits - fracBits);
}

/** The same words read at another scale: x * 2^(old - new), free. */
export function reinterpret(ctx: PondContext, x: PondPrivateTensor, fracBits: number): PondPrivateTensor {
  return new PondPrivateTensor(ctx.prot, x.shape, x.shares, fracBits);
}
