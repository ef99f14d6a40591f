/**
 * A TCP proxy that turns a fast link into a slow, distant one, for
 * bench/wan.ts (tc netem is not available in this kernel). Each route listens
 * on an address and forwards every connection to a target; each direction of
 * each connection is its own link of `bitsPerSecond` with a one-way delay of
 * `oneWayMs`:
 *
 *   a chunk read at time t starts on the wire when the link is free,
 *   start = max(t, busyUntil), leaves it at busyUntil = start + bits / rate,
 *   and is written to the other side at busyUntil + oneWayMs.
 *
 * So a round trip costs 2 * oneWayMs plus the serialisation time, and a
 * stream is paced to the rate. It models an ideal link: no loss, no TCP slow
 * start or window limit on the delayed path (the proxy's own sockets are on
 * the fast link).
 *
 * Timing: one scheduler serves every link. A delivery more than 2 ms away
 * waits on a timer (timers are only millisecond-exact); closer ones are
 * waited for in slices of at most 0.2 ms of Atomics.wait, which sleeps
 * without using the CPU (a setImmediate busy loop took a core from the
 * players on this 2-core machine), with a poll of the sockets between
 * slices, so data arriving meanwhile is stamped at most 0.2 ms late.
 *
 * Run: node --import=tsx bench/delay-proxy.ts, with WAN_PROXY set to the JSON
 * of a {@link ProxyConfig}. It prints READY once every route listens, and
 * stops on SIGTERM.
 */
import { createServer, connect, type Socket } from 'node:net';
import { pathToFileURL } from 'node:url';

export interface Route {
  readonly listenHost: string;
  readonly listenPort: number;
  readonly targetHost: string;
  readonly targetPort: number;
}

export interface ProxyConfig {
  readonly routes: readonly Route[];
  readonly oneWayMs: number;
  readonly bitsPerSecond: number;
}

/** One direction of one connection: a FIFO of chunks, each with the time it is due. */
class Link {
  readonly queue: Array<{ chunk: Buffer; due: number }> = [];
  private busyUntil = 0;
  ended = false;

  constructor(
    readonly to: Socket,
    private readonly config: ProxyConfig,
  ) {}

  push(chunk: Buffer): void {
    const start = Math.max(performance.now(), this.busyUntil);
    this.busyUntil = start + (chunk.byteLength * 8 * 1000) / this.config.bitsPerSecond;
    this.queue.push({ chunk, due: this.busyUntil + this.config.oneWayMs });
    scheduler.wake(this);
  }

  end(): void {
    this.ended = true;
    scheduler.wake(this);
  }

  /** Writes what is due; true when the link has nothing left to do. */
  deliver(now: number): boolean {
    // Dues are non-decreasing (busyUntil only grows), so the head is always the next one.
    while (this.queue.length > 0 && this.queue[0].due <= now) this.to.write(this.queue.shift()!.chunk);
    if (this.queue.length > 0) return false;
    if (this.ended) this.to.end();
    return true;
  }
}

/** The one scheduler of every link's deliveries (see the file comment for how it waits). */
const scheduler = new (class {
  private readonly active = new Set<Link>();
  private readonly sleeper = new Int32Array(new SharedArrayBuffer(4));
  private timer: ReturnType<typeof setTimeout> | undefined;
  private timerAt = Infinity;
  private ticking = false;

  wake(link: Link): void {
    this.active.add(link);
    const due = link.queue.length > 0 ? link.queue[link.queue.length - 1].due : performance.now();
    if (this.ticking) return; // the running tick loop sees it
    if (this.timer !== undefined && due >= this.timerAt) return; // a timer fires in time for it
    this.plan();
  }

  private next(): number {
    let next = Infinity;
    for (const l of this.active) next = Math.min(next, l.queue.length > 0 ? l.queue[0].due : -Infinity);
    return next;
  }

  private plan(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
    const next = this.next();
    if (next === Infinity) return;
    const wait = next - performance.now();
    if (wait > 2) {
      this.timerAt = next - 1.5;
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.timerAt = Infinity;
        this.tick();
      }, wait - 1.5);
    } else {
      this.ticking = true;
      setImmediate(() => this.tick());
    }
  }

  private tick(): void {
    this.ticking = false;
    const now = performance.now();
    for (const l of this.active) if (l.deliver(now)) this.active.delete(l);
    const wait = this.next() - performance.now();
    if (wait > 0 && wait <= 2) Atomics.wait(this.sleeper, 0, 0, Math.min(wait, 0.2)); // sleeps; sockets are polled on the next turn
    this.plan();
  }
})();

function pipe(from: Socket, to: Socket, config: ProxyConfig): void {
  const link = new Link(to, config);
  from.on('data', (chunk: Buffer) => link.push(chunk));
  from.on('end', () => link.end());
}

export function startProxy(config: ProxyConfig): Promise<() => void> {
  const servers = config.routes.map((route) =>
    createServer({ noDelay: true }, (client) => {
      const upstream = connect({ host: route.targetHost, port: route.targetPort, noDelay: true });
      const fail = (): void => {
        client.destroy();
        upstream.destroy();
      };
      // An orderly end travels through the links (after the data queued before it); an error ends both at once.
      client.on('error', fail);
      upstream.on('error', fail);
      pipe(client, upstream, config);
      pipe(upstream, client, config);
    }),
  );
  return Promise.all(
    servers.map(
      (s, i) =>
        new Promise<void>((resolve, reject) => {
          s.once('error', reject);
          s.listen(config.routes[i].listenPort, config.routes[i].listenHost, () => resolve());
        }),
    ),
  ).then(() => () => servers.forEach((s) => s.close()));
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const config = JSON.parse(process.env.WAN_PROXY ?? '') as ProxyConfig;
  await startProxy(config);
  process.on('SIGTERM', () => process.exit(0));
  console.log('READY');
}
