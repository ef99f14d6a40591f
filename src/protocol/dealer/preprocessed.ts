/**
 * Preprocessing: the correlated randomness of a whole batch, dealt ahead of
 * time into a bundle. A batch of a fixed size issues a fixed sequence of
 * dealer requests (the model and the batch size decide it), so the dealer can
 * run the batch's program on a placeholder input, answer every request at
 * once and hand each server its half:
 *
 * - server 0 gets a fresh 16-byte seed s0, server 1 a fresh seed s1 and the
 *   corrections (c1 = ab - c0 and the like), exactly what the online dealer
 *   would have sent it, request by request;
 * - stream ids are (request offset in the batch, tag, slot) under the
 *   bundle's own seeds, so bundles never share pseudo-randomness, and the
 *   same formulas as online dealing apply (online.ts).
 *
 * The servers later run the same program on the real input with
 * {@link PreprocessedTripleSource.useBundle}: nothing then waits for the
 * dealer. Outside a bundle the source deals online. Both sides number
 * requests by their operation id's offset from the batch's first one, so the
 * dealer and the servers must issue the same ops in the same order (the same
 * model, the same batch size, the same masks already open), and the dealer
 * must run in another process than the servers.
 */
import { ConfigError, ProtocolError } from '../../errors.js';
import { osRandom, Prg, type RandomSource } from '../../crypto/index.js';
import type { RingTensor, Shape } from '../../ring/index.js';
import { Placed } from '../placed.js';
import type { Runtime } from '../runtime.js';
import { OnlineTripleSource, type DealerKeys } from './online.js';
import { PrgStreams } from './streams.js';
import type { MaskShares } from './triple-source.js';

/** What one server holds of a bundle. */
export interface BundleShare {
  /** This server's seed for the batch (16 bytes). */
  readonly seed: Uint8Array;
  /** How many dealer requests the batch makes (the servers check it). */
  readonly requests: number;
  /** The dealer's corrections for this server, by {@link correctionKey} (server 0: comparison keys only). */
  readonly corrections: ReadonlyMap<string, readonly RingTensor[]>;
}

/** The key of the corrections of request `index`, slot `slot`. */
export function correctionKey(index: number, slot: number): string {
  return `${index}:${slot}`;
}

type KeysOf = (op: number) => DealerKeys;

export class PreprocessedTripleSource extends OnlineTripleSource {
  /** The batch being issued (its keys), if any. */
  private batch: KeysOf | undefined;

  constructor(rt: Runtime, servers: readonly [string, string], dealer: string, private readonly random: RandomSource = osRandom) {
    super(rt, servers, dealer, random);
  }

  protected override keys(op: number): DealerKeys {
    return this.batch === undefined ? super.keys(op) : this.batch(op);
  }

  override ownedMask(op: number, shape: Shape, owner: string): { readonly mask: MaskShares; readonly forOwner: Placed<RingTensor> } {
    if (this.batch !== undefined) throw new ProtocolError('ownedMask: masked inputs cannot be dealt into a preprocessed batch; share the input before the batch');
    return super.ownedMask(op, shape, owner);
  }

  /**
   * Server side: runs `fn` (which issues one batch's ops synchronously) with
   * the randomness of the bundle `share`, which may still be on its way.
   * `verified` rejects when the bundle was dealt for another sequence of
   * requests (a different model or batch size).
   */
  useBundle<T>(share: Promise<BundleShare>, fn: () => T): { readonly result: T; readonly verified: Promise<void> } {
    if (this.rt.isLocal(this.dealer)) throw new ConfigError(`useBundle: the dealer '${this.dealer}' runs in this process; bundles need it apart from the servers`);
    const base = this.rt.config.opIds.current;
    // Fresh keys per bundle: each holder's ledger of them starts empty.
    const prg = (i: 0 | 1): Placed<PrgStreams> => this.rt.on(this.servers[i], async () => new PrgStreams(new Prg((await share).seed), `${this.servers[i]} (bundle key)`));
    const server = [prg(0), prg(1)] as const;
    const dealer = Placed.remote<readonly [PrgStreams, PrgStreams]>(this.dealer);
    let requests = 0;
    const result = this.within((op) => {
      requests += 1;
      const index = op - base;
      return {
        op,
        index,
        server,
        dealer,
        toServer: (to, slot, shapes) => this.rt.on(this.servers[to], async () => takeCorrections(await share, index, slot, shapes), op),
      };
    }, fn);
    const verified = share.then((s) => {
      if (s.requests !== requests) throw new ProtocolError(`preprocessed batch: the bundle was dealt for ${s.requests} dealer requests, the batch made ${requests} (another model or batch size?)`);
    });
    return { result, verified };
  }

  /**
   * Dealer side: runs `fn` (one batch's program on a placeholder input) and
   * answers every dealer request it makes under fresh seeds. Resolves with
   * server 0's and server 1's halves once every correction is computed.
   */
  async dealBundle(fn: () => void): Promise<readonly [BundleShare, BundleShare]> {
    for (const s of this.servers) {
      if (this.rt.isLocal(s)) throw new ConfigError(`dealBundle: server '${s}' runs in this process; bundles need the dealer apart from the servers`);
    }
    const seeds = [this.random.seed(), this.random.seed()] as const;
    const keys = seeds.map((seed, i) => new PrgStreams(new Prg(seed), `${this.dealer} (${this.servers[i]}'s bundle key)`));
    const dealer = Placed.local(this.dealer, Promise.resolve([keys[0], keys[1]] as const));
    const server = [Placed.remote<PrgStreams>(this.servers[0]), Placed.remote<PrgStreams>(this.servers[1])] as const;
    const corrections: [Array<Promise<readonly [string, readonly RingTensor[]]>>, Array<Promise<readonly [string, readonly RingTensor[]]>>] = [[], []];
    const base = this.rt.config.opIds.current;
    let requests = 0;
    this.within((op) => {
      requests += 1;
      const index = op - base;
      return {
        op,
        index,
        server,
        dealer,
        toServer: (to, slot, _shapes, compute) => {
          const p = this.rt.on(this.dealer, compute, op);
          corrections[to].push(p.value().then((c) => [correctionKey(index, slot), c] as const));
          return Placed.remote<RingTensor[]>(this.servers[to]);
        },
      };
    }, fn);
    const [fixes0, fixes1] = await Promise.all(corrections.map(async (c) => new Map(await Promise.all(c))));
    return [
      { seed: seeds[0], requests, corrections: fixes0 },
      { seed: seeds[1], requests, corrections: fixes1 },
    ];
  }

  /** Runs `fn` with requests answered by `keys`; batches do not nest. */
  private within<T>(keys: KeysOf, fn: () => T): T {
    if (this.batch !== undefined) throw new ProtocolError('preprocessed batches cannot nest: one batch is being issued already');
    this.batch = keys;
    try {
      return fn();
    } finally {
      this.batch = undefined;
    }
  }
}

/** Server 1's corrections of one request, checked against the shapes it expects. */
function takeCorrections(share: BundleShare, index: number, slot: number, shapes: readonly Shape[]): RingTensor[] {
  const got = share.corrections.get(correctionKey(index, slot));
  if (got === undefined) throw new ProtocolError(`preprocessed batch: the bundle has no correction for request ${index} slot ${slot}`);
  const same = got.length === shapes.length && got.every((t, j) => t.shape.length === shapes[j].length && t.shape.every((d, n) => d === shapes[j][n]));
  if (!same) {
    const fmt = (s: readonly (readonly number[])[]): string => s.map((x) => `[${x.join(',')}]`).join(' ');
    throw new ProtocolError(`preprocessed batch: request ${index} slot ${slot} expects corrections ${fmt(shapes)}, the bundle has ${fmt(got.map((t) => t.shape))}`);
  }
  return [...got];
}
