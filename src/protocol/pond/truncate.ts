/**
 * Truncation: dividing a fixed-point product by 2^bits to restore the scale.
 *
 * 'dealer' (default, one round). The dealer gives shares of a random r, of
 * (r mod 2^63) >> bits and of the top bit of r. For |z| < 2^62, z' = z + 2^62
 * lies in [0, 2^63); the servers open c = z' + r and, with w = top(c) XOR
 * top(r) (linear in the shared top bit, since top(c) is public):
 *   z' = (c mod 2^63) - (r mod 2^63) + w * 2^63
 *   z' >> bits = ((c mod 2^63) >> bits) - ((r mod 2^63) >> bits) + w * 2^(63-bits) + e
 * where e in {0, 1} is the borrow of the low bits: the result is floor(z / 2^bits)
 * or one more, with probability equal to the fractional part, i.e. stochastic
 * rounding: never more than one unit in the last place off, and unbiased.
 * Opening c reveals nothing: r is uniform mod 2^64.
 *
 * 'local' (SecureML, zero rounds): server 0 shifts its share, server 1 negates,
 * shifts and negates. Off by at most one unit, except with probability about
 * |z| / 2^63 per element (for |z| < 2^46, under 2^-17), when the result is
 * wrong by about 2^(64-bits): a large error. Offered for speed only.
 */
import { ProtocolError } from '../../errors.js';
import * as ring from '../../ring/index.js';
import { RingTensor } from '../../ring/index.js';
import { Step } from '../dealer/streams.js';
import { onServers, mapShares, zipShares, type PondContext } from './context.js';
import { truncationMask } from './mask-parts.js';
import { PondPrivateTensor } from './tensors.js';

/** Divides a private tensor by 2^bits; the result has fracBits - bits. */
export function truncate(ctx: PondContext, x: PondPrivateTensor, bits: number): PondPrivateTensor {
  if (bits === 0) return x;
  return ctx.truncation === 'local' ? truncateLocal(ctx, x, bits) : truncateDealerSum(ctx, [{ x, bits }], x);
}

/** One term of {@link truncateSum}: x divided by 2^bits. */
export interface TruncationTerm {
  readonly x: PondPrivateTensor;
  readonly bits: number;
}

/**
 * The sum of several truncations, sum_j x_j / 2^(bits_j), in the one round of
 * a single truncation: each term has its own dealer randomness (its own
 * operation id), and the servers open every term's c_j in one message each.
 * Each term is off by less than one unit (stochastic rounding), so the sum is
 * off by less than the number of terms. Terms must share a shape and land on
 * the same scale (x_j.fracBits - bits_j); every |x_j| < 2^62.
 *
 * @param signOf the tensor whose sign the result has (for a comparison that
 * starts before the truncation is opened; see PondPrivateTensor.truncatedFrom).
 */
export function truncateSum(ctx: PondContext, terms: readonly TruncationTerm[], signOf?: PondPrivateTensor): PondPrivateTensor {
  const [first] = terms;
  const scale = first.x.fracBits - first.bits;
  for (const t of terms) {
    if (t.x.fracBits - t.bits !== scale || !ring.shapesEqual(t.x.shape, first.x.shape)) throw new ProtocolError('truncateSum: internal error, terms of different shapes or scales');
  }
  // Terms that need no division are added as they are; the others are opened together.
  const divided = ctx.truncation === 'local' ? [] : terms.filter((t) => t.bits > 0);
  const parts = terms.filter((t) => !divided.includes(t)).map((t) => truncate(ctx, t.x, t.bits));
  if (divided.length > 0) parts.push(truncateDealerSum(ctx, divided, signOf));
  return parts.length === 1 ? parts[0] : zipShares(ctx, parts, first.x.shape, scale, (shares) => shares.reduce((a, b) => ring.add(a, b)));
}

function truncateLocal(ctx: PondContext, x: PondPrivateTensor, bits: number): PondPrivateTensor {
  return mapShares(ctx, x, x.shape, x.fracBits - bits, (s, i) => (i === 0 ? ring.shr(s, bits) : ring.neg(ring.shr(ring.neg(s), bits))));
}

function truncateDealerSum(ctx: PondContext, terms: readonly TruncationTerm[], signOf?: PondPrivateTensor): PondPrivateTensor {
  const { rt, servers } = ctx;
  const op = rt.nextOp();
  const key = { op, step: Step.open };
  const shape = terms[0].x.shape;
  // The first term's randomness is the opening's operation; any further term
  // takes a fresh id, so that no two terms share a dealer stream.
  const rands = terms.map((t, j) => ctx.triples.truncation(j === 0 ? op : rt.nextOp(), shape, t.bits));
  const offset = RingTensor.fill([], 1n << 62n);
  const expect = terms.map(() => ({ dtype: 'u64' as const, shape }));

  const opened = onServers(ctx, async (i) => {
    const me = servers[i];
    const other = servers[1 - i];
    const mine: RingTensor[] = [];
    for (const [j, t] of terms.entries()) {
      const ci = ring.add(await t.x.shares[i].value(), await rands[j].r[i].value());
      mine.push(i === 0 ? ring.add(ci, offset) : ci);
    }
    rt.send(me, other, key, mine);
    const theirs = await rt.receive(me, other, key, expect);
    return { mine, theirs: theirs.map((t) => new RingTensor(shape, t.data as BigUint64Array)) };
  }, op);
  const shares = onServers(ctx, async (i) => {
    const { mine, theirs } = await opened[i].value();
    let sum: RingTensor | undefined;
    for (const [j, t] of terms.entries()) {
      // c = mine + theirs is opened; the unshift, the sum of terms and its dozen
      // elementwise steps are one kernel pass (ring.truncateOpened).
      sum = ring.truncateOpened(mine[j], theirs[j], await rands[j].rTop[i].value(), await rands[j].rHigh[i].value(), t.bits, i, sum);
    }
    return sum as RingTensor;
  }, op);
  const out = new PondPrivateTensor(ctx.prot, shape, shares, terms[0].x.fracBits - terms[0].bits, signOf);
  ctx.masks.setParts(out, truncationMask(ctx, terms.map((t) => t.bits), rands, opened));
  return out;
}
