/**
 * Arithmetic to binary: the top bit of x = x0 + x1 mod 2^64 (its sign as
 * two's complement), by a Kogge-Stone parallel-prefix adder over XOR shares of
 * whole 64-bit words. Server 0 knows the addend a = x0 and server 1 knows
 * b = x1, so their XOR sharing is free; the carry into bit 63 is the group
 * generate of bits 62..0.
 *
 * The first two levels take one round. With A = a << 1 and B = b << 1, level
 * 1's outputs are sums of ANDs of a word of server 0 with a word of server 1:
 *   G1 = g ^ (p & (g << 1)) = (a & b) ^ ((a & A) & B) ^ (A & (b & B))
 *   P1 = p & (p << 1)       = (a & A) ^ (b & B) ^ (a & B) ^ (A & b)
 * so five one-sided ANDs compute them; each server opens two words (its addend
 * and addend & (addend << 1), whose shifts are masked by the shifted masks).
 * Then four levels s = 2, 4, 8, 16 of G <- G ^ (P & (G << s)), P <- P & (P << s)
 * and a last one (s = 32) for G only, each opening G and P once. 6 rounds;
 * 2 words each way per round, and 5 + 2 + 2 + 2 + 2 + 1 dealer words.
 */
import * as ring from '../../ring/index.js';
import { RingTensor } from '../../ring/index.js';
import type { OwnedPair } from '../dealer/triple-source.js';
import { Step } from '../dealer/streams.js';
import { onServers, type SharedWords, type TwoServerContext } from '../two-server.js';
import { andXor, openXor, type XorShares } from './xor.js';

const ONE = RingTensor.fill([], 1n);


/**
 * The five one-sided ANDs of the first round. Server 0's words: 0 = a,
 * 1 = a & A; server 1's: 0 = b, 1 = b & B; a shift of 1 turns a into A or b into B.
 */
const FIRST_ROUND: readonly OwnedPair[] = [
  { u: 0, uShift: 0, v: 0, vShift: 0 }, // a & b
  { u: 1, uShift: 0, v: 0, vShift: 1 }, // (a & A) & B
  { u: 0, uShift: 1, v: 1, vShift: 0 }, // A & (b & B)
  { u: 0, uShift: 0, v: 0, vShift: 1 }, // a & B
  { u: 0, uShift: 1, v: 0, vShift: 0 }, // A & b
];

const shifted = (t: RingTensor, by: number): RingTensor => (by === 0 ? t : ring.shl(t, by));

/**
 * XOR shares of the group generates G: bit k of G is the carry out of bit k
 * when adding server 0's and server 1's words, i.e. the carry into bit k + 1.
 */
function carries(ctx: TwoServerContext, x: SharedWords): XorShares {
  const { rt, servers } = ctx;
  const shape = x.shape;

  // Levels 0 and 1 in one round of one-sided ANDs.
  const op0 = rt.nextOp();
  const key0 = { op: op0, step: Step.adder };
  const t = ctx.triples.ownedAnds(op0, shape, 2, 2, FIRST_ROUND);
  const first = onServers(ctx, async (i) => {
    const w = await x.shares[i].value();
    const own = [w, ring.and(w, ring.shl(w, 1))];
    const masks = await Promise.all((i === 0 ? t.u : t.v).map((m) => m.value()));
    const mine = own.map((o, j) => ring.xor(o, masks[j]));
    rt.send(servers[i], servers[1 - i], key0, mine);
    const got = await rt.receive(servers[i], servers[1 - i], key0, [{ dtype: 'u64', shape }, { dtype: 'u64', shape }]);
    const theirs = got.map((g) => new RingTensor(shape, g.data as BigUint64Array));
    // X & Y for X = s0's word masked by u, Y = s1's word masked by v:
    // server 0 holds (u & e_Y) ^ c0, server 1 holds (e_X & Y) ^ c1.
    const terms = await Promise.all(
      FIRST_ROUND.map(async (pr, k) => {
        const c = await t.products[k][i].value();
        return i === 0
          ? ring.xor(ring.and(shifted(masks[pr.u], pr.uShift), shifted(theirs[pr.v], pr.vShift)), c)
          : ring.xor(ring.and(shifted(theirs[pr.u], pr.uShift), shifted(own[pr.v], pr.vShift)), c);
      }),
    );
    const g = ring.xor(ring.xor(terms[0], terms[1]), terms[2]);
    const p = ring.xor(ring.xor(own[1], terms[3]), terms[4]);
    return { g, p };
  }, op0);
  let G: XorShares = { shape, shares: onServers(ctx, async (i) => (await first[i].value()).g) };
  let P: XorShares = { shape, shares: onServers(ctx, async (i) => (await first[i].value()).p) };

  for (let s = 2; s <= 32; s *= 2) {
    const op = rt.nextOp();
    const [mG, mP] = openXor(ctx, op, [G, P]);
    // G <- G ^ (P & (G << s)), P <- P & (P << s)
    const gNext = andXor(ctx, op, mP, mG, s, 0, G);
    if (s < 32) P = andXor(ctx, op, mP, mP, s, 1);
    G = gNext;
  }
  return G;
}

/** XOR shares of the top bit of x (in bit 0 of each word). */
export function msbXor(ctx: TwoServerContext, x: SharedWords): XorShares {
  const carry = carries(ctx, x);
  // msb = p_63 ^ carry_63 with p = a ^ b (shares a and b) and carry_63 = G_62.
  const shares = onServers(ctx, async (i) =>
    ring.and(ring.xor(ring.shrLogical(await x.shares[i].value(), 63), ring.shrLogical(await carry.shares[i].value(), 62)), ONE),
  );
  return { shape: x.shape, shares };
}

/**
 * XOR shares of every bit of x = x0 + x1 mod 2^64 (bit decomposition, the same
 * adder run): bit k is p_k ^ carry_k with p = x0 ^ x1 and carry_k = G_(k-1).
 */
export function bitsXor(ctx: TwoServerContext, x: SharedWords): XorShares {
  const carry = carries(ctx, x);
  const shares = onServers(ctx, async (i) => ring.xor(await x.shares[i].value(), ring.shl(await carry.shares[i].value(), 1)));
  return { shape: x.shape, shares };
}
