/**
 * The runtime a protocol instance owns: its configuration, the placement of
 * work on players, messaging through the transport, and a tracker of the work
 * still in flight so that `flush()` can wait for it and report its first error.
 * No state is module-global: two protocols in one process do not interact.
 */
import { nextTask, type Config, type MessageKey, type Payload, type ReceiveOptions, type TrafficKind, type WireSpec } from '../network/index.js';
import { RingTensor, type Shape } from '../ring/index.js';
import { Placed } from './placed.js';
import { Progress } from './progress.js';

/** How long a run of ready parts may hold the event loop before the next one waits for a macrotask. */
const SLICE_MS = 20;

export class Runtime {
  private readonly inFlight = new Set<Promise<void>>();
  private firstError: Error | undefined;
  private readonly progressOf = new Map<string, Progress>();
  /** When the current run of parts without a macrotask in between started. */
  private sliceStart: number | undefined;

  /**
   * @param detachedOps for a detached runtime (cost estimates): its own op
   * counter, and no player is local, so nothing runs and nothing is sent.
   */
  private constructor(readonly config: Config, private readonly detachedOps?: { next: number }) {}

  /** The runtime of a protocol on `config`. */
  static of(config: Config): Runtime {
    return new Runtime(config);
  }

  /** A runtime where no player is local and op ids are its own: ops issued on it only build their results' shapes. */
  static detached(config: Config): Runtime {
    return new Runtime(config, { next: 1 });
  }

  /** A fresh operation id (same sequence on every player). */
  nextOp(): number {
    if (this.detachedOps !== undefined) return this.detachedOps.next++;
    return this.config.opIds.next();
  }

  isLocal(player: string): boolean {
    return this.detachedOps === undefined && this.config.isLocal(player);
  }

  /**
   * Runs `fn` as `player` if that player is local, asynchronously (the caller
   * never blocks on communication). Returns the placed result. When `op` is
   * given and `fn` fails, peers waiting for this player's messages of `op` are
   * told at once (instead of timing out), and the part counts in the
   * player's {@link Progress} until it settles.
   */
  on<T>(player: string, fn: () => T | Promise<T>, op?: number): Placed<T> {
    if (!this.isLocal(player)) return Placed.remote<T>(player);
    if (op !== undefined) this.progress(player).start(op);
    const p = Promise.resolve().then(fn);
    if (op !== undefined) {
      p.then(
        () => this.progress(player).settle(op),
        (e: unknown) => {
          this.progress(player).settle(op);
          this.config.transport.abort(player, op, e instanceof Error ? e : new Error(String(e)));
        },
      );
    }
    return Placed.local(player, this.track(p));
  }

  /**
   * A point where work released all at once (a window's acknowledgement
   * releases dozens of the dealer's operations) lets the event loop turn:
   * undefined while the current run of microtasks is younger than 20 ms,
   * otherwise a promise that resolves in a later macrotask, after timers and
   * I/O (heartbeats, handshakes, frames) have been served.
   */
  async yieldTurn(): Promise<void> {
    // Again after each wait: parts released together resume together.
    for (let wait = this.yieldPoint(); wait !== undefined; wait = this.yieldPoint()) await wait;
  }

  private yieldPoint(): Promise<void> | undefined {
    const now = performance.now();
    if (this.sliceStart === undefined) {
      this.sliceStart = now;
      // Runs once the microtasks of this turn have drained: the next run starts a new slice.
      nextTask(() => (this.sliceStart = undefined));
      return undefined;
    }
    if (now - this.sliceStart < SLICE_MS) return undefined;
    return new Promise((resolve) => nextTask(resolve));
  }

  /** How far the local `player` has got (its settled op ids). */
  progress(player: string): Progress {
    let p = this.progressOf.get(player);
    if (p === undefined) this.progressOf.set(player, (p = new Progress(() => this.config.opIds.current)));
    return p;
  }

  send(from: string, to: string, key: MessageKey, payload: Payload, kind: TrafficKind = 'online'): void {
    this.config.transport.send(from, to, key, payload, kind);
  }

  receive(to: string, from: string, key: MessageKey, expect: readonly WireSpec[], options?: ReceiveOptions): Promise<Payload> {
    return this.config.transport.receive(to, from, key, expect, options);
  }

  /** Receives one tensor of 64-bit words of `shape`. */
  async receiveTensor(to: string, from: string, key: MessageKey, shape: Shape): Promise<RingTensor> {
    const [t] = await this.receive(to, from, key, [{ dtype: 'u64', shape }]);
    return new RingTensor(shape, t.data as BigUint64Array);
  }

  /**
   * Keeps `p` in the in-flight set until it settles and remembers its error.
   * The set holds a void promise per part, never the part's value: `flush`
   * waits on the set, and holding values there would keep every result
   * computed during a long flush (every mask the dealer dealt) until the end.
   */
  track<T>(p: Promise<T>): Promise<T> {
    const settled: Promise<void> = p.then(
      () => {
        this.inFlight.delete(settled);
      },
      (e: unknown) => {
        this.inFlight.delete(settled);
        this.firstError ??= e instanceof Error ? e : new Error(String(e));
      },
    );
    this.inFlight.add(settled);
    return p;
  }

  /**
   * Waits until every local part started so far has finished; throws the first
   * error any of them raised (for example a PeerLostError).
   */
  async flush(): Promise<void> {
    while (this.inFlight.size > 0) {
      await Promise.allSettled([...this.inFlight]);
    }
    if (this.firstError !== undefined) throw this.firstError;
  }
}
