/**
 * How far one local player has got through the program: its watermark is the
 * highest operation id below which every part it runs has settled. Parts
 * start eagerly and finish out of order, so the watermark is the first op id
 * still pending, minus one. The dealer window paces the crypto producer by
 * the servers' watermarks.
 */
export class Progress {
  /** Pending parts per op id. */
  private readonly pending = new Map<number, number>();
  /** The first op id not known settled. */
  private next = 1;
  private readonly listeners: Array<(watermark: number) => void> = [];
  /** Resolvers of {@link reached}, by the op id they wait for. */
  private readonly waiters = new Map<number, Array<() => void>>();

  /** `issued()` is the highest op id handed out so far on this player. */
  constructor(private readonly issued: () => number) {}

  /** Every op id up to this one has settled on this player. */
  get watermark(): number {
    return this.next - 1;
  }

  /** A part of operation `op` started. */
  start(op: number): void {
    this.pending.set(op, (this.pending.get(op) ?? 0) + 1);
    this.advance();
  }

  /** A part of operation `op` settled (resolved or failed). */
  settle(op: number): void {
    const left = (this.pending.get(op) ?? 1) - 1;
    if (left > 0) this.pending.set(op, left);
    else this.pending.delete(op);
    this.advance();
  }

  /** Calls `fn` with the new watermark each time it moves. */
  onAdvance(fn: (watermark: number) => void): void {
    this.listeners.push(fn);
  }

  /** Resolves once the watermark is at least `op`. */
  reached(op: number): Promise<void> {
    if (op <= this.watermark) return Promise.resolve();
    return new Promise((resolve) => {
      const list = this.waiters.get(op);
      if (list === undefined) this.waiters.set(op, [resolve]);
      else list.push(resolve);
    });
  }

  /**
   * Moves past every op id that has been issued and has nothing pending. Ids
   * issued with no part on this player are skipped when a later part starts
   * or settles (a part starting means every lower id has been issued).
   */
  private advance(): void {
    const before = this.next;
    const last = this.issued();
    while (this.next <= last && !this.pending.has(this.next)) this.next += 1;
    if (this.next === before) return;
    const w = this.watermark;
    for (const fn of this.listeners) fn(w);
    if (this.waiters.size === 0) return;
    // Each id is visited once over the whole run: O(ops) in all.
    for (let op = before; op <= w; op++) {
      const list = this.waiters.get(op);
      if (list === undefined) continue;
      this.waiters.delete(op);
      for (const resolve of list) resolve();
    }
  }
}
