/**
 * A client's query as a server holds it: its id, its rows and this server's
 * share of them, and the one answer it gets. Helpers to stack queries' rows
 * into a batch (padded with zero rows, which are shares of zero) and to cut a
 * batch's output back into queries.
 */
import type { ServingError } from '../errors.js';
import { RingTensor, sizeOf } from '../ring/index.js';

/** What a server answers to a query: its share of the prediction, or why not. */
export type QueryAnswer = { readonly ok: true; readonly share: RingTensor; readonly fracBits: number } | { readonly ok: false; readonly error: ServingError };

export interface ClientQuery {
  readonly id: string;
  readonly rows: number;
  /** The connection it came from. */
  readonly client: string;
  /** This server's share of the input, [rows, ...inputShape]. */
  readonly share: RingTensor;
  /** Answers the query; only the first answer counts. */
  readonly answer: (a: QueryAnswer) => void;
}

/** Wraps `send` so that a query is answered once whatever happens. */
export function once(send: (a: QueryAnswer) => void): (a: QueryAnswer) => void {
  let done = false;
  return (a) => {
    if (done) return;
    done = true;
    send(a);
  };
}

export function fail(q: Pick<ClientQuery, 'answer'>, error: ServingError): void {
  q.answer({ ok: false, error });
}

/**
 * The rows of `parts` one after the other, then zero rows up to `size`
 * (a missing part, undefined, is `rows` zero rows).
 */
export function stackRows(parts: ReadonlyArray<{ rows: number; share: RingTensor | undefined }>, size: number, sample: readonly number[]): RingTensor {
  const per = sizeOf(sample);
  const out = new BigUint64Array(size * per);
  let at = 0;
  for (const p of parts) {
    if (p.share !== undefined) out.set(p.share.data, at);
    at += p.rows * per;
  }
  return new RingTensor([size, ...sample], out);
}

/** Rows [start, start + rows) of a batch's output. */
export function rowsOf(batch: RingTensor, start: number, rows: number): RingTensor {
  const sample = batch.shape.slice(1);
  const per = sizeOf(sample);
  return new RingTensor([rows, ...sample], batch.data.slice(start * per, (start + rows) * per));
}

/** The smallest batch size of `sizes` (ascending) that holds `rows`, or undefined. */
export function sizeFor(sizes: readonly number[], rows: number): number | undefined {
  return sizes.find((s) => s >= rows);
}

/** A set that remembers the last `limit` keys only. */
export class RecentSet {
  private readonly keys = new Set<string>();

  constructor(private readonly limit: number) {}

  add(key: string): void {
    this.keys.delete(key);
    this.keys.add(key);
    if (this.keys.size > this.limit) this.keys.delete(this.keys.values().next().value as string);
  }

  has(key: string): boolean {
    return this.keys.has(key);
  }

  delete(key: string): void {
    this.keys.delete(key);
  }
}
