/**
 * The second server during an epoch: it keeps the shares clients send it
 * until the first server announces them in a batch, keeps the bundle halves
 * the crypto producer deals it, and computes each announced batch in order.
 *
 * A query the first server batched but this server does not hold (its client
 * left, was refused here, or its share is late past `peerWaitMs`) is computed
 * on zeros so that both servers still run the same batch, and this server
 * sends that query no share: its client, if still there, gets an error from
 * here and only one share, which reveals nothing. Shares never batched are
 * dropped after `queryTimeoutMs`. Everything waiting is bounded.
 */
import { ServingError } from '../errors.js';
import type { BundleShare } from '../protocol/index.js';
import { sharesOf } from '../protocol/index.js';
import { decodeBundle } from './bundle-wire.js';
import type { Epoch, EpochModel } from './epoch.js';
import type { MeshMessage, Received } from './mesh.js';
import { fail, RecentSet, rowsOf, stackRows, type ClientQuery } from './queries.js';
import type { ServingSettings } from './settings.js';

/** How long a batch waits for a share that has not arrived here yet (ms). */
const PEER_WAIT_MS = 1000;

type BatchMessage = Extract<MeshMessage, { type: 'batch' }>;

interface Held {
  readonly q: ClientQuery;
  readonly timer: ReturnType<typeof setTimeout>;
}

export interface FollowerStats {
  batches: number;
  queries: number;
  /** Batched queries whose share this server did not hold. */
  missing: number;
}

export class Follower {
  readonly stats: FollowerStats = { batches: 0, queries: 0, missing: 0 };
  private readonly held = new Map<string, Held>();
  private heldRows = 0;
  /** Batches waiting for a share: id -> resolver. */
  private readonly claims = new Map<string, (q: ClientQuery | undefined) => void>();
  /** Ids known not to come here (refused, cancelled, client gone, batched without a share). */
  private readonly absent = new RecentSet(16_384);
  private readonly bundles = new Map<number, BundleShare>();
  private readonly bundleWaits = new Map<number, { resolve(b: BundleShare): void; reject(e: Error): void }>();
  private readonly leader: string;
  private readonly dealer: string;
  private readonly capacity: number;
  private ended: Error | undefined;
  private onEnd: (e: Error) => void = () => undefined;
  readonly whenEnded: Promise<never>;

  constructor(
    private readonly epoch: Epoch & { readonly model: EpochModel },
    private readonly settings: ServingSettings,
  ) {
    this.leader = settings.roles.servers[0];
    this.dealer = settings.roles.cryptoProducer;
    this.capacity = settings.batch.maxQueue + settings.batch.pipeline * settings.batch.maxBatch;
    this.whenEnded = new Promise<never>((_, reject) => (this.onEnd = reject));
    this.whenEnded.catch(() => undefined);
  }

  start(): void {
    void this.listen(this.leader, (r) => {
      if (r.message.type !== 'batch') throw new ServingError('failed', `unexpected '${r.message.type}' message from '${this.leader}'`);
      this.runBatch(r.message);
    });
    void this.listen(this.dealer, (r) => {
      if (r.message.type !== 'bundle') throw new ServingError('failed', `unexpected '${r.message.type}' message from '${this.dealer}'`);
      const share = decodeBundle(r.message, r.tensors, this.dealer);
      const wait = this.bundleWaits.get(r.message.id);
      if (wait !== undefined) {
        this.bundleWaits.delete(r.message.id);
        wait.resolve(share);
      } else this.bundles.set(r.message.id, share);
    });
  }

  private async listen(from: string, handle: (r: Received) => void): Promise<void> {
    try {
      while (this.ended === undefined) handle(await this.epoch.channel.receive(from));
    } catch (e) {
      this.end(e instanceof Error ? e : new Error(String(e)));
    }
  }

  /** Holds a query's share until it is batched; answers 'busy' when too much waits. */
  query(q: ClientQuery): void {
    const me = this.settings.roles.servers[1];
    if (this.ended !== undefined) return fail(q, new ServingError('unavailable', `'${me}' is reconnecting to the other players`));
    if (this.absent.has(q.id)) return fail(q, new ServingError('failed', `'${me}': query ${q.id} was computed without this server's share (it came too late); try again`));
    if (this.held.has(q.id)) return fail(q, new ServingError('invalid_query', `'${me}': query id ${q.id} is in use; every query needs a fresh id`));
    const claim = this.claims.get(q.id);
    if (claim !== undefined) {
      this.claims.delete(q.id);
      return claim(q);
    }
    if (this.heldRows + q.rows > this.capacity) {
      this.absent.add(q.id);
      return fail(q, new ServingError('busy', `'${me}' is busy: ${this.heldRows} rows wait already; try again later`));
    }
    const timer = setTimeout(() => {
      if (this.release(q.id) !== undefined) fail(q, new ServingError('timeout', `'${me}': '${this.leader}' did not batch query ${q.id} within ${this.settings.queryTimeoutMs} ms`));
    }, this.settings.queryTimeoutMs);
    this.held.set(q.id, { q, timer });
    this.heldRows += q.rows;
  }

  private release(id: string): ClientQuery | undefined {
    const h = this.held.get(id);
    if (h === undefined) return undefined;
    clearTimeout(h.timer);
    this.held.delete(id);
    this.heldRows -= h.q.rows;
    return h.q;
  }

  /** What this server holds now (all bounded; for monitoring and the leak check of the load test). */
  gauges(): Record<string, number> {
    return { heldShares: this.held.size, heldRows: this.heldRows, claims: this.claims.size, heldBundles: this.bundles.size, bundleWaits: this.bundleWaits.size };
  }

  cancel(id: string, client: string): void {
    if (this.held.get(id)?.q.client === client) {
      this.release(id);
      this.absent.add(id);
    }
  }

  clientGone(client: string): void {
    for (const [id, h] of this.held) {
      if (h.q.client === client) {
        this.release(id);
        this.absent.add(id);
      }
    }
  }

  end(error: Error): void {
    if (this.ended !== undefined) return;
    this.ended = error;
    const lost = new ServingError('lost', `the servers lost each other or the crypto producer (${error.message}); the query was not computed`);
    for (const id of [...this.held.keys()]) {
      const q = this.release(id);
      if (q !== undefined) fail(q, lost);
    }
    for (const c of this.claims.values()) c(undefined);
    this.claims.clear();
    for (const w of this.bundleWaits.values()) w.reject(lost);
    this.bundleWaits.clear();
    this.bundles.clear();
    this.onEnd(error);
  }

  /** The share of query `id` of `rows` rows, once here; undefined when it will not come. */
  private claim(id: string, rows: number): Promise<ClientQuery | undefined> {
    const q = this.release(id);
    if (q !== undefined) {
      if (q.rows === rows) return Promise.resolve(q);
      fail(q, new ServingError('invalid_query', `query ${id} has ${q.rows} rows here and ${rows} at '${this.leader}': send the same query to both servers`));
      return Promise.resolve(undefined);
    }
    if (this.absent.has(id)) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.claims.delete(id);
        this.absent.add(id);
        resolve(undefined);
      }, PEER_WAIT_MS);
      this.claims.set(id, (got) => {
        clearTimeout(timer);
        if (got !== undefined && got.rows !== rows) {
          fail(got, new ServingError('invalid_query', `query ${id} has ${got.rows} rows here and ${rows} at '${this.leader}': send the same query to both servers`));
          resolve(undefined);
        } else resolve(got);
      });
    });
  }

  private bundle(id: number): Promise<BundleShare> {
    const b = this.bundles.get(id);
    if (b !== undefined) {
      this.bundles.delete(id);
      return Promise.resolve(b);
    }
    return new Promise((resolve, reject) => this.bundleWaits.set(id, { resolve, reject }));
  }

  /** Issues an announced batch at once (announcement order is issue order); answers its queries when done. */
  private runBatch(m: BatchMessage): void {
    const { prot, source, served, spec } = this.epoch.model;
    const claimed = Promise.all(m.queries.map((q) => this.claim(q.id, q.rows)));
    const shape = [m.size, ...served.info.inputShape];
    const input = claimed.then((qs) => stackRows(m.queries.map((q, k) => ({ rows: q.rows, share: qs[k]?.share })), m.size, served.info.inputShape));
    const { result, verified } = source.useBundle(this.bundle(m.bundle), () => served.model.predict(prot.privateFromShares(shape, () => input, spec.fracBits)));
    void (async () => {
      const qs = await claimed;
      try {
        const out = await sharesOf(result)[1].value();
        await verified;
        this.stats.batches += 1;
        let at = 0;
        for (const [k, q] of qs.entries()) {
          if (q === undefined) this.stats.missing += 1;
          else {
            this.stats.queries += 1;
            q.answer({ ok: true, share: rowsOf(out, at, q.rows), fracBits: result.fracBits });
          }
          at += m.queries[k].rows;
        }
      } catch (e) {
        const error = e instanceof ServingError ? e : new ServingError('lost', `the batch failed: ${e instanceof Error ? e.message : String(e)}`);
        for (const q of qs) if (q !== undefined) fail(q, error);
        this.end(e instanceof Error ? e : new Error(String(e)));
      }
    })();
  }
}
