/**
 * The crypto producer online: a dealer that shares a PRG key with each server
 * once, then derives every server-0 value and every server-1 mask from those
 * keys. Only values that depend on both keys (c1 = ab - c0, truncation and
 * bit-injection corrections) travel, to server 1, as preprocessing traffic;
 * comparison keys' correction words, the same for both servers, go to both.
 * The dealer receives no data from the servers: only their empty
 * acknowledgements of how far they have got (window.ts), which pace it.
 *
 * Each request first fixes where its randomness comes from ({@link DealerKeys}:
 * the PRG keys, the stream index, the way corrections reach the servers), then
 * every formula below reads only those keys. Online, the keys are the ones
 * exchanged at construction and the stream index is the operation id; a
 * preprocessed source (preprocessed.ts) supplies per-batch keys instead and
 * reuses the same formulas.
 */
import { dcfGen, osRandom, packedWords, Prg, SEED_BYTES, type RandomSource } from '../../crypto/index.js';
import { check } from '../../errors.js';
import * as ring from '../../ring/index.js';
import { RingTensor, sizeOf, type Shape } from '../../ring/index.js';
import type { Placed } from '../placed.js';
import type { Runtime } from '../runtime.js';
import { PrgStreams, Step, Stream, type StreamTag } from './streams.js';
import { DealerWindow } from './window.js';
import type { BilinearOp, ComparisonKeys, MaskShares, OwnedAnds, OwnedPair, RandomBits, ServerPair, TripleSource, TruncationShares } from './triple-source.js';

const LOW63 = RingTensor.fill([], (1n << 63n) - 1n);
const ONE = RingTensor.fill([], 1n);

/**
 * Where the randomness of one request comes from, fixed when the request is
 * made (before any of its work runs).
 */
export interface DealerKeys {
  /** Operation id of the request (for failure reports). */
  readonly op: number;
  /** Stream index: the operation id online, the request's offset in its batch for a bundle. */
  readonly index: number;
  /** Server i's PRG streams, placed on server i. */
  readonly server: ServerPair<PrgStreams>;
  /** Both servers' PRG streams, on the dealer. */
  readonly dealer: Placed<readonly [PrgStreams, PrgStreams]>;
  /**
   * Correction tensors of `shapes` that the dealer computes (`corrections`, run
   * on the dealer) and server `to` needs: placed on that server. `slot` tells
   * the corrections of one request apart (below 16). Server 0 gets
   * corrections only where both need the same public words (comparison keys).
   */
  toServer(to: 0 | 1, slot: number, shapes: readonly Shape[], corrections: () => Promise<RingTensor[]>): Placed<RingTensor[]>;
}

export class OnlineTripleSource implements TripleSource {
  /** Each server's PRG, keyed by the dealer. */
  private readonly serverPrg: ServerPair<PrgStreams>;
  /** Both PRGs, on the dealer. */
  private readonly dealerPrg: Placed<readonly [PrgStreams, PrgStreams]>;
  /** Paces the dealer and the servers' streams (absent: no pacing). */
  private readonly window: DealerWindow | undefined;

  /** @param dealerWindow see `PondOptions.dealerWindow`; undefined: the dealer runs free. */
  constructor(
    protected readonly rt: Runtime,
    protected readonly servers: readonly [string, string],
    protected readonly dealer: string,
    random: RandomSource = osRandom,
    dealerWindow?: number,
  ) {
    this.window = dealerWindow === undefined ? undefined : new DealerWindow(rt, servers, dealer, dealerWindow);
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

  /** The keys of a request made in operation `op`: the online ones (overridden by preprocessed sources). */
  protected keys(op: number): DealerKeys {
    const window = this.window;
    return {
      op,
      index: op,
      server: this.serverPrg,
      // Online, the dealer's work of op waits for the window (window.ts).
      dealer:
        window === undefined || (this.rt.isLocal(this.dealer) && window.dealerReached(op))
          ? this.dealerPrg
          : this.rt.on(this.dealer, async () => {
              await window.dealerReady(op);
              // One acknowledgement releases many ops at once: let heartbeats through between them.
              await this.rt.yieldTurn();
              return this.dealerPrg.value();
            }),
      toServer: (to, slot, shapes, corrections) => this.sendToServer(to, op, slot, shapes, corrections),
    };
  }

  /** The dealer sends `corrections` to server `to` in one message of operation `op`. */
  private sendToServer(to: 0 | 1, op: number, slot: number, shapes: readonly Shape[], corrections: () => Promise<RingTensor[]>): Placed<RingTensor[]> {
    const key = { op, step: Step.dealer + slot };
    const rt = this.rt;
    const server = this.servers[to];
    rt.on(this.dealer, async () => rt.send(this.dealer, server, key, await corrections(), 'preprocessing'), op);
    return rt.on(server, async () => {
      const got = await rt.receive(server, this.dealer, key, shapes.map((shape) => ({ dtype: 'u64' as const, shape })));
      return got.map((t, j) => new RingTensor(shapes[j], t.data as BigUint64Array));
    }, op);
  }

  // ------------------------------------------------------------ streams

  private static async words(prg: PrgStreams, index: number, tag: StreamTag, shape: Shape, slot: number): Promise<RingTensor> {
    return new RingTensor(shape, await prg.words(index, tag, slot, sizeOf(shape)));
  }

  /** Server i's stream (index, tag, slot). */
  private serverStream(k: DealerKeys, i: 0 | 1, tag: StreamTag, shape: Shape, slot = 0): Placed<RingTensor> {
    const window = this.window;
    return this.rt.on(this.servers[i], async () => {
      if (window !== undefined && !window.serverReached(i, k.op)) {
        await window.serverReady(i, k.op);
        await this.rt.yieldTurn();
      }
      return OnlineTripleSource.words(await k.server[i].value(), k.index, tag, shape, slot);
    }, k.op);
  }

  /** Server j's stream (index, tag, slot), on the dealer. */
  private async dealerStream(k: DealerKeys, j: 0 | 1, tag: StreamTag, shape: Shape, slot = 0): Promise<RingTensor> {
    return OnlineTripleSource.words((await k.dealer.value())[j], k.index, tag, shape, slot);
  }

  /** Both servers' streams (index, tag, slot), on the dealer. */
  private async dealerStreams(k: DealerKeys, tag: StreamTag, shape: Shape, slot = 0): Promise<[RingTensor, RingTensor]> {
    return [await this.dealerStream(k, 0, tag, shape, slot), await this.dealerStream(k, 1, tag, shape, slot)];
  }

  private pick(p: Placed<RingTensor[]>, j: number): Placed<RingTensor> {
    return this.rt.on(this.servers[1], async () => (await p.value())[j]);
  }

  // ------------------------------------------------------------ arithmetic

  mask(op: number, shape: Shape): MaskShares {
    return this.maskOf(this.keys(op), shape);
  }

  private maskOf(k: DealerKeys, shape: Shape): MaskShares {
    const shares = [this.serverStream(k, 0, Stream.mask, shape), this.serverStream(k, 1, Stream.mask, shape)] as const;
    const full = this.rt.on(this.dealer, async () => {
      const [a0, a1] = await this.dealerStreams(k, Stream.mask, shape);
      return ring.add(a0, a1);
    }, k.op);
    return { shape, shares, full };
  }

  product(op: number, a: MaskShares, b: MaskShares, bilinear: BilinearOp, outShape: Shape): ServerPair<RingTensor> {
    const k = this.keys(op);
    const c1 = k.toServer(1, 0, [outShape], async () => {
      const c = bilinear.apply(await a.full.value(), await b.full.value());
      return [ring.sub(c, await this.dealerStream(k, 0, Stream.product, outShape))];
    });
    return [this.serverStream(k, 0, Stream.product, outShape), this.pick(c1, 0)];
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
    const k = this.keys(op);
    const full = this.rt.on(this.dealer, async () => {
      const [r0, r1] = await this.dealerStreams(k, Stream.truncR, shape);
      const r = ring.add(r0, r1);
      return { high: ring.shrLogical(ring.and(r, LOW63), bits), top: ring.shrLogical(r, 63) };
    }, op);
    const fix = k.toServer(1, 1, [shape, shape], async () => {
      const { high, top } = await full.value();
      const h0 = await this.dealerStream(k, 0, Stream.truncHigh, shape);
      const t0 = await this.dealerStream(k, 0, Stream.truncTop, shape);
      return [ring.sub(high, h0), ring.sub(top, t0)];
    });
    return {
      r: [this.serverStream(k, 0, Stream.truncR, shape), this.serverStream(k, 1, Stream.truncR, shape)],
      rHigh: [this.serverStream(k, 0, Stream.truncHigh, shape), this.pick(fix, 0)],
      rTop: [this.serverStream(k, 0, Stream.truncTop, shape), this.pick(fix, 1)],
      full,
    };
  }

  partProducts(op: number, pairs: readonly (readonly [Placed<RingTensor>, Placed<RingTensor>])[], outShape: Shape): ServerPair<RingTensor>[] {
    const k = this.keys(op);
    const fix = k.toServer(1, 0, pairs.map(() => outShape), async () => {
      const out: RingTensor[] = [];
      for (const [j, [x, y]] of pairs.entries()) {
        const xy = ring.broadcastTo(ring.mul(await x.value(), await y.value()), outShape);
        out.push(ring.sub(xy, await this.dealerStream(k, 0, Stream.product, outShape, j)));
      }
      return out;
    });
    return pairs.map((_, j) => [this.serverStream(k, 0, Stream.product, outShape, j), this.pick(fix, j)] as const);
  }

  // ------------------------------------------------------------ binary

  binaryMask(op: number, shape: Shape, slot: number): MaskShares {
    const k = this.keys(op);
    const shares = [this.serverStream(k, 0, Stream.binaryMaskA, shape, slot), this.serverStream(k, 1, Stream.binaryMaskA, shape, slot)] as const;
    const full = this.rt.on(this.dealer, async () => {
      const [a0, a1] = await this.dealerStreams(k, Stream.binaryMaskA, shape, slot);
      return ring.xor(a0, a1);
    }, op);
    return { shape, shares, full };
  }

  binaryProduct(op: number, a: MaskShares, b: MaskShares, f: BilinearOp, outShape: Shape, slot: number): ServerPair<RingTensor> {
    const k = this.keys(op);
    const c1 = k.toServer(1, 2 + slot, [outShape], async () => {
      const c = f.apply(await a.full.value(), await b.full.value());
      return [ring.xor(c, await this.dealerStream(k, 0, Stream.binaryProduct, outShape, slot))];
    });
    return [this.serverStream(k, 0, Stream.binaryProduct, outShape, slot), this.pick(c1, 0)];
  }

  ownedAnds(op: number, shape: Shape, uCount: number, vCount: number, pairs: readonly OwnedPair[]): OwnedAnds {
    const k = this.keys(op);
    const u = Array.from({ length: uCount }, (_, i) => this.serverStream(k, 0, Stream.ownedU, shape, i));
    const v = Array.from({ length: vCount }, (_, j) => this.serverStream(k, 1, Stream.ownedV, shape, j));
    const shifted = (t: RingTensor, by: number): RingTensor => (by === 0 ? t : ring.shl(t, by));
    const fix = k.toServer(1, 0, pairs.map(() => shape), async () => {
      const us = await Promise.all(Array.from({ length: uCount }, (_, i) => this.dealerStream(k, 0, Stream.ownedU, shape, i)));
      const vs = await Promise.all(Array.from({ length: vCount }, (_, j) => this.dealerStream(k, 1, Stream.ownedV, shape, j)));
      const out: RingTensor[] = [];
      for (const [n, pr] of pairs.entries()) {
        out.push(ring.xor(ring.and(shifted(us[pr.u], pr.uShift), shifted(vs[pr.v], pr.vShift)), await this.dealerStream(k, 0, Stream.ownedC, shape, n)));
      }
      return out;
    });
    const products = pairs.map((_, n) => [this.serverStream(k, 0, Stream.ownedC, shape, n), this.pick(fix, n)] as const);
    return { u, v, products };
  }

  comparisonKeys(op: number, shape: Shape, bits: number): ComparisonKeys {
    check(Number.isInteger(bits) && bits >= 1 && bits <= 63, () => `comparisonKeys: bits must be an integer in [1, 63], got ${bits}`);
    const k = this.keys(op);
    const n = sizeOf(shape);
    const packed = [packedWords(n)];
    const seedShape = [n, 2];
    const cwShapes = [[bits, n, 2], [bits + 1, packedWords(n)]];
    // One key generation on the dealer serves both servers' messages.
    const gen = this.rt.on(this.dealer, async () => {
      const [r0, r1] = await this.dealerStreams(k, Stream.fssR, shape);
      const r = ring.add(r0, r1);
      const [g0, g1] = await this.dealerStreams(k, Stream.fssSeed, seedShape);
      const { cw, vcw } = dcfGen(bits, r.data, g0.data, g1.data);
      return { r, cw: new RingTensor(cwShapes[0], cw), vcw: new RingTensor(cwShapes[1], vcw) };
    }, op);
    const both = ([0, 1] as const).map((to) =>
      k.toServer(to, 0, to === 0 ? cwShapes : [...cwShapes, packed], async () => {
        const { r, cw, vcw } = await gen.value();
        if (to === 0) return [cw, vcw];
        // Server 1's share of r's bit `bits`, against server 0's stream bits.
        const top = ring.packBits(ring.and(ring.shrLogical(r, bits), ONE));
        return [cw, vcw, ring.xor(top, await this.dealerStream(k, 0, Stream.fssTop, packed))];
      }),
    );
    const corrections = ([0, 1] as const).map((i) => this.rt.on(this.servers[i], async () => {
      const got = await both[i].value();
      return [got[0], got[1]] as const;
    }));
    return {
      bits,
      r: [this.serverStream(k, 0, Stream.fssR, shape), this.serverStream(k, 1, Stream.fssR, shape)],
      top: [this.serverStream(k, 0, Stream.fssTop, packed), this.pick(both[1], 2)],
      seeds: [this.serverStream(k, 0, Stream.fssSeed, seedShape), this.serverStream(k, 1, Stream.fssSeed, seedShape)],
      corrections: [corrections[0], corrections[1]],
    };
  }

  randomBits(op: number, shape: Shape, masks: readonly MaskShares[]): RandomBits {
    const k = this.keys(op);
    // The XOR shares come packed straight from the streams: one keystream word per 64 bits.
    const packed = [Math.ceil(sizeOf(shape) / 64)];
    const xor = [this.serverStream(k, 0, Stream.bitsR, packed), this.serverStream(k, 1, Stream.bitsR, packed)] as const;
    const fix = k.toServer(1, 1, [shape, ...masks.map(() => shape)], async () => {
      const [s0, s1] = await this.dealerStreams(k, Stream.bitsR, packed);
      const r = ring.unpackBits(ring.xor(s0, s1), shape);
      const out = [ring.sub(r, await this.dealerStream(k, 0, Stream.bitsArith, shape))];
      for (const [j, m] of masks.entries()) {
        out.push(ring.sub(ring.mul(await m.full.value(), r), await this.dealerStream(k, 0, Stream.bitsProduct, shape, j)));
      }
      return out;
    });
    return {
      xor,
      arith: [this.serverStream(k, 0, Stream.bitsArith, shape), this.pick(fix, 0)],
      products: masks.map((_, j) => [this.serverStream(k, 0, Stream.bitsProduct, shape, j), this.pick(fix, 1 + j)] as const),
    };
  }
}
