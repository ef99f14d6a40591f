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
 * Then three levels, each opening G and P once (2 words each way): radix 2
 * at s = 2 (G <- G ^ (P & (G << s)), P <- P & (P << s)), radix 4 at s = 4 and
 * at s = 16 for G only (two radix-2 steps in one round, prefix4.ts). 4 rounds
 * (6 with radix 2 throughout, as adders of more than RADIX4_MAX_WORDS words
 * run); 5 + 2 + 14 + 10 dealer words per word.
 *
 * Two 32-bit lanes per word (msbXor with bits = 32): the sign of x is bit 31
 * of x mod 2^32 when |x| < 2^31, and the low 32 bits of the shares add to
 * x mod 2^32, so two values share a word (value k in bits 0..31, value
 * k + ceil(n/2) in bits 32..63). The first round's terms that shift a word
 * left are ANDed with a public word clearing bit 32 (G1 = g there, P1 = 0, as
 * at bit 0), and two radix-4 levels follow (s = 2 with P, s = 8 for G only):
 * 3 rounds, half the words. Lane 0's sign reads G at bit 30 (within lane 0);
 * lane 1's reads G at bit 62, which the s = 8 level builds from G and P at
 * bits 62, 54, 46 and 38, and the s = 2 level those from the first round's
 * at bits 32 and up (38 - 3 * 2 = 32): the first round at bit 32 is the one
 * step that could read lane 0, and the mask cuts it. (G at other bits of
 * lane 1 may see lane 0's carry; nothing reads them.)
 */
import * as ring from '../../ring/index.js';
import { RingTensor } from '../../ring/index.js';
import type { OwnedPair } from '../dealer/triple-source.js';
import { Step } from '../dealer/streams.js';
import { onServers, type SharedWords, type TwoServerContext } from '../two-server.js';
import { prefixLevel4 } from './prefix4.js';
import { andXor, openXor, type XorShares } from './xor.js';

const ONE = RingTensor.fill([], 1n);
const LOW32 = RingTensor.fill([], 0xffffffffn);

/** The adder's word layout: 64 (one value per word) or 32 (two values per word, in independent lanes). */
export type AdderBits = 64 | 32;

/** A public word with bit 32 cleared: where a left shift by 1 moves lane 0's top bit into lane 1. */
const LANE_CUT = RingTensor.fill([], 0xfffffffeffffffffn);


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

/** A prefix level after the first round: radix 2 or 4 at shift s, updating P too or G alone (the last). */
export interface PrefixLevel {
  readonly radix: 2 | 4;
  readonly s: number;
  readonly withP: boolean;
}

/**
 * The levels after the first round (span 2). 64 bits need the carry of bits
 * 62..0, a span of 63: 2 -> 4 -> 16 -> 64. The lanes need a span of 31:
 * 2 -> 8 -> 32. A radix-4 level costs one round where two radix-2 levels cost
 * two, for more dealer words (prefix4.ts); a radix-2 first step for 64 bits
 * makes the last level G alone (10 dealer words instead of 14).
 */
const LEVELS_64_RADIX4: readonly PrefixLevel[] = [
  { radix: 2, s: 2, withP: true },
  { radix: 4, s: 4, withP: true },
  { radix: 4, s: 16, withP: false },
];
const LEVELS_32_RADIX4: readonly PrefixLevel[] = [
  { radix: 4, s: 2, withP: true },
  { radix: 4, s: 8, withP: false },
];

/** Radix 2 throughout: spans 2 -> 4 -> ... -> 2 * (bits / 2), the last level G alone. */
function radix2Levels(bits: AdderBits): PrefixLevel[] {
  const levels: PrefixLevel[] = [];
  for (let s = 2; s <= bits / 2; s *= 2) levels.push({ radix: 2, s, withP: s < bits / 2 });
  return levels;
}
const LEVELS_64_RADIX2 = radix2Levels(64);
const LEVELS_32_RADIX2 = radix2Levels(32);

/**
 * Largest adder (in words) that uses radix-4 levels. A radix-4 level's local
 * work is about 45 ANDs of shifted words per word against 3 for a radix-2
 * level, and it deals 12 more words: on small tensors (a served query, one
 * image) the round it saves is worth more (a round across processes is a
 * few hundred microseconds); on a training batch or a CNN's feature maps the
 * work and bytes are. 2,048 words: a served batch of up to 16 rows of
 * network A's 128 units; larger adders, relu on 4,096 elements among them,
 * keep radix 2's 340 bytes per element. Both servers and the dealer see the
 * same shape, so they choose alike.
 */
export const RADIX4_MAX_WORDS = 2048;

/** The levels after the first round for an adder of `words` words. */
export function prefixLevels(words: number, bits: AdderBits): readonly PrefixLevel[] {
  if (words <= RADIX4_MAX_WORDS) return bits === 64 ? LEVELS_64_RADIX4 : LEVELS_32_RADIX4;
  return bits === 64 ? LEVELS_64_RADIX2 : LEVELS_32_RADIX2;
}

/**
 * XOR shares of the group generates G: bit k of G is the carry out of bit k
 * when adding server 0's and server 1's words, i.e. the carry into bit k + 1.
 */
function carries(ctx: TwoServerContext, x: SharedWords, bits: AdderBits = 64): XorShares {
  const lane = (t: RingTensor): RingTensor => (bits === 64 ? t : ring.and(t, LANE_CUT));
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
    // Terms 1 to 4 and a & A hold a shift by 1: cut at the lanes' border.
    const g = ring.xor(terms[0], lane(ring.xor(terms[1], terms[2])));
    const p = lane(ring.xor(ring.xor(own[1], terms[3]), terms[4]));
    return { g, p };
  }, op0);
  let G: XorShares = { shape, shares: onServers(ctx, async (i) => (await first[i].value()).g) };
  let P: XorShares = { shape, shares: onServers(ctx, async (i) => (await first[i].value()).p) };

  // Spans 2 -> 4 -> 16 -> 64 (64 bits) or 2 -> 8 -> 32 (32-bit lanes) on small
  // tensors, doubling on large ones; each level one round.
  for (const { radix, s, withP } of prefixLevels(ring.sizeOf(shape), bits)) {
    const op = rt.nextOp();
    if (radix === 4) {
      const next = prefixLevel4(ctx, op, G, P, s, withP);
      G = next.G;
      if (next.P !== undefined) P = next.P;
      continue;
    }
    const [mG, mP] = openXor(ctx, op, [G, P]);
    // G <- G ^ (P & (G << s)), P <- P & (P << s)
    const gNext = andXor(ctx, op, mP, mG, s, 0, G);
    if (withP) P = andXor(ctx, op, mP, mP, s, 1);
    G = gNext;
  }
  return G;
}

/**
 * XOR shares of the top bit of x (in bit 0 of each word). With bits = 32, of
 * bit 31 instead: the sign of x when |x| < 2^31 (see the lanes above); for
 * larger |x| the sign of x mod 2^32 read as a signed 32-bit integer.
 */
export function msbXor(ctx: TwoServerContext, x: SharedWords, bits: AdderBits = 64): XorShares {
  if (bits === 32) return msbXorLanes(ctx, x);
  const carry = carries(ctx, x);
  // msb = p_63 ^ carry_63 with p = a ^ b (shares a and b) and carry_63 = G_62.
  const shares = onServers(ctx, async (i) =>
    ring.and(ring.xor(ring.shrLogical(await x.shares[i].value(), 63), ring.shrLogical(await carry.shares[i].value(), 62)), ONE),
  );
  return { shape: x.shape, shares };
}

/** msbXor on 32-bit lanes: pack two values' low halves per word, one adder run, unpack the two sign bits. */
function msbXorLanes(ctx: TwoServerContext, x: SharedWords): XorShares {
  const n = ring.sizeOf(x.shape);
  const m = Math.ceil(n / 2);
  const packed: SharedWords = {
    shape: [m],
    shares: onServers(ctx, async (i) => {
      const flat = (await x.shares[i].value()).withShape([n]);
      const lo = ring.slice(flat, [0], [m]);
      const hi = n - m === m ? ring.slice(flat, [m], [m]) : ring.concat([...(n - m > 0 ? [ring.slice(flat, [m], [n - m])] : []), RingTensor.zeros([1])], 0);
      return ring.xor(ring.and(lo, LOW32), ring.shl(hi, 32));
    }),
  };
  const carry = carries(ctx, packed, 32);
  // Sign of lane 0: p_31 ^ G_30; of lane 1: p_63 ^ G_62.
  const shares = onServers(ctx, async (i) => {
    const w = await packed.shares[i].value();
    const g = await carry.shares[i].value();
    const sign0 = ring.and(ring.xor(ring.shrLogical(w, 31), ring.shrLogical(g, 30)), ONE);
    const sign1 = ring.and(ring.xor(ring.shrLogical(w, 63), ring.shrLogical(g, 62)), ONE);
    return (n === m ? sign0 : ring.concat([sign0, ring.slice(sign1, [0], [n - m])], 0)).withShape(x.shape);
  });
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
