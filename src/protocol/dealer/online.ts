/**
 * The crypto producer online: a dealer that shares a PRG key with each server
 * once, then derives every server-0 value and every server-1 mask from those
 * keys. Only values that depend on both keys (c1 = ab - c0, truncation and
 * bit-injection corrections) travel, to server 1, as preprocessing traffic.
 * The dealer never receives anything from the servers.
 */
import { osRandom, Prg, SEED_BYTES, type RandomSource } from '../../crypto/index.js';
import * as ring from '../../ring/index.js';
import { RingTensor, sizeOf, type Shape } from '../../ring/index.js';
import type { Placed } from '../placed.js';
import type { Runtime } from '../runtime.js';
import { PrgStreams, Step, Stream, type StreamTag } from './streams.js';
import type { BilinearOp, MaskShares, OwnedAnds, OwnedPair, RandomBits, ServerPair, TripleSource, TruncationShares } from './triple-source.js';

const LOW63 = RingTensor.fill([], (1n << 63n) - 1n);
const ONE = RingTensor.fill([], 1n);

export class OnlineTripleSource implements TripleSource {
  /** Each server's PRG, keyed by the dealer. */
  private readonly serverPrg: ServerPair<PrgStreams>;
  /** Both PRGs, on the dealer. */
  private readonly dealerPrg: Placed<readonly [PrgStreams, PrgStreams]>;

  constructor(
    private readonly rt: Runtime,
    private readonly servers: readonly [string, string],
    private readonly dealer: string,
    random: RandomSource = osRandom,
  ) {
    const op = rt.nextOp();
    const key = { op, step: Step.setup };
    this.dealerPrg = rt.on(dealer, () => {
      const seeds = [random.seed(), random.seed()] as const;
      seeds.forEach((seed, i) => rt.send(dealer, servers[i], key, [{ shape: [SEED_BYTES], data: seed }], 'preprocessing'));
      return [new PrgStreams(new Prg(seeds[0]), `${dealer} (${servers[0]}'s key)`), new PrgStreams(new Prg(seeds[1]), `${dealer} (${servers[1]}'s key)`)] as const;
    }, op);
    const expect = [{ dtype: 'u8' as const, shape: [SEED_BYTES] }];
    const keyOf = (i: 0 | 1): Placed<PrgStreams> =>
      rt.on(servers[i], async () => new PrgStreams(new Prg((await rt.receive(servers[i], dealer, key, expect))[0].data as Uint8Array), servers[i]), op);
    this.serverPrg = [keyOf(0), keyOf(1)];
  }

  // ------------------------------------------------------------ streams

  private static async words(prg: PrgStreams, op: number, tag: StreamTag, shape: Shape, slot: number): Promise<RingTensor> {
    return new RingTensor(shape, await prg.words(op, tag, slot, sizeOf(shape)));
  }

  /** Server i's stream (op, tag, slot). */
  private serverStream(i: 0 | 1, op: number, tag: StreamTag, shape: Shape, slot = 0): Placed<RingTensor> {
    return this.rt.on(this.servers[i], async () => OnlineTripleSource.words(await this.serverPrg[i].value(), op, tag, shape, slot), op);
  }

  /** Both servers' streams (op, tag, slot), on the dealer. */
  private async dealerStreams(op: number, tag: StreamTag, shape: Shape, slot = 0): Promise<[RingTensor, RingTensor]> {
    const [p0, p1] = await this.dealerPrg.value();
    return Promise.all([OnlineTripleSource.words(p0, op, tag, shape, slot), OnlineTripleSource.words(p1, op, tag, shape, slot)]);
  }

  /**
   * The dealer computes `corrections` (tensors of `shapes`) and sends them to
   * server 1 in one message; returns them as placed on server 1.
   */
  private toServer1(op: number, slot: number, shapes: readonly Shape[], corrections: () => Promise<RingTensor[]>): Placed<RingTensor[]> {
    const key = { op, step: Step.dealer + slot };
    const rt = this.rt;
    rt.on(this.dealer, async () => rt.send(this.dealer, this.servers[1], key, await corrections(), 'preprocessing'), op);
    return rt.on(this.servers[1], async () => {
      const got = await rt.receive(this.servers[1], this.dealer, key, shapes.map((shape) => ({ dtype: 'u64' as const, shape })));
      return got.map((t, j) => new RingTensor(shapes[j], t.data as BigUint64Array));
    }, op);
  }

  private pick(p: Placed<RingTensor[]>, j: number): Placed<RingTensor> {
    return this.rt.on(this.servers[1], async () => (await p.value())[j]);
  }

  // ------------------------------------------------------------ arithmetic

  mask(op: number, shape: Shape): MaskShares {
    const shares = [this.serverStream(0, op, Stream.mask, shape), this.serverStream(1, op, Stream.mask, shape)] as const;
    const full = this.rt.on(this.dealer, async () => {
      const [a0, a1] = await this.dealerStreams(op, Stream.mask, shape);
      return ring.add(a0, a1);
    }, op);
    return { shape, shares, full };
  }

  product(op: number, a: MaskShares, b: MaskShares, bilinear: BilinearOp, outShape: Shape): ServerPair<RingTensor> {
    const c1 = this.toServer1(op, 0, [outShape], async () => {
      const [p0] = await this.dealerPrg.value();
      const c = bilinear.apply(await a.full.value(), await b.full.value());
      return [ring.sub(c, await OnlineTripleSource.words(p0, op, Stream.product, outShape, 0))];
    });
    return [this.serverStream(0, op, Stream.product, outShape), this.pick(c1, 0)];
  }

  ownedMask(op: number, shape: Shape, owner: string): { readonly mask: MaskShares; readonly forOwner: Placed<RingTensor> } {
    const mask = this.mask(op, shape);
    const key = { op, step: Step.dealer + 15 };
    const rt = this.rt;
    if (owner === this.dealer) return { mask, forOwner: mask.full };
    rt.on(this.dealer, async () => rt.send(this.dealer, owner, key, [await mask.full.value()], 'preprocessing'), op);
    const forOwner = rt.on(owner, () => rt.receiveTensor(owner, this.dealer, key, shape), op);
    return { mask, forOwner };
  }

  truncation(op: number, shape: Shape, bits: number): TruncationShares {
    const fix = this.toServer1(op, 1, [shape, shape], async () => {
      const [r0, r1] = await this.dealerStreams(op, Stream.truncR, shape);
      const [h0] = await this.dealerStreams(op, Stream.truncHigh, shape);
      const [t0] = await this.dealerStreams(op, Stream.truncTop, shape);
      const r = ring.add(r0, r1);
      const high = ring.shrLogical(ring.and(r, LOW63), bits);
      const top = ring.shrLogical(r, 63);
      return [ring.sub(high, h0), ring.sub(top, t0)];
    });
    return {
      r: [this.serverStream(0, op, Stream.truncR, shape), this.serverStream(1, op, Stream.truncR, shape)],
      rHigh: [this.serverStream(0, op, Stream.truncHigh, shape), this.pick(fix, 0)],
      rTop: [this.serverStream(0, op, Stream.truncTop, shape), this.pick(fix, 1)],
    };
  }

  // ------------------------------------------------------------ binary

  binaryMask(op: number, shape: Shape, slot: number): MaskShares {
    const shares = [this.serverStream(0, op, Stream.binaryMaskA, shape, slot), this.serverStream(1, op, Stream.binaryMaskA, shape, slot)] as const;
    const full = this.rt.on(this.dealer, async () => {
      const [a0, a1] = await this.dealerStreams(op, Stream.binaryMaskA, shape, slot);
      return ring.xor(a0, a1);
    }, op);
    return { shape, shares, full };
  }

  binaryProduct(op: number, a: MaskShares, b: MaskShares, f: BilinearOp, outShape: Shape, slot: number): ServerPair<RingTensor> {
    const c1 = this.toServer1(op, 2 + slot, [outShape], async () => {
      const [p0] = await this.dealerPrg.value();
      const c = f.apply(await a.full.value(), await b.full.value());
      return [ring.xor(c, await OnlineTripleSource.words(p0, op, Stream.binaryProduct, outShape, slot))];
    });
    return [this.serverStream(0, op, Stream.binaryProduct, outShape, slot), this.pick(c1, 0)];
  }

  ownedAnds(op: number, shape: Shape, uCount: number, vCount: number, pairs: readonly OwnedPair[]): OwnedAnds {
    const u = Array.from({ length: uCount }, (_, i) => this.serverStream(0, op, Stream.ownedU, shape, i));
    const v = Array.from({ length: vCount }, (_, j) => this.serverStream(1, op, Stream.ownedV, shape, j));
    const shifted = (t: RingTensor, by: number): RingTensor => (by === 0 ? t : ring.shl(t, by));
    const fix = this.toServer1(op, 0, pairs.map(() => shape), async () => {
      const [p0, p1] = await this.dealerPrg.value();
      const us = await Promise.all(Array.from({ length: uCount }, (_, i) => OnlineTripleSource.words(p0, op, Stream.ownedU, shape, i)));
      const vs = await Promise.all(Array.from({ length: vCount }, (_, j) => OnlineTripleSource.words(p1, op, Stream.ownedV, shape, j)));
      return Promise.all(pairs.map(async (pr, k) => ring.xor(ring.and(shifted(us[pr.u], pr.uShift), shifted(vs[pr.v], pr.vShift)), await OnlineTripleSource.words(p0, op, Stream.ownedC, shape, k))));
    });
    const products = pairs.map((_, k) => [this.serverStream(0, op, Stream.ownedC, shape, k), this.pick(fix, k)] as const);
    return { u, v, products };
  }

  randomBits(op: number, shape: Shape, masks: readonly MaskShares[]): RandomBits {
    const bit = (p: Placed<RingTensor>, i: 0 | 1): Placed<RingTensor> => this.rt.on(this.servers[i], async () => ring.and(await p.value(), ONE));
    const xor = [bit(this.serverStream(0, op, Stream.bitsR, shape), 0), bit(this.serverStream(1, op, Stream.bitsR, shape), 1)] as const;
    const fix = this.toServer1(op, 1, [shape, ...masks.map(() => shape)], async () => {
      const [s0, s1] = await this.dealerStreams(op, Stream.bitsR, shape);
      const r = ring.and(ring.xor(s0, s1), ONE);
      const [p0] = await this.dealerPrg.value();
      const out = [ring.sub(r, await OnlineTripleSource.words(p0, op, Stream.bitsArith, shape, 0))];
      for (const [j, m] of masks.entries()) {
        out.push(ring.sub(ring.mul(await m.full.value(), r), await OnlineTripleSource.words(p0, op, Stream.bitsProduct, shape, j)));
      }
      return out;
    });
    return {
      xor,
      arith: [this.serverStream(0, op, Stream.bitsArith, shape), this.pick(fix, 0)],
      products: masks.map((_, j) => [this.serverStream(0, op, Stream.bitsProduct, shape, j), this.pick(fix, 1 + j)] as const),
    };
  }
}
