/**
 * Binary (XOR) sharing of 64-bit words beside the arithmetic one: x = x0 ^ x1,
 * x_i on server i. AND is bilinear over GF(2)^64, so it has a Beaver
 * multiplication of its own: with masks a, b and opened d = x ^ a, e = y ^ b,
 *   f(x, y) = f(d, e) ^ f(d, b) ^ f(a, e) ^ f(a, b)
 * for any bitwise-bilinear f, here u & (v << s) (AND with a shift, which the
 * parallel-prefix adder needs). A masked value's shifts are masked by the
 * shifted mask, so each value is opened once however it is used.
 */
import * as ring from '../../ring/index.js';
import type { RingTensor } from '../../ring/index.js';
import type { BilinearOp, MaskShares, ServerPair } from '../dealer/triple-source.js';
import { onServers, openMasked, pick, type SharedWords, type TwoServerContext } from '../two-server.js';

/** XOR shares of words. */
export type XorShares = SharedWords;

/** An XOR-shared value with its mask and the opened value ^ mask on each server. */
export interface MaskedXor {
  readonly value: XorShares;
  readonly mask: MaskShares;
  readonly opened: ServerPair<RingTensor>;
}

/** u & (v << shift): the bitwise-bilinear maps of the adder. */
export function andShifted(shift: number): BilinearOp {
  return {
    name: 'and',
    outShape: (x) => x,
    apply: (u, v) => ring.and(u, shift === 0 ? v : ring.shl(v, shift)),
  };
}

/**
 * Masks `values` with fresh XOR masks of operation `op` (slots from
 * `firstSlot`) and opens them in one message each way.
 */
export function openXor(ctx: TwoServerContext, op: number, values: readonly XorShares[], firstSlot = 0): MaskedXor[] {
  const masks = values.map((v, j) => ctx.triples.binaryMask(op, v.shape, firstSlot + j));
  const opened = openMasked(ctx, op, values, masks, ring.xor, ring.xor);
  return values.map((value, j) => ({ value, mask: masks[j], opened: pick(ctx, opened, j) }));
}

/**
 * XOR shares of x & (y << shift) for masked x and y, XORed with `xorWith` when
 * given (no communication beyond the dealer's): one fused kernel per server,
 *   z_i = c_i ^ (d & (b_i << s)) ^ (a_i & (e << s)) [^ (d & (e << s)) on server 0] [^ w_i].
 */
export function andXor(ctx: TwoServerContext, op: number, x: MaskedXor, y: MaskedXor, shift: number, slot: number, xorWith?: XorShares): XorShares {
  const shape = x.value.shape;
  const c = ctx.triples.binaryProduct(op, x.mask, y.mask, andShifted(shift), shape, slot);
  const shares = onServers(ctx, async (i) => {
    const w = xorWith === undefined ? undefined : await xorWith.shares[i].value();
    return ring.andShifted(
      await c[i].value(),
      await x.opened[i].value(),
      await y.mask.shares[i].value(),
      await x.mask.shares[i].value(),
      await y.opened[i].value(),
      shift,
      i === 0,
      w,
    );
  }, op);
  return { shape, shares };
}
