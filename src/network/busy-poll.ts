/**
 * Busy polling: while a receive waits on a peer, keep the event loop turning
 * (one macrotask after another, so each turn polls the sockets without
 * blocking) instead of letting the process sleep until the peer's message
 * wakes it. A protocol round is a message each way between the two servers;
 * on a virtual machine, waking a sleeping process costs a good part of a
 * round (0.1-0.3 ms on the VM of BENCHMARKS.md, where a single query of
 * network A takes 16 such rounds). Polling trades CPU for that time, so
 * it is bounded (`budgetUs` after the last receive that had to wait) and off
 * by default: it pays only when every busy player has a core of its own.
 */
import { ConfigError } from '../errors.js';
import { nextTask } from './next-task.js';

/** Largest busy-polling budget accepted (µs): beyond, a peer is slow and sleeping costs nothing. */
export const MAX_BUSY_POLL_US = 100_000;

/** Throws a ConfigError unless `us` is a whole number of microseconds from 0 to {@link MAX_BUSY_POLL_US}. */
export function checkBusyPollUs(us: number, where: string): number {
  if (!Number.isInteger(us) || us < 0 || us > MAX_BUSY_POLL_US) {
    throw new ConfigError(`${where}: busyPollUs must be a whole number of microseconds from 0 (off) to ${MAX_BUSY_POLL_US}, got ${String(us)}`);
  }
  return us;
}

export class BusyPoll {
  private until = 0;
  private running = false;

  /**
   * `waiting` says whether a receive still waits; polling stops when none
   * does or `budgetUs` after the last {@link start}.
   */
  constructor(
    private readonly budgetUs: number,
    private readonly waiting: () => boolean,
  ) {}

  /** A receive has to wait: poll for up to the budget from now. */
  start(): void {
    if (this.budgetUs === 0) return;
    this.until = performance.now() + this.budgetUs / 1000;
    if (this.running) return;
    this.running = true;
    const turn = (): void => {
      if (this.waiting() && performance.now() < this.until) nextTask(turn);
      else this.running = false;
    };
    nextTask(turn);
  }

  /** Whether the event loop is being kept awake now. */
  get active(): boolean {
    return this.running;
  }
}
