/**
 * The sign bit of additively shared words by function secret sharing (Boyle
 * et al., Eurocrypt 2021): one round where the adder needs four to six. The
 * dealer deals a random mask r and the keys of a distributed comparison
 * function (crypto/dcf.ts) for alpha = r mod 2^bits; the servers open
 * y = x + r. Cutting y and r into their bit `bits` (the sign of a
 * (bits + 1)-bit word) and their low `bits` bits,
 *
 *   sign(x) = y_top ^ r_top ^ [y_low < r_low]
 *
 * (the low parts' subtraction borrows exactly when y_low < r_low), the last
 * term from each server's key evaluated at the public y_low. y reveals
 * nothing: r is uniform. The price is dealer traffic, about 16 bytes per
 * element and bit to each server, against the adder's few hundred bytes per
 * element online.
 */
import { dcfEval } from '../../crypto/index.js';
import * as ring from '../../ring/index.js';
import { RingTensor } from '../../ring/index.js';
import { onServers, openMasked, type SharedWords, type TwoServerContext } from '../two-server.js';
import type { XorShares } from './xor.js';

const ONE = RingTensor.fill([], 1n);

/**
 * Most elements one FSS comparison takes; larger ones use the adder. Keys
 * cost the crypto producer about 16 us per element (63 levels) and each
 * server 1 KB: for one query's activations (network A: 128 per layer) the
 * rounds saved matter more, for batches the adder's 5-10 times fewer dealt
 * bytes and its cheaper dealing do. bench:serving's 32 clients (batches of
 * about 10): 185 against 570 queries/s with every comparison by FSS, 369
 * against 514 up to 1,024 elements, 423 against 377 (noise) up to 256.
 */
export const FSS_MAX_ELEMENTS = 256;

/** Whether a sign of `n` elements goes by FSS under `method` (the protocol and its cost model decide alike). */
export function signsByFss(method: 'adder' | 'fss', n: number): boolean {
  return method === 'fss' && n <= FSS_MAX_ELEMENTS;
}

/** Words of 0/1 from bytes of 0/1. */
function wordsOf(bits: Uint8Array): BigUint64Array {
  const out = new BigUint64Array(bits.length);
  const w32 = new Uint32Array(out.buffer);
  for (let j = 0; j < bits.length; j++) w32[2 * j] = bits[j];
  return out;
}

/**
 * XOR shares (bit 0 of each word) of the sign of x read as a signed
 * `width`-bit integer (x mod 2^width): for width 64 the sign of every ring
 * element; for 32, of its low 32 bits.
 */
export function msbXorFss(ctx: TwoServerContext, x: SharedWords, width: 64 | 32 = 64): XorShares {
  const op = ctx.rt.nextOp();
  const bits = width - 1;
  const keys = ctx.triples.comparisonKeys(op, x.shape, bits);
  const opened = openMasked(ctx, op, [x], [{ shares: keys.r }], ring.add, ring.add);
  const shares = onServers(ctx, async (i) => {
    const [y] = await opened[i].value();
    const [cw, vcw] = await keys.corrections[i].value();
    const below = dcfEval(i, bits, (await keys.seeds[i].value()).data, { cw: cw.data, vcw: vcw.data }, y.data);
    let sign = ring.xor(ring.unpackBits(await keys.top[i].value(), x.shape), new RingTensor(x.shape, wordsOf(below)));
    // The public y_top is added by server 0 alone.
    if (i === 0) sign = ring.xor(sign, ring.and(ring.shrLogical(y, bits), ONE));
    return sign;
  }, op);
  return { shape: x.shape, shares };
}
