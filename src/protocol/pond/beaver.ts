/**
 * Beaver multiplication, one routine for every bilinear op (elementwise mul,
 * matmul, conv2d): with masks a, b from the dealer and the opened
 * alpha = x - a, beta = y - b, and c = op(a, b) shared,
 *   op(x, y) = c + op(a, beta) + op(alpha, y)
 * so server i computes z_i = c_i + op(a_i, beta) + op(alpha, y_i), two ops each.
 * Masks are cached by the protocol: a tensor multiplied several times
 * (a model's weights) is masked and opened once. When both operands still need
 * masking, both are opened together in one round.
 */
import * as ring from '../../ring/index.js';
import type { RingTensor } from '../../ring/index.js';
import type { BilinearOp, MaskShares, ServerPair } from '../dealer/triple-source.js';
import { openMasked, pick } from '../two-server.js';
import { onServers, type PondContext } from './context.js';
import { PondMaskedTensor, PondPrivateTensor, type PondSecretTensor } from './tensors.js';

/** Masks and opens every tensor of `xs` that is not masked yet, in one round. */
export function maskAll(ctx: PondContext, xs: readonly PondSecretTensor[]): PondMaskedTensor[] {
  const todo: PondPrivateTensor[] = [];
  for (const x of xs) {
    if (x.kind === 'private' && ctx.masks.get(x) === undefined && !todo.includes(x)) todo.push(x);
  }
  if (todo.length > 0) {
    const op = ctx.rt.nextOp();
    // One operation id per mask keeps their PRG streams apart; ids advance
    // identically on every player, so this stays deterministic.
    const masks: MaskShares[] = todo.map((x, j) => ctx.triples.mask(j === 0 ? op : ctx.rt.nextOp(), x.shape));
    const opened = openMasked(ctx, op, todo, masks, ring.sub, ring.add);
    todo.forEach((x, j) => ctx.masks.set(x, new PondMaskedTensor(ctx.prot, x, masks[j], pick(ctx, opened, j))));
  }
  return xs.map((x) => (x.kind === 'masked' ? x : (ctx.masks.get(x) as PondMaskedTensor)));
}

/** z = op(x, y) for masked x and y, at scale fx + fy (not truncated). */
export function beaver(ctx: PondContext, mx: PondMaskedTensor, my: PondMaskedTensor, bilinear: BilinearOp): PondPrivateTensor {
  const outShape = bilinear.outShape(mx.shape, my.shape);
  const op = ctx.rt.nextOp();
  const c: ServerPair<RingTensor> = ctx.triples.product(op, mx.beaverMask, my.beaverMask, bilinear, outShape);
  const shares = onServers(ctx, async (i) => {
    const beta = await my.alpha[i].value();
    const alpha = await mx.alpha[i].value();
    const ai = await mx.beaverMask.shares[i].value();
    const yi = await my.unmasked.shares[i].value();
    return ring.add(ring.add(await c[i].value(), bilinear.apply(ai, beta)), bilinear.apply(alpha, yi));
  }, op);
  return new PondPrivateTensor(ctx.prot, outShape, shares, mx.fracBits + my.fracBits);
}
