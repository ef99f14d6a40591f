/**
 * The first server during an epoch: it batches the queries it holds, picks
 * a bundle dealt ahead for each batch (or asks the crypto producer for one at
 * once when none is ready, and counts it), announces the batch to the second
 * server (sequence number, size, bundle, query ids and rows, in order) and
 * computes it right after, so both servers issue the same batches in the
 * same order. It answers each query with its share of the prediction.
 */
import { ServingError } from '../errors.js';
import type { BundleShare } from '../protocol/index.js';
import { sharesOf } from '../protocol/index.js';
import { Batcher } from './batcher.js';
import { decodeBundle } from './bundle-wire.js';
import type { Epoch, EpochModel } from './epoch.js';
import { fail, rowsOf, sizeFor, stackRows, type ClientQuery } from './queries.js';
import type { ServingSettings } from './settings.js';

/** Counters of a leading server (since its epoch began). */
export interface LeaderStats {
  batches: number;
  queries: number;
  rows: number;
  /** Rows of zeros added to reach a batch size. */
  paddedRows: number;
  /** Batches that found no bundle dealt ahead and waited for the dealer. */
  dry: number;
  /** Bundles received from the crypto producer. */
  bundles: number;
}

interface Ready {
  readonly id: number;
  readonly share: BundleShare;
}

interface SizeClass {
  readonly ready: Ready[];
  /** Requested from the dealer, not yet arrived. */
  requested: number;
  readonly waiters: Array<{ resolve(b: Ready): void; reject(e: Error): void }>;
}

/** Bundles dealt ahead, per batch size, kept at `target` each. */
class BundleQueues {
  private readonly classes = new Map<number, SizeClass>();

  constructor(
    sizes: readonly number[],
    private readonly target: number,
    private readonly request: (size: number, count: number, urgent: boolean) => void,
    private readonly stats: LeaderStats,
  ) {
    for (const s of sizes) this.classes.set(s, { ready: [], requested: 0, waiters: [] });
  }

  /** Asks for the bundles that keep every size at its target. */
  fill(): void {
    for (const s of this.classes.keys()) this.topUp(s);
  }

  /**
   * Asks for what keeps `size` at its target. Called once a batch of that
   * size is answered, not when it takes its bundle: the dealer then deals
   * while no query waits on the CPU it takes (the next batch of the size
   * has the queue's other bundles).
   */
  topUp(size: number): void {
    const c = this.classes.get(size) as SizeClass;
    const want = this.target + c.waiters.length - c.ready.length - c.requested;
    if (want > 0) {
      c.requested += want;
      this.request(size, want, false);
    }
  }

  /** A bundle for `rows` rows: the smallest size that holds them and has one ready, else the dealer's next one. */
  async take(rows: number, sizes: readonly number[]): Promise<{ size: number } & Ready> {
    for (const s of sizes) {
      const c = this.classes.get(s) as SizeClass;
      if (s >= rows && c.ready.length > 0) {
        const b = c.ready.shift() as Ready;
        // The last one of its size is gone: refill now rather than after the batch.
        if (c.ready.length === 0 && c.requested === 0) this.topUp(s);
        return { size: s, ...b };
      }
    }
    const size = sizeFor(sizes, rows) as number;
    const c = this.classes.get(size) as SizeClass;
    this.stats.dry += 1;
    const got = new Promise<Ready>((resolve, reject) => c.waiters.push({ resolve, reject }));
    if (c.requested < c.waiters.length) {
      c.requested += 1;
      this.request(size, 1, true);
    }
    return { size, ...(await got) };
  }

  arrive(size: number, b: Ready): void {
    const c = this.classes.get(size);
    if (c === undefined) throw new ServingError('failed', `the crypto producer dealt a bundle for batch size ${size}, which was never requested`);
    c.requested = Math.max(0, c.requested - 1);
    this.stats.bundles += 1;
    const w = c.waiters.shift();
    if (w !== undefined) w.resolve(b);
    else c.ready.push(b);
  }

  close(error: Error): void {
    for (const c of this.classes.values()) for (const w of c.waiters.splice(0)) w.reject(error);
  }

  /** Bundles held ready, asked for, and batches waiting for one. */
  gauges(): { readyBundles: number; requestedBundles: number; bundleWaits: number } {
    let ready = 0;
    let requested = 0;
    let waits = 0;
    for (const c of this.classes.values()) {
      ready += c.ready.length;
      requested += c.requested;
      waits += c.waiters.length;
    }
    return { readyBundles: ready, requestedBundles: requested, bundleWaits: waits };
  }
}

export class Leader {
  readonly stats: LeaderStats = { batches: 0, queries: 0, rows: 0, paddedRows: 0, dry: 0, bundles: 0 };
  private readonly batcher: Batcher<ClientQuery>;
  private readonly bundles: BundleQueues;
  private readonly follower: string;
  private readonly dealer: string;
  private seq = 0;
  /** Ids of the queries queued or computing (an id is used once at a time). */
  private readonly live = new Set<string>();
  private ended: Error | undefined;
  private onEnd: (e: Error) => void = () => undefined;
  /** Rejects when the epoch must end (a lost peer, a failed batch). */
  readonly whenEnded: Promise<never>;

  constructor(
    private readonly epoch: Epoch & { readonly model: EpochModel },
    private readonly settings: ServingSettings,
  ) {
    this.follower = settings.roles.servers[1];
    this.dealer = settings.roles.cryptoProducer;
    this.whenEnded = new Promise<never>((_, reject) => (this.onEnd = reject));
    this.whenEnded.catch(() => undefined);
    this.batcher = new Batcher(settings.batch, (batch) => this.runBatch(batch));
    this.bundles = new BundleQueues(epoch.model.sizes, settings.preprocessingQueue, (size, count, urgent) => epoch.channel.send(this.dealer, { type: 'deal', size, count, urgent }), this.stats);
  }

  /** Starts listening to the other players and asks for the first bundles. */
  start(): void {
    void this.listen(this.dealer, (r) => {
      if (r.message.type !== 'bundle') throw new ServingError('failed', `unexpected '${r.message.type}' message from '${this.dealer}'`);
      this.bundles.arrive(r.message.size, { id: r.message.id, share: decodeBundle(r.message, r.tensors, this.dealer) });
    });
    void this.listen(this.follower, (r) => {
      throw new ServingError('failed', `unexpected '${r.message.type}' message from '${this.follower}'`);
    });
    this.bundles.fill();
  }

  private async listen(from: string, handle: (r: Awaited<ReturnType<Epoch['channel']['receive']>>) => void): Promise<void> {
    try {
      while (this.ended === undefined) handle(await this.epoch.channel.receive(from));
    } catch (e) {
      this.end(e instanceof Error ? e : new Error(String(e)));
    }
  }

  /** Takes a query, or answers 'busy' at once when the queue is full. */
  query(q: ClientQuery): void {
    const me = this.settings.roles.servers[0];
    if (this.ended !== undefined) return fail(q, new ServingError('unavailable', `'${me}' is reconnecting to the other players`));
    if (this.live.has(q.id)) return fail(q, new ServingError('invalid_query', `'${me}': query id ${q.id} is in use; every query needs a fresh id`));
    const tracked: ClientQuery = {
      ...q,
      answer: (a) => {
        this.live.delete(q.id);
        q.answer(a);
      },
    };
    if (!this.batcher.add(tracked)) return fail(q, new ServingError('busy', `'${me}' is busy: ${this.batcher.queuedRows} rows wait already (at most ${this.settings.batch.maxQueue}); try again later`));
    this.live.add(q.id);
  }

  cancel(id: string, client: string): void {
    if (this.batcher.remove(id, client)) this.live.delete(id);
  }

  /** What this server holds now (all bounded; for monitoring and the leak check of the load test). */
  gauges(): Record<string, number> {
    return { queuedRows: this.batcher.queuedRows, runningBatches: this.batcher.running, liveQueries: this.live.size, ...this.bundles.gauges() };
  }

  clientGone(client: string): void {
    for (const q of this.batcher.removeClient(client)) this.live.delete(q.id);
  }

  /** Ends the epoch: waiting queries are answered, bundle waits fail. */
  end(error: Error): void {
    if (this.ended !== undefined) return;
    this.ended = error;
    const lost = new ServingError('lost', `the servers lost each other or the crypto producer (${error.message}); the query was not computed`);
    for (const q of this.batcher.stop()) fail(q, lost);
    this.bundles.close(lost);
    this.onEnd(error);
  }

  private async runBatch(queries: ClientQuery[]): Promise<void> {
    const { prot, source, served, spec } = this.epoch.model;
    const rows = queries.reduce((n, q) => n + q.rows, 0);
    try {
      const bundle = await this.withTimeout(this.bundles.take(rows, this.epoch.model.sizes));
      if (this.ended !== undefined) throw this.ended;
      const seq = this.seq++;
      // Announce, then issue at once: the second server issues batches in announcement order.
      this.epoch.channel.send(this.follower, { type: 'batch', seq, size: bundle.size, bundle: bundle.id, queries: queries.map((q) => ({ id: q.id, rows: q.rows })) });
      // The follower starts its half only on this message: it leaves now, not after the whole graph is issued (~1 ms).
      this.epoch.channel.flush(this.follower);
      const shape = [bundle.size, ...served.info.inputShape];
      const input = stackRows(queries, bundle.size, served.info.inputShape);
      const { result, verified } = source.useBundle(Promise.resolve(bundle.share), () => served.model.predict(prot.privateFromShares(shape, () => input, spec.fracBits)));
      const out = await sharesOf(result)[0].value();
      await verified;
      this.stats.batches += 1;
      this.stats.queries += queries.length;
      this.stats.rows += rows;
      this.stats.paddedRows += bundle.size - rows;
      let at = 0;
      for (const q of queries) {
        q.answer({ ok: true, share: rowsOf(out, at, q.rows), fracBits: result.fracBits });
        at += q.rows;
      }
      this.bundles.topUp(bundle.size);
    } catch (e) {
      const error = e instanceof ServingError ? e : new ServingError('lost', `the batch failed: ${e instanceof Error ? e.message : String(e)}`);
      for (const q of queries) fail(q, error);
      this.end(e instanceof Error ? e : new Error(String(e)));
    }
  }

  /** A bundle wait is bounded by the mesh timeout: a crypto producer that deals nothing ends the epoch. */
  private withTimeout<T>(p: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new ServingError('failed', `no bundle from '${this.dealer}' within ${this.settings.timeoutMs} ms`)), this.settings.timeoutMs);
      p.then(
        (v) => {
          clearTimeout(timer);
          resolve(v);
        },
        (e: unknown) => {
          clearTimeout(timer);
          reject(e instanceof Error ? e : new Error(String(e)));
        },
      );
    });
  }
}
