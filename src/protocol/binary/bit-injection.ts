/**
 * Binary to arithmetic for bits, and multiplication of arithmetic values by a
 * secret bit, in one round. The dealer deals a random bit r, shared by XOR and
 * additively, and [a_j * r] for the Beaver masks a_j of the values. The servers
 * open c = b ^ r (bits travel packed, 64 per word); then, c being public,
 *   b = c + (1 - 2c) r,    x b = c x + (1 - 2c) x r,   x r = alpha r + a r
 * where alpha = x - a is x's opened mask. Nothing is truncated: b is 0 or 1.
 */
import * as ring from '../../ring/index.js';
import { RingTensor, type Shape } from '../../ring/index.js';
import type { MaskShares, ServerPair } from '../dealer/triple-source.js';
import { Step } from '../dealer/streams.js';
import { onServers, type TwoServerContext } from '../two-server.js';
import type { XorShares } from './xor.js';

const ONE = RingTensor.fill([], 1n);
const TWO = RingTensor.fill([], 2n);

/** An arithmetic value with its Beaver mask opened (a Pond masked tensor has this shape). */
export interface MaskedArithmetic {
  readonly shape: Shape;
  readonly shares: ServerPair<RingTensor>;
  readonly beaverMask: MaskShares;
  /** alpha = x - a, on each server. */
  readonly alpha: ServerPair<RingTensor>;
}

/** What bit injection yields: additive shares of b and of x_j * b. */
export interface InjectedBits {
  readonly bits: ServerPair<RingTensor>;
  readonly products: readonly ServerPair<RingTensor>[];
}

/**
 * Additive shares of the bits `b` (bit 0 of XOR-shared words) and of x_j * b
 * for each masked x_j of the same shape, in one round.
 */
export function injectBits(ctx: TwoServerContext, b: XorShares, xs: readonly MaskedArithmetic[] = []): InjectedBits {
  const { rt, servers } = ctx;
  const shape = b.shape;
  const op = rt.nextOp();
  const key = { op, step: Step.bits };
  const r = ctx.triples.randomBits(op, shape, xs.map((x) => x.beaverMask));
  const packedShape = [Math.ceil(ring.sizeOf(shape) / 64)];
  // c = b ^ r, opened; oneMinus2c = 1 - 2c.
  const opened = onServers(ctx, async (i) => {
    const mine = ring.and(ring.xor(await b.shares[i].value(), await r.xor[i].value()), ONE);
    rt.send(servers[i], servers[1 - i], key, [ring.packBits(mine)]);
    const [got] = await rt.receive(servers[i], servers[1 - i], key, [{ dtype: 'u64', shape: packedShape }]);
    const c = ring.xor(mine, ring.unpackBits(new RingTensor(packedShape, got.data as BigUint64Array), shape));
    return { c, oneMinus2c: ring.sub(ONE, ring.mul(TWO, c)) };
  }, op);
  const bits = onServers(ctx, async (i) => {
    const { c, oneMinus2c } = await opened[i].value();
    const rb = ring.mul(oneMinus2c, await r.arith[i].value());
    return i === 0 ? ring.add(c, rb) : rb;
  });
  const products = xs.map((x, j) =>
    onServers(ctx, async (i) => {
      const { c } = await opened[i].value();
      // c x + (1 - 2c) (alpha r + a r), fused.
      return ring.selectMulAdd(c, await x.shares[i].value(), await x.alpha[i].value(), await r.arith[i].value(), await r.products[j][i].value());
    }),
  );
  return { bits, products };
}

/** NOT of XOR-shared bits: server 0 flips bit 0. */
export function notBits(ctx: TwoServerContext, b: XorShares): XorShares {
  return { shape: b.shape, shares: onServers(ctx, async (i) => (i === 0 ? ring.xor(await b.shares[i].value(), ONE) : b.shares[i].value())) };
}
