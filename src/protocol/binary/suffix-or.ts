/**
 * Suffix OR of XOR-shared words: bit k of the result is the OR of bits
 * k..k+span-1 of the input, by doubling (Kogge-Stone, as the adder):
 *   O <- O | (O >> s) = O ^ (O >> s) ^ (O & (O >> s)),  s = 1, 2, 4, ...
 * The AND of a word with its right shift is the right shift of the AND with
 * the left shift, (O & (O << s)) >> s, so the adder's bilinear map serves and
 * the shifts stay local. One round per level, one word each way and one
 * dealer word per level.
 */
import * as ring from '../../ring/index.js';
import { onServers, type TwoServerContext } from '../two-server.js';
import { andXor, openXor, type XorShares } from './xor.js';

/** The levels for a window of `span` bits: s = 1, 2, ... while the window is shorter. */
export function suffixOrLevels(span: number): number {
  let levels = 0;
  for (let covered = 1; covered < span; covered *= 2) levels += 1;
  return levels;
}

/** XOR shares of OR_{m=k}^{k+span-1} bit m of w, in bit k (bits past 63 count as 0). */
export function suffixOr(ctx: TwoServerContext, w: XorShares, span: number): XorShares {
  let o = w;
  for (let s = 1; s < span; s *= 2) {
    const op = ctx.rt.nextOp();
    const [m] = openXor(ctx, op, [o]);
    const both = andXor(ctx, op, m, m, s, 0);
    const cur = o;
    const shift = s;
    o = {
      shape: w.shape,
      shares: onServers(ctx, async (i) => {
        const v = await cur.shares[i].value();
        return ring.xor(ring.xor(v, ring.shrLogical(v, shift)), ring.shrLogical(await both.shares[i].value(), shift));
      }),
    };
  }
  return o;
}
