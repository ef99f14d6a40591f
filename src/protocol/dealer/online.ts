/**
 * The crypto producer online: a dealer that shares a PRG key with each server
 * once, then derives every server-0 value and every server-1 mask from those
 * keys. Only the values that depend on both keys (c1 = ab - c0, the truncation
 * corrections) travel, to server 1, as preprocessing traffic. The dealer never
 * receives anything from the servers.
 */
import { osRandom, Prg, SEED_BYTES, type RandomSource } from '../../crypto/index.js';
import * as ring from '../../ring/index.js';
import { RingTensor, sizeOf, type Shape } from '../../ring/index.js';
import type { Placed } from '../placed.js';
import type { Runtime } from '../runtime.js';
import { Step, Stream, streamId, type StreamTag } from './streams.js';
import type { BilinearOp, MaskShares, ServerPair, TripleSource, TruncationShares } from './triple-source.js';

const LOW63 = (1n << 63n) - 1n;

export class OnlineTripleSource implements TripleSource {
  /** Each server's PRG, keyed by the dealer. */
  private readonly serverPrg: ServerPair<Prg>;
  /** Both PRGs, on the dealer. */
  private readonly dealerPrg: Placed<readonly [Prg, Prg]>;

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
      return [new Prg(seeds[0]), new Prg(seeds[1])] as const;
    }, op);
    const expect = [{ dtype: 'u8' as const, shape: [SEED_BYTES] }];
    this.serverPrg = [0, 1].map((i) =>
      rt.on(servers[i], async () => {
        const [seed] = await rt.receive(servers[i], dealer, key, expect);
        return new Prg(seed.data as Uint8Array);
      }, op),
    ) as unknown as ServerPair<Prg>;
  }

  /** Server i's stream (op, tag) as a ring tensor of `shape`. */
  private serverStream(i: 0 | 1, op: number, tag: StreamTag, shape: Shape): Placed<RingTensor> {
    return this.rt.on(this.servers[i], async () => {
      const prg = await this.serverPrg[i].value();
      return new RingTensor(shape, prg.words(streamId(op, tag), sizeOf(shape)));
    }, op);
  }

  private static stream(prg: Prg, op: number, tag: StreamTag, shape: Shape): RingTensor {
    return new RingTensor(shape, prg.words(streamId(op, tag), sizeOf(shape)));
  }

  mask(op: number, shape: Shape): MaskShares {
    const shares = [this.serverStream(0, op, Stream.mask, shape), this.serverStream(1, op, Stream.mask, shape)] as const;
    const full = this.rt.on(this.dealer, async () => {
      const [p0, p1] = await this.dealerPrg.value();
      return ring.add(OnlineTripleSource.stream(p0, op, Stream.mask, shape), OnlineTripleSource.stream(p1, op, Stream.mask, shape));
    });
    return { shape, shares, full };
  }

  product(op: number, a: MaskShares, b: MaskShares, bilinear: BilinearOp, outShape: Shape): ServerPair<RingTensor> {
    const key = { op, step: Step.dealer };
    const rt = this.rt;
    rt.on(this.dealer, async () => {
      const [p0] = await this.dealerPrg.value();
      const c = bilinear.apply(await a.full.value(), await b.full.value());
      const c1 = ring.sub(c, OnlineTripleSource.stream(p0, op, Stream.product, outShape));
      rt.send(this.dealer, this.servers[1], key, [c1], 'preprocessing');
    }, op);
    const c0 = this.serverStream(0, op, Stream.product, outShape);
    const c1 = rt.on(this.servers[1], async () => {
      const [t] = await rt.receive(this.servers[1], this.dealer, key, [{ dtype: 'u64', shape: outShape }]);
      return new RingTensor(outShape, t.data as BigUint64Array);
    }, op);
    return [c0, c1];
  }

  truncation(op: number, shape: Shape, bits: number): TruncationShares {
    const key = { op, step: Step.dealer2 };
    const rt = this.rt;
    rt.on(this.dealer, async () => {
      const [p0, p1] = await this.dealerPrg.value();
      const r = ring.add(OnlineTripleSource.stream(p0, op, Stream.truncR, shape), OnlineTripleSource.stream(p1, op, Stream.truncR, shape));
      const high = ring.shrLogical(ring.and(r, RingTensor.fill([], LOW63)), bits);
      const top = ring.shrLogical(r, 63);
      rt.send(this.dealer, this.servers[1], key, [
        ring.sub(high, OnlineTripleSource.stream(p0, op, Stream.truncHigh, shape)),
        ring.sub(top, OnlineTripleSource.stream(p0, op, Stream.truncTop, shape)),
      ], 'preprocessing');
    }, op);
    const corrections = rt.on(this.servers[1], () =>
      rt.receive(this.servers[1], this.dealer, key, [
        { dtype: 'u64', shape },
        { dtype: 'u64', shape },
      ]),
      op,
    );
    const fromDealer = (j: 0 | 1): Placed<RingTensor> =>
      rt.on(this.servers[1], async () => new RingTensor(shape, (await corrections.value())[j].data as BigUint64Array));
    return {
      r: [this.serverStream(0, op, Stream.truncR, shape), this.serverStream(1, op, Stream.truncR, shape)],
      rHigh: [this.serverStream(0, op, Stream.truncHigh, shape), fromDealer(0)],
      rTop: [this.serverStream(0, op, Stream.truncTop, shape), fromDealer(1)],
    };
  }
}
