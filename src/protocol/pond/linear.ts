/**
 * Linear Pond ops: computed locally on shares, no communication. Adding a
 * public value to shares is done by server 0 alone. Operands at different
 * fixed-point scales are first brought to the larger one by an exact shift.
 */
import { ProtocolError } from '../../errors.js';
import * as ring from '../../ring/index.js';
import { broadcastShapes, RingTensor, type Shape } from '../../ring/index.js';
import type { MaskShares } from '../dealer/triple-source.js';
import { mapShares, onServers, unmasked, upscale, zipShares, type PondContext } from './context.js';
import { maskWithPublic } from './mask-parts.js';
import { PondMaskedTensor, PondPrivateTensor, PondPublicTensor, type PondSecretTensor, type PondTensor } from './tensors.js';

/**
 * The private form of a result that is secret by construction (an op on a
 * secret operand); a public one here is a bug.
 */
export function expectPrivate(x: PondTensor, op: string): PondPrivateTensor {
  if (x.kind === 'public') throw new ProtocolError(`${op}: internal error, expected a secret result`);
  return unmasked(x);
}

/** Public stays public; secret becomes its private form. */
export function privateOf(x: PondTensor): PondPrivateTensor | PondPublicTensor {
  return x.kind === 'public' ? x : unmasked(x);
}

type Combine = (a: RingTensor, b: RingTensor) => RingTensor;

function addPublicPublic(ctx: PondContext, x: PondPublicTensor, y: PondPublicTensor, f: number, combine: Combine): PondPublicTensor {
  return new PondPublicTensor(ctx.prot, combine(upscale(x.value, f - x.fracBits), upscale(y.value, f - y.fracBits)), f);
}

function addPrivatePrivate(ctx: PondContext, x: PondPrivateTensor, y: PondPrivateTensor, shape: Shape, f: number, combine: Combine): PondPrivateTensor {
  return zipShares(ctx, [x, y], shape, f, ([a, b]) => combine(upscale(a, f - x.fracBits), upscale(b, f - y.fracBits)));
}

/** x (private) combined with y (public): server 0 applies y, server 1 only broadcasts. */
function addPrivatePublic(
  ctx: PondContext,
  x: PondPrivateTensor,
  y: PondPublicTensor,
  shape: Shape,
  f: number,
  combine: Combine,
  privateFirst: boolean,
): PondPrivateTensor {
  const pub = upscale(y.value, f - y.fracBits);
  // Server 1 combines with zeros of the public shape, so that its share
  // broadcasts to the same output shape and sub negates as it must.
  const zero = RingTensor.zeros(y.shape);
  return mapShares(ctx, x, shape, f, (s, i) => {
    const mine = upscale(s, f - x.fracBits);
    const other = i === 0 ? pub : zero;
    return privateFirst ? combine(mine, other) : combine(other, mine);
  });
}

function combineAny(ctx: PondContext, x: PondTensor, y: PondTensor, op: 'add' | 'sub', combine: Combine): PondTensor {
  const a = privateOf(x);
  const b = privateOf(y);
  const shape = broadcastShapes(a.shape, b.shape, op);
  const f = Math.max(a.fracBits, b.fracBits);
  switch (a.kind) {
    case 'public':
      if (b.kind === 'public') return addPublicPublic(ctx, a, b, f, combine);
      return keepMask(ctx, b, a, keepUntruncated(ctx, a, b, addPrivatePublic(ctx, b, a, shape, f, combine, false), op, combine), op === 'add' ? 'x+p' : 'p-x');
    case 'private':
      if (b.kind === 'public') return keepMask(ctx, a, b, keepUntruncated(ctx, a, b, addPrivatePublic(ctx, a, b, shape, f, combine, true), op, combine), op === 'add' ? 'x+p' : 'x-p');
      return keepUntruncated(ctx, a, b, addPrivatePrivate(ctx, a, b, shape, f, combine), op, combine);
  }
}

/**
 * A truncation's result plus or minus a public value keeps the truncation's
 * mask, moved by the value (mask-parts.ts): when x sets the scale and the shape.
 */
function keepMask(ctx: PondContext, x: PondPrivateTensor, p: PondPublicTensor, out: PondPrivateTensor, form: 'x+p' | 'x-p' | 'p-x'): PondPrivateTensor {
  const mask = ctx.masks.getParts(x);
  if (mask === undefined || out.fracBits !== x.fracBits || !ring.shapesEqual(out.shape, x.shape)) return out;
  ctx.masks.setParts(out, maskWithPublic(ctx, mask, upscale(p.value, out.fracBits - p.fracBits), form));
  return out;
}

/**
 * A truncated product plus (or minus) a bias keeps the same sum at the
 * product's scale as its truncatedFrom, so the relu of a dense or conv layer
 * with a bias still starts its comparison before the truncation is opened
 * (one round less per layer). Only when the truncated operand sets the scale
 * (the other is at most as fine) and only one operand is a truncation.
 */
function keepUntruncated(ctx: PondContext, a: PondPrivateTensor | PondPublicTensor, b: PondPrivateTensor | PondPublicTensor, out: PondPrivateTensor, op: 'add' | 'sub', combine: Combine): PondPrivateTensor {
  const ta = a.kind === 'private' ? a.truncatedFrom : undefined;
  const tb = b.kind === 'private' ? b.truncatedFrom : undefined;
  if ((ta === undefined) === (tb === undefined)) return out;
  const [t, other] = ta !== undefined ? [a as PondPrivateTensor, b] : [b as PondPrivateTensor, a];
  if (t.fracBits !== out.fracBits) return out;
  const from = (ta ?? tb) as PondPrivateTensor;
  const untruncated = (): PondPrivateTensor => {
    const up = rescaleUp(ctx, other, other.fracBits + from.fracBits - t.fracBits);
    return expectPrivate(ta !== undefined ? combineAny(ctx, from, up, op, combine) : combineAny(ctx, up, from, op, combine), op);
  };
  return new PondPrivateTensor(ctx.prot, out.shape, out.shares, out.fracBits, untruncated);
}

/** x + y with broadcasting (private as soon as one operand is secret). */
export function add(ctx: PondContext, x: PondSecretTensor, y: PondTensor): PondPrivateTensor;
export function add(ctx: PondContext, x: PondTensor, y: PondSecretTensor): PondPrivateTensor;
export function add(ctx: PondContext, x: PondTensor, y: PondTensor): PondTensor;
export function add(ctx: PondContext, x: PondTensor, y: PondTensor): PondTensor {
  return combineAny(ctx, x, y, 'add', ring.add);
}

/** x - y with broadcasting (private as soon as one operand is secret). */
export function sub(ctx: PondContext, x: PondSecretTensor, y: PondTensor): PondPrivateTensor;
export function sub(ctx: PondContext, x: PondTensor, y: PondSecretTensor): PondPrivateTensor;
export function sub(ctx: PondContext, x: PondTensor, y: PondTensor): PondTensor;
export function sub(ctx: PondContext, x: PondTensor, y: PondTensor): PondTensor {
  return combineAny(ctx, x, y, 'sub', ring.sub);
}

/**
 * A linear map applied to the value (public) or to each share (private):
 * neg, sum, reshape, transpose, slice, concat of one tensor, pooling sums...
 */
export function linearMap(ctx: PondContext, x: PondSecretTensor, shape: Shape, fn: (t: RingTensor) => RingTensor, fracBits?: number): PondPrivateTensor;
export function linearMap(ctx: PondContext, x: PondTensor, shape: Shape, fn: (t: RingTensor) => RingTensor, fracBits?: number): PondTensor;
export function linearMap(ctx: PondContext, x: PondTensor, shape: Shape, fn: (t: RingTensor) => RingTensor, fracBits?: number): PondTensor {
  const a = privateOf(x);
  const f = fracBits ?? a.fracBits;
  switch (a.kind) {
    case 'public':
      return new PondPublicTensor(ctx.prot, fn(a.value), f);
    case 'private':
      return mapShares(ctx, a, shape, f, (s) => fn(s));
  }
}

/**
 * As {@link linearMap}, and when x's mask is open the result's is too: its
 * mask is fn(a) (on the servers and on the dealer) and its opened value
 * fn(alpha), computed locally, so a product with a reshaped or transposed
 * tensor (a weight in the backward pass) opens nothing new.
 */
export function linearMapKeepingMask(ctx: PondContext, x: PondTensor, shape: Shape, fn: (t: RingTensor) => RingTensor): PondTensor {
  const out = linearMap(ctx, x, shape, fn);
  const m = x.kind === 'private' ? ctx.masks.get(x) : x.kind === 'masked' ? x : undefined;
  if (m === undefined || out.kind !== 'private') return out;
  const a = m.beaverMask;
  const mask: MaskShares = {
    shape,
    shares: onServers(ctx, async (i) => fn(await a.shares[i].value())),
    full: ctx.rt.on(ctx.dealer, async () => fn(await a.full.value())),
  };
  ctx.masks.set(out, new PondMaskedTensor(ctx.prot, out, mask, onServers(ctx, async (i) => fn(await m.alpha[i].value()))));
  return out;
}

/**
 * Multiplication by public ring words `k` that carry `kFracBits` fractional
 * bits (0 for integers such as 3 or a 0/1 mask): exact, no truncation; the
 * result has x.fracBits + kFracBits.
 */
export function mulPublicWords(ctx: PondContext, x: PondSecretTensor, k: RingTensor, kFracBits?: number): PondPrivateTensor;
export function mulPublicWords(ctx: PondContext, x: PondTensor, k: RingTensor, kFracBits?: number): PondTensor;
export function mulPublicWords(ctx: PondContext, x: PondTensor, k: RingTensor, kFracBits = 0): PondTensor {
  const shape = broadcastShapes(x.shape, k.shape, 'mul');
  return linearMap(ctx, x, shape, (t) => ring.mul(t, k), x.fracBits + kFracBits);
}

/** The same value at `fracBits` fractional bits by an exact shift up (public or private). */
export function rescaleUp(ctx: PondContext, x: PondSecretTensor, fracBits: number): PondPrivateTensor;
export function rescaleUp(ctx: PondContext, x: PondTensor, fracBits: number): PondTensor;
export function rescaleUp(ctx: PondContext, x: PondTensor, fracBits: number): PondTensor {
  return x.fracBits === fracBits ? x : linearMap(ctx, x, x.shape, (t) => upscale(t, fracBits - x.fracBits), fracBits);
}
