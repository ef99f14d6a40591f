/**
 * The dealer window: backpressure from the servers to the crypto producer.
 * Every player issues the whole program at once and runs each part as soon as
 * its inputs are there; the dealer, which never waits for anyone, would deal
 * the correlated randomness of every operation issued (1,000 images at once
 * took it to 5-7 GB). With a window of `size` operations the dealer starts
 * dealing operation b only once both servers report that everything up to
 * b - size has settled, and each server expands its own PRG streams of b only
 * once its own progress reaches b - size. Dealer and servers then hold the
 * material of about `size` operations at a time.
 *
 * Reports are acknowledgements, one per `every` operations, sent as
 * 'control' traffic (not counted: a program's measured cost does not depend
 * on its pacing) under op id 0 and their own step numbers, so that a failed
 * operation's abort never cancels them.
 *
 * No deadlock: take the lowest op id m still pending on either server. Every
 * part of m waits only for parts of its own primitive (op ids m..m+F, F the
 * most ids one primitive allocates) or for settled lower ids; both servers'
 * watermarks are at least m - 1, so the dealer may deal up to m - 1 + size,
 * which covers m + F whenever size > F.
 */
import { CONTROL_STEP } from '../../network/index.js';
import type { Runtime } from '../runtime.js';

/** Step of acknowledgement n (under op id 0, which no operation takes). */
const ACK_STEP = CONTROL_STEP;
/** Acknowledgements per window: finer pacing costs more (empty) messages. */
const ACKS_PER_WINDOW = 8;

interface Waiter {
  readonly resolve: () => void;
  readonly reject: (e: Error) => void;
}

export class DealerWindow {
  /** Operations between two acknowledgements. */
  readonly every: number;
  /** The last checkpoint each server acknowledged (on the dealer). */
  private readonly acked: [number, number] = [0, 0];
  /** Dealer requests waiting, by the checkpoint they need. */
  private readonly waiting = new Map<number, Waiter[]>();
  /** The highest checkpoint a dealer request has waited for. */
  private wanted = 0;
  private readonly pumping: [boolean, boolean] = [false, false];
  private failed: Error | undefined;

  constructor(
    private readonly rt: Runtime,
    private readonly servers: readonly [string, string],
    private readonly dealer: string,
    /** Operations the dealer may run ahead of the slower server. */
    readonly size: number,
  ) {
    this.every = Math.max(1, Math.floor(size / ACKS_PER_WINDOW));
    for (const i of [0, 1] as const) if (rt.isLocal(servers[i])) this.acknowledge(i);
  }

  /** On the dealer: whether operation `op` is within the window of both servers now. */
  dealerReached(op: number): boolean {
    return this.failed === undefined && this.checkpoint(op - this.size) <= this.reached();
  }

  /** On server i: whether its own progress lets it expand the streams of operation `op` now. */
  serverReached(i: 0 | 1, op: number): boolean {
    return op - this.size <= this.rt.progress(this.servers[i]).watermark;
  }

  /** On the dealer: resolves when operation `op` is within the window of both servers. */
  dealerReady(op: number): Promise<void> {
    if (this.failed !== undefined) return Promise.reject(this.failed);
    const need = this.checkpoint(op - this.size);
    if (need <= this.reached()) return Promise.resolve();
    const waited = new Promise<void>((resolve, reject) => {
      const list = this.waiting.get(need);
      if (list === undefined) this.waiting.set(need, [{ resolve, reject }]);
      else list.push({ resolve, reject });
    });
    this.wanted = Math.max(this.wanted, need);
    for (const i of [0, 1] as const) {
      if (!this.pumping[i] && this.acked[i] < need) void this.pump(i);
    }
    return waited;
  }

  /** On server i: resolves when its own progress lets it expand the streams of operation `op`. */
  serverReady(i: 0 | 1, op: number): Promise<void> {
    return this.rt.progress(this.servers[i]).reached(op - this.size);
  }

  /** The first checkpoint at or above `op` (checkpoints are multiples of `every`). */
  private checkpoint(op: number): number {
    return Math.ceil(op / this.every) * this.every;
  }

  private reached(): number {
    return Math.min(this.acked[0], this.acked[1]);
  }

  /** Server side: an acknowledgement each time the watermark passes a checkpoint. */
  private acknowledge(i: 0 | 1): void {
    const server = this.servers[i];
    let sent = 0;
    this.rt.progress(server).onAdvance((watermark) => {
      while (sent + this.every <= watermark) {
        sent += this.every;
        this.rt.send(server, this.dealer, { op: 0, step: ACK_STEP + sent / this.every }, [], 'control');
      }
    });
  }

  /**
   * Dealer side: takes server i's acknowledgements in order while a dealer
   * request waits for one it has not had (never otherwise: a receive still
   * pending when a server finishes and closes would be a failure). No silence
   * timeout: how long a server takes to get through `every` operations
   * depends on the program, not on its liveness (a lost or stopped server is
   * detected by the connection's heartbeat).
   */
  private async pump(i: 0 | 1): Promise<void> {
    this.pumping[i] = true;
    try {
      while (this.acked[i] < this.wanted) {
        const n = this.acked[i] / this.every + 1;
        await this.rt.receive(this.dealer, this.servers[i], { op: 0, step: ACK_STEP + n }, [], { timeout: false });
        const before = this.reached();
        this.acked[i] = n * this.every;
        this.release(before, this.reached());
      }
      this.pumping[i] = false;
    } catch (e) {
      // The end of the session (close) or a lost server: whoever still waits fails with it.
      this.failed ??= e instanceof Error ? e : new Error(String(e));
      for (const list of this.waiting.values()) for (const w of list) w.reject(this.failed);
      this.waiting.clear();
    }
  }

  private release(from: number, to: number): void {
    for (let c = from + this.every; c <= to; c += this.every) {
      const list = this.waiting.get(c);
      if (list === undefined) continue;
      this.waiting.delete(c);
      for (const w of list) w.resolve();
    }
  }
}
