/**
 * Arithmetic to binary: the top bit of x = x0 + x1 mod 2^64 (its sign as
 * two's complement), by a Kogge-Stone parallel-prefix adder over XOR shares of
 * whole 64-bit words. Server 0 knows the addend x0 and server 1 knows x1, so
 * their XOR sharing is free; the carry into bit 63 is the group generate of
 * bits 62..0.
 *
 * Rounds: level 0 computes g = x0 & x1 with a one-sided AND (each server holds
 * one operand whole: one word each way), whose openings also mask p = x0 ^ x1;
 * then six levels s = 1, 2, 4, ..., 32 of
 *   G <- G ^ (P & (G << s)),   P <- P & (P << s)
 * each opening G and P once (the shifted operands reuse the masks), the last
 * one only G's update. 7 rounds, 2 words each way per level.
 */
import * as ring from '../../ring/index.js';
import { RingTensor } from '../../ring/index.js';
import type { ServerPair } from '../dealer/triple-source.js';
import { Step } from '../dealer/streams.js';
import { onServers, type TwoServerContext } from '../two-server.js';
import { andXor, openXor, type MaskedXor, type XorShares } from './xor.js';

const ONE = RingTensor.fill([], 1n);

/** Additive shares of words, as the adder reads them. */
export interface AdditiveShares {
  readonly shape: readonly number[];
  readonly shares: ServerPair<RingTensor>;
}

/** XOR shares of the top bit of x (in bit 0 of each word). */
export function msbXor(ctx: TwoServerContext, x: AdditiveShares): XorShares {
  const { rt, servers } = ctx;
  const shape = x.shape;

  // Level 0: g = x0 & x1 with the dealer's one-sided triple (u on server 0, v on server 1).
  const op0 = rt.nextOp();
  const key0 = { op: op0, step: Step.adder };
  const t = ctx.triples.ownedAnd(op0, shape);
  const level0 = onServers(ctx, async (i) => {
    const xi = await x.shares[i].value();
    const own = await (i === 0 ? t.u : t.v).value();
    const mine = ring.xor(xi, own); // e_i = x_i ^ (u or v)
    rt.send(servers[i], servers[1 - i], key0, [mine]);
    const [got] = await rt.receive(servers[i], servers[1 - i], key0, [{ dtype: 'u64', shape }]);
    const theirs = new RingTensor(shape, got.data as BigUint64Array);
    const c = await t.uv[i].value();
    // g0 = (u & e1) ^ c0,  g1 = (e0 & x1) ^ c1: their XOR is x0 & x1.
    const g = ring.xor(ring.and(i === 0 ? own : xi, theirs), c);
    return { g, opened: ring.xor(mine, theirs) };
  }, op0);
  const pick = <K extends 'g' | 'opened'>(k: K): ServerPair<RingTensor> => onServers(ctx, async (i) => (await level0[i].value())[k]);

  // p = x0 ^ x1 is already masked by u ^ v, opened as e0 ^ e1.
  const p: XorShares = { shape, shares: x.shares };
  let P: MaskedXor | XorShares = { value: p, mask: t.mask, opened: pick('opened') };
  let G: XorShares = { shape, shares: pick('g') };

  for (let s = 1; s <= 32; s *= 2) {
    const op = rt.nextOp();
    const last = s === 32;
    const toOpen = 'mask' in P ? [G] : [G, P];
    const opened = openXor(ctx, op, toOpen);
    const mG = opened[0];
    const mP: MaskedXor = 'mask' in P ? P : opened[1];
    // G <- G ^ (P & (G << s)), P <- P & (P << s)
    const gNext = andXor(ctx, op, mP, mG, s, 0, G);
    if (!last) P = andXor(ctx, op, mP, mP, s, 1);
    G = gNext;
  }

  // msb = p_63 ^ carry_63, and carry_63 = G_62.
  const carry = G;
  const shares = onServers(ctx, async (i) =>
    ring.and(ring.xor(ring.shrLogical(await p.shares[i].value(), 63), ring.shrLogical(await carry.shares[i].value(), 62)), ONE),
  );
  return { shape, shares };
}
