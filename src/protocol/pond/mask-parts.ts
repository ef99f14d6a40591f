/**
 * The mask a truncation leaves, and elementwise products that use it instead
 * of opening a new one. A dealer truncation opens c = z + 2^62 + r and gives
 *   y = P + s (rTop << (63 - bits)) - rHigh,
 *   P = ((c mod 2^63) >> bits) - 2^(62 - bits) + (top(c) << (63 - bits)),  s = 1 - 2 top(c)
 * (truncate.ts): P and s are public on both servers, rTop and rHigh shared and
 * known whole to the dealer. So y is already masked: alpha = P, with the mask
 * a = s m1 - m2 a public combination of two dealer-known parts (m1 with the
 * coefficient s, -m2 with 1). A Beaver
 * product x * y needs c = a * b: for masks given in parts that is
 * sum_kl coef_k coef_l (part_k * part_l), each part product dealt by the
 * dealer (two or four words per element instead of one) and combined by the
 * servers with the public coefficients. Elementwise products only: in a
 * matmul or a convolution the per-element coefficients do not factor out.
 * The opening the truncation made is the only one: each product of a chain
 * (exp's squarings, Newton steps) takes one round instead of two.
 */
import * as ring from '../../ring/index.js';
import { broadcastShapes, RingTensor } from '../../ring/index.js';
import type { ServerPair, TruncationShares } from '../dealer/triple-source.js';
import type { Placed } from '../placed.js';
import { maskAll } from './beaver.js';
import { onServers, unmasked, type MaskPart, type PartMask, type PondContext } from './context.js';
import { PondPrivateTensor, type PondMaskedTensor, type PondSecretTensor } from './tensors.js';

const LOW63 = RingTensor.fill([], (1n << 63n) - 1n);
const ONE = RingTensor.fill([], 1n);
const TWO = RingTensor.fill([], 2n);
const MINUS_ONE = RingTensor.fill([], (1n << 64n) - 1n);
/** Part products one product may ask the dealer for (its correction slots). */
export const MAX_PAIRS = 16;

/** A value computed on first use (most truncated results are never multiplied elementwise). */
function lazy<T>(make: () => T): () => T {
  let v: T | undefined;
  return () => (v ??= make());
}

/**
 * The mask of a truncation's result (a sum of terms, each opened as
 * c_j = mine_j + theirs_j), computed on first use.
 */
export function truncationMask(ctx: PondContext, bits: readonly number[], rands: readonly TruncationShares[], opened: ServerPair<{ readonly mine: readonly RingTensor[]; readonly theirs: readonly RingTensor[] }>): PartMask {
  // The opened c_j, summed once per server for alpha and the signs.
  const opens = lazy(() => onServers(ctx, async (i) => opened[i].value().then(({ mine, theirs }) => mine.map((m, j) => ring.add(m, theirs[j])))));
  const c = async (i: 0 | 1, j: number): Promise<RingTensor> => (await opens()[i].value())[j];
  const alpha = lazy(() =>
    onServers(ctx, async (i) => {
      let sum: RingTensor | undefined;
      for (const [j, b] of bits.entries()) {
        const cj = await c(i, j);
        const low = ring.sub(ring.shrLogical(ring.and(cj, LOW63), b), RingTensor.fill([], 1n << BigInt(62 - b)));
        const p = ring.add(low, ring.shl(ring.shrLogical(cj, 63), 63 - b));
        sum = sum === undefined ? p : ring.add(sum, p);
      }
      return sum as RingTensor;
    }),
  );
  const parts = lazy(() =>
    bits.flatMap((b, j): MaskPart[] => {
      const r = rands[j];
      const sign = onServers(ctx, async (i) => ring.sub(ONE, ring.mul(TWO, ring.shrLogical(await c(i, j), 63))));
      const m1: MaskPart = {
        coef: sign,
        shares: onServers(ctx, async (i) => ring.shl(await r.rTop[i].value(), 63 - b)),
        full: ctx.rt.on(ctx.dealer, async () => ring.shl((await r.full.value()).top, 63 - b)),
      };
      // -rHigh as the part itself, so that its coefficient is 1.
      const m2: MaskPart = {
        shares: onServers(ctx, async (i) => ring.neg(await r.rHigh[i].value())),
        full: ctx.rt.on(ctx.dealer, async () => ring.neg((await r.full.value()).high)),
      };
      return [m1, m2];
    }),
  );
  return {
    get alpha() {
      return alpha();
    },
    get parts() {
      return parts();
    },
    count: 2 * bits.length,
  };
}

/**
 * The mask of x + p, x - p or p - x for x with a truncation's mask and a
 * public p (already at x's scale, of a shape that broadcasts to x's): the
 * same parts, alpha moved by p, and for p - x every coefficient negated. So
 * Newton's 2 - x y is as masked as x y.
 */
export function maskWithPublic(ctx: PondContext, mask: PartMask, p: RingTensor, form: 'x+p' | 'x-p' | 'p-x'): PartMask {
  const negate = form === 'p-x';
  const alpha = lazy(() =>
    onServers(ctx, async (i) => {
      const a = await mask.alpha[i].value();
      return form === 'x+p' ? ring.add(a, p) : form === 'x-p' ? ring.sub(a, p) : ring.sub(p, a);
    }),
  );
  const parts = lazy(() =>
    negate
      ? mask.parts.map((part) => ({ ...part, coef: onServers(ctx, async (i) => (part.coef === undefined ? MINUS_ONE : ring.neg(await part.coef[i].value()))) }))
      : mask.parts,
  );
  return {
    get alpha() {
      return alpha();
    },
    get parts() {
      return parts();
    },
    count: mask.count,
  };
}

function ofMasked(m: PondMaskedTensor): PartMask {
  return { alpha: m.alpha, parts: [{ shares: m.beaverMask.shares, full: m.beaverMask.full }], count: 1 };
}

/** a_i = sum_k coef_k part_k,i on server i. */
async function maskShare(parts: readonly MaskPart[], i: 0 | 1): Promise<RingTensor> {
  let a: RingTensor | undefined;
  for (const p of parts) {
    const share = await p.shares[i].value();
    const term = p.coef === undefined ? share : ring.mul(await p.coef[i].value(), share);
    a = a === undefined ? term : ring.add(a, term);
  }
  return a as RingTensor;
}

/**
 * x * y (elementwise, not truncated) when an operand carries a truncation's
 * mask and no opened one: that operand opens nothing, an operand with
 * neither is masked as usual. Undefined when no operand has a truncation's
 * mask (the usual Beaver product is then the same), or when the part
 * products would exceed what one request carries.
 */
export function mulByParts(ctx: PondContext, x: PondSecretTensor, y: PondSecretTensor): PondPrivateTensor | undefined {
  const regular = (t: PondSecretTensor): PondMaskedTensor | undefined => (t.kind === 'masked' ? t : ctx.masks.get(t));
  const parted = (t: PondSecretTensor): PartMask | undefined => (regular(t) === undefined ? ctx.masks.getParts(unmasked(t)) : undefined);
  const [px, py] = [parted(x), parted(y)];
  if (px === undefined && py === undefined) return undefined;
  const countOf = (p: PartMask | undefined): number => (p === undefined ? 1 : p.count);
  if (countOf(px) * countOf(py) > MAX_PAIRS) return undefined;
  const fresh = [x, y].filter((t, k) => [px, py][k] === undefined && regular(t) === undefined);
  if (fresh.length > 0) maskAll(ctx, fresh);
  const mx = px ?? ofMasked(regular(x) as PondMaskedTensor);
  const my = py ?? ofMasked(regular(y) as PondMaskedTensor);
  const outShape = broadcastShapes(x.shape, y.shape, 'mul');
  const op = ctx.rt.nextOp();
  const pairs = mx.parts.flatMap((p) => my.parts.map((q) => [p, q] as const));
  const products = ctx.triples.partProducts(op, pairs.map(([p, q]) => [p.full, q.full] as readonly [Placed<RingTensor>, Placed<RingTensor>]), outShape);
  const yShares = unmasked(y).shares;
  const shares = onServers(ctx, async (i) => {
    // c = a * b = sum_kl coef_k coef_l (part_k * part_l); then the Beaver terms a beta + alpha y.
    let c: RingTensor | undefined;
    for (const [j, [p, q]] of pairs.entries()) {
      let term = await products[j][i].value();
      if (p.coef !== undefined) term = ring.mul(await p.coef[i].value(), term);
      if (q.coef !== undefined) term = ring.mul(term, await q.coef[i].value());
      c = c === undefined ? term : ring.add(c, term);
    }
    const ax = await maskShare(mx.parts, i);
    const z = ring.add(ring.mul(ax, await my.alpha[i].value()), ring.mul(await mx.alpha[i].value(), await yShares[i].value()));
    return ring.broadcastTo(ring.add(c as RingTensor, z), outShape);
  }, op);
  return new PondPrivateTensor(ctx.prot, outShape, shares, x.fracBits + y.fracBits);
}
