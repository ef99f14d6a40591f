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
import * as ring from '../../ring/index.js';
import { RingTensor } from '../../ring/index.js';
import { Step } from '../dealer/streams.js';
import { onServers, mapShares, type PondContext } from './context.js';
import { PondPrivateTensor } from './tensors.js';

const LOW63 = RingTensor.fill([], (1n << 63n) - 1n);

/** Divides a private tensor by 2^bits; the result has fracBits - bits. */
export function truncate(ctx: PondContext, x: PondPrivateTensor, bits: number): PondPrivateTensor {
  if (bits === 0) return x;
  return ctx.truncation === 'local' ? truncateLocal(ctx, x, bits) : truncateDealer(ctx, x, bits);
}

function truncateLocal(ctx: PondContext, x: PondPrivateTensor, bits: number): PondPrivateTensor {
  return mapShares(ctx, x, x.shape, x.fracBits - bits, (s, i) => (i === 0 ? ring.shr(s, bits) : ring.neg(ring.shr(ring.neg(s), bits))));
}

function truncateDealer(ctx: PondContext, x: PondPrivateTensor, bits: number): PondPrivateTensor {
  const { rt, servers } = ctx;
  const op = rt.nextOp();
  const key = { op, step: Step.open };
  const shape = x.shape;
  const rand = ctx.triples.truncation(op, shape, bits);
  const offset = RingTensor.fill([], 1n << 62n);
  const unshift = RingTensor.fill([], 1n << BigInt(62 - bits));

  const shares = onServers(ctx, async (i) => {
    const me = servers[i];
    const other = servers[1 - i];
    const r = await rand.r[i].value();
    let ci = ring.add(await x.shares[i].value(), r);
    if (i === 0) ci = ring.add(ci, offset);
    rt.send(me, other, key, [ci]);
    const c = ring.add(ci, await rt.receiveTensor(me, other, key, shape));
    const cTop = ring.shrLogical(c, 63);
    // w = cTop XOR rTop = cTop + rTop * (1 - 2 cTop): server 0 adds the public cTop.
    const oneMinus2c = ring.sub(RingTensor.fill([], 1n), ring.shl(cTop, 1));
    let w = ring.mul(await rand.rTop[i].value(), oneMinus2c);
    if (i === 0) w = ring.add(w, cTop);
    let out = ring.sub(ring.shl(w, 63 - bits), await rand.rHigh[i].value());
    if (i === 0) out = ring.add(out, ring.sub(ring.shrLogical(ring.and(c, LOW63), bits), unshift));
    return out;
  }, op);
  return new PondPrivateTensor(ctx.prot, shape, shares, x.fracBits - bits, x);
}
