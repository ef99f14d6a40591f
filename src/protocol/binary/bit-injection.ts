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
import type { MaskShares, RandomBits, ServerPair } from '../dealer/triple-source.js';
import { Step } from '../dealer/streams.js';
import { onServers, type TwoServerContext } from '../two-server.js';
import type { XorShares } from './xor.js';

const ONE = RingTensor.fill([], 1n);

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
  const shape = b.shape;
  const op = ctx.rt.nextOp();
  const r = ctx.triples.randomBits(op, shape, xs.map((x) => x.beaverMask));
  const opened = openPacked(ctx, op, r, onServers(ctx, async (i) => ring.packBits(await b.shares[i].value())));
  // b = c + (1 - 2c) r: injectDot with one row of weight 1.
  const bits = onServers(ctx, async (i) => ring.injectDot(await opened[i].value(), (await r.arith[i].value()).withShape([1, ...shape]), ONE, i === 0));
  const products: ServerPair<RingTensor>[] = [];
  if (xs.length > 0) {
    const c = onServers(ctx, async (i) => ring.unpackBits(await opened[i].value(), shape));
    for (const [j, x] of xs.entries()) {
      // c x + (1 - 2c) (alpha r + a r), fused.
      products.push(onServers(ctx, async (i) => ring.selectMulAdd(await c[i].value(), await x.shares[i].value(), await x.alpha[i].value(), await r.arith[i].value(), await r.products[j][i].value())));
    }
  }
  return { bits, products };
}

/** XOR shares of `count` rows of bits over `shape`, packed row by row (ring.packBitRows): bit k * size + i is row k's bit of element i. */
export interface PackedBitRows {
  readonly shape: Shape;
  readonly count: number;
  readonly shares: ServerPair<RingTensor>;
}

/**
 * Additive shares of sum_k w_k b_k over the rows b_k, one result for each
 * vector w of public words (one per row), from one injection of all the
 * bits: the round and dealer words of injectBits on [count, ...shape], but
 * neither the bits nor their weighted copies are ever formed (one pass of
 * ring.injectDot per result over the dealer's words).
 */
export function injectDots(ctx: TwoServerContext, rows: PackedBitRows, weights: readonly RingTensor[]): ServerPair<RingTensor>[] {
  const shape = [rows.count, ...rows.shape];
  const op = ctx.rt.nextOp();
  const r = ctx.triples.randomBits(op, shape, []);
  const opened = openPacked(ctx, op, r, rows.shares);
  return weights.map((w) => onServers(ctx, async (i) => ring.injectDot(await opened[i].value(), await r.arith[i].value(), w, i === 0)));
}

/** Opens c = b ^ r from packed XOR shares of b (one message each way, 64 bits per word); packed c on each server. */
function openPacked(ctx: TwoServerContext, op: number, r: RandomBits, packedB: ServerPair<RingTensor>): ServerPair<RingTensor> {
  const { rt, servers } = ctx;
  const key = { op, step: Step.bits };
  return onServers(ctx, async (i) => {
    const mine = ring.xor(await packedB[i].value(), await r.xor[i].value());
    rt.send(servers[i], servers[1 - i], key, [mine]);
    const [got] = await rt.receive(servers[i], servers[1 - i], key, [{ dtype: 'u64', shape: mine.shape }]);
    return ring.xor(mine, new RingTensor(mine.shape, got.data as BigUint64Array));
  }, op);
}

/** NOT of XOR-shared bits: server 0 flips bit 0. */
export function notBits(ctx: TwoServerContext, b: XorShares): XorShares {
  return { shape: b.shape, shares: onServers(ctx, async (i) => (i === 0 ? ring.xor(await b.shares[i].value(), ONE) : b.shares[i].value())) };
}
