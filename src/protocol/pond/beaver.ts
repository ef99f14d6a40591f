/**
 * Beaver multiplication, one routine for every bilinear op (elementwise mul,
 * matmul, conv2d): with masks a, b from the dealer and the opened
 * alpha = x - a, beta = y - b, and c = op(a, b) shared,
 *   op(x, y) = c + op(a, beta) + op(alpha, y)
 * so server i computes z_i = c_i + op(a_i, beta) + op(alpha, y_i), two ops each.
 * Masks are cached on the private tensor: a tensor multiplied several times
 * (a model's weights) is masked and opened once. When both operands still need
 * masking, both are opened together in one round.
 */
import * as ring from '../../ring/index.js';
import { RingTensor } from '../../ring/index.js';
import type { BilinearOp, MaskShares, ServerPair } from '../dealer/triple-source.js';
import { Step } from '../dealer/streams.js';
import { onServers, type PondContext } from './context.js';
import { PondMaskedTensor, PondPrivateTensor, type PondSecretTensor } from './tensors.js';

/** Masks and opens every tensor of `xs` that is not masked yet, in one round. */
export function maskAll(ctx: PondContext, xs: readonly PondSecretTensor[]): PondMaskedTensor[] {
  const todo: PondPrivateTensor[] = [];
  for (const x of xs) {
    if (x.kind === 'private' && x.maskedCache === undefined && !todo.includes(x)) todo.push(x);
  }
  if (todo.length > 0) {
    const { rt, servers } = ctx;
    const op = rt.nextOp();
    const key = { op, step: Step.open };
    // One operation id per mask keeps their PRG streams apart; ids advance
    // identically on every player, so this stays deterministic.
    const maskShares: MaskShares[] = todo.map((x, j) => ctx.triples.mask(j === 0 ? op : rt.nextOp(), x.shape));
    const expect = todo.map((x) => ({ dtype: 'u64' as const, shape: x.shape }));
    // Each server sends all its x_i - a_i in one message and adds the other's.
    const opened = onServers(ctx, async (i) => {
      const mine: RingTensor[] = [];
      for (const [j, x] of todo.entries()) mine.push(ring.sub(await x.shares[i].value(), await maskShares[j].shares[i].value()));
      rt.send(servers[i], servers[1 - i], key, mine);
      const theirs = await rt.receive(servers[i], servers[1 - i], key, expect);
      return mine.map((m, j) => ring.add(m, new RingTensor(m.shape, theirs[j].data as BigUint64Array)));
    }, op);
    todo.forEach((x, j) => {
      const alpha = onServers(ctx, async (i) => (await opened[i].value())[j]);
      x.maskedCache = new PondMaskedTensor(ctx.prot, x, maskShares[j], alpha);
    });
  }
  return xs.map((x) => (x.kind === 'masked' ? x : (x.maskedCache as PondMaskedTensor)));
}

/** z = op(x, y) for masked x and y, at scale fx + fy (not truncated). */
export function beaver(ctx: PondContext, mx: PondMaskedTensor, my: PondMaskedTensor, bilinear: BilinearOp): PondPrivateTensor {
  const outShape = bilinear.outShape(mx.shape, my.shape);
  const op = ctx.rt.nextOp();
  const c: ServerPair<RingTensor> = ctx.triples.product(op, mx.mask, my.mask, bilinear, outShape);
  const shares = onServers(ctx, async (i) => {
    const beta = await my.alpha[i].value();
    const alpha = await mx.alpha[i].value();
    const ai = await mx.mask.shares[i].value();
    const yi = await my.unmasked.shares[i].value();
    return ring.add(ring.add(await c[i].value(), bilinear.apply(ai, beta)), bilinear.apply(alpha, yi));
  }, op);
  return new PondPrivateTensor(ctx.prot, outShape, shares, mx.fracBits + my.fracBits);
}
