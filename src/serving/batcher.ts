/**
 * The leading server's queue of queries and how it forms batches: queries
 * that arrive within `maxWaitMs` of the first waiting one go together, up to
 * `maxBatch` rows (a full batch leaves at once); at most `pipeline` batches
 * are computed at a time, and while they are, queries wait. The queue is
 * bounded: a query that would take it past `maxQueue` rows is refused at once
 * (the caller answers 'busy'), never buffered. A query whose client left is
 * removed before it is batched, freeing its place.
 */
import type { BatchSettings } from './settings.js';

/** What the batcher needs of a query. */
export interface Queued {
  readonly id: string;
  readonly rows: number;
  /** The connection it came from. */
  readonly client: string;
}

export class Batcher<Q extends Queued> {
  private queue: Q[] = [];
  private rows = 0;
  private inFlight = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** The first waiting query has waited its time: send as soon as the pipeline allows. */
  private due = false;
  private stopped = false;

  /** `run(batch)` computes a batch; the batcher starts the next when it settles. */
  constructor(
    private readonly settings: Pick<BatchSettings, 'maxBatch' | 'maxWaitMs' | 'maxQueue' | 'pipeline'>,
    private readonly run: (batch: Q[]) => Promise<void>,
  ) {}

  /** Rows waiting. */
  get queuedRows(): number {
    return this.rows;
  }

  /** Batches being computed. */
  get running(): number {
    return this.inFlight;
  }

  /** Queues `q`; false when the queue is full (or stopped) and `q` was not taken. */
  add(q: Q): boolean {
    if (this.stopped || this.rows + q.rows > this.settings.maxQueue || q.rows > this.settings.maxBatch) return false;
    this.queue.push(q);
    this.rows += q.rows;
    if (this.rows >= this.settings.maxBatch) this.pump();
    else if (this.timer === undefined && !this.due) {
      const fire = (): void => {
        this.timer = undefined;
        this.due = true;
        this.pump();
      };
      // Zero wait still lets the queries of this turn of the event loop join.
      this.timer = this.settings.maxWaitMs > 0 ? setTimeout(fire, this.settings.maxWaitMs) : (setImmediate(fire) as unknown as ReturnType<typeof setTimeout>);
    }
    return true;
  }

  /** Removes a waiting query (a cancel); false when it is not waiting (batched already, or unknown). */
  remove(id: string, client: string): boolean {
    const i = this.queue.findIndex((q) => q.id === id && q.client === client);
    if (i < 0) return false;
    this.rows -= this.queue[i].rows;
    this.queue.splice(i, 1);
    return true;
  }

  /** Removes the waiting queries of a client that left. */
  removeClient(client: string): Q[] {
    const gone = this.queue.filter((q) => q.client === client);
    if (gone.length > 0) {
      this.queue = this.queue.filter((q) => q.client !== client);
      this.rows -= gone.reduce((n, q) => n + q.rows, 0);
    }
    return gone;
  }

  /** Stops batching and returns the queries still waiting (the caller answers them). */
  stop(): Q[] {
    this.stopped = true;
    this.clearTimer();
    const left = this.queue;
    this.queue = [];
    this.rows = 0;
    return left;
  }

  private clearTimer(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      clearImmediate(this.timer as unknown as ReturnType<typeof setImmediate>);
    }
    this.timer = undefined;
  }

  /** Starts batches while the pipeline has room and a batch is full or due. */
  private pump(): void {
    while (!this.stopped && this.inFlight < this.settings.pipeline && this.queue.length > 0 && (this.due || this.rows >= this.settings.maxBatch)) {
      const batch: Q[] = [];
      let rows = 0;
      while (this.queue.length > 0 && rows + this.queue[0].rows <= this.settings.maxBatch) {
        const q = this.queue.shift() as Q;
        rows += q.rows;
        batch.push(q);
      }
      this.rows -= rows;
      if (this.queue.length === 0) {
        this.due = false;
        this.clearTimer();
      }
      this.inFlight += 1;
      // `run` answers its queries itself, failures included.
      void this.run(batch)
        .catch(() => undefined)
        .finally(() => {
          this.inFlight -= 1;
          this.pump();
        });
    }
  }
}
