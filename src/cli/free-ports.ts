/**
 * Free TCP ports for players started by `tfe run` (and by tests), chosen so
 * that no other process takes one between the choice and the player's own
 * `listen`. A port the kernel hands out for `listen(0)` is free again the
 * moment the probe closes, and the kernel gives it to the next `listen(0)` of
 * any process: two launchers on one machine then start players on the same
 * port (seen in CI). So ports are drawn at random below the kernel's ephemeral
 * range, where `listen(0)` and outgoing connections never land, and each is
 * reserved for a while by a file created exclusively in a shared folder, so
 * concurrent launchers skip it until its player has bound it.
 */
import { mkdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { randomInt } from 'node:crypto';
import { ConfigError } from '../errors.js';

/** How long a reservation keeps other launchers off a port: long enough for a player process to start and bind it. */
const RESERVATION_MS = 120_000;
/** How many ports below the ephemeral range are drawn from. */
const SPAN = 12_000;

/** The range ports are drawn from: just below the kernel's ephemeral ports (Linux: 32768-60999). */
function portRange(): [number, number] {
  let low = 32_768;
  try {
    const m = /^(\d+)\s+\d+/.exec(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8'));
    if (m !== null) low = Number(m[1]);
  } catch {
    // Not Linux (or no /proc): assume Linux's default range.
  }
  const lo = Math.max(1_024, low - SPAN);
  return low - lo >= 1_000 ? [lo, low] : [10_000, 10_000 + SPAN];
}

/** Reserves `port` for this launcher; false when another reserved it recently. */
function reserve(dir: string, port: number): boolean {
  const file = path.join(dir, String(port));
  try {
    writeFileSync(file, String(process.pid), { flag: 'wx' });
    return true;
  } catch {
    try {
      if (Date.now() - statSync(file).mtimeMs < RESERVATION_MS) return false;
      unlinkSync(file); // a stale reservation: its player bound the port long ago or never started
      writeFileSync(file, String(process.pid), { flag: 'wx' });
      return true;
    } catch {
      return false;
    }
  }
}

/** Whether `port` can be bound on `host` now; the probe stays open (in `held`) so later draws differ. */
async function probe(port: number, host: string, held: Server[]): Promise<boolean> {
  const s = createServer();
  const ok = await new Promise<boolean>((resolve) => {
    s.once('error', () => resolve(false));
    s.listen(port, host, () => resolve(true));
  });
  if (ok) held.push(s);
  return ok;
}

/** Where to draw ports from and keep reservations (tests set both). */
export interface FreePortOptions {
  readonly host?: string;
  /** [lo, hi): default just below the kernel's ephemeral range. */
  readonly range?: readonly [number, number];
  /** The folder of reservations shared by launchers: default one per user in the temporary folder. */
  readonly dir?: string;
}

/**
 * `n` distinct ports that are free on the host now and reserved against other
 * launchers for two minutes: the players given them must bind them by then.
 */
export async function freePorts(n: number, options: FreePortOptions = {}): Promise<number[]> {
  const host = options.host ?? '127.0.0.1';
  const [lo, hi] = options.range ?? portRange();
  const dir = options.dir ?? path.join(os.tmpdir(), `tfe-ports-${typeof process.getuid === 'function' ? process.getuid() : 'user'}`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const held: Server[] = [];
  const ports: number[] = [];
  try {
    for (let attempts = 0; ports.length < n; attempts++) {
      if (attempts >= 50 * n + 100) throw new ConfigError(`could not find ${n} free ports on ${host} in ${lo}-${hi - 1}`);
      const port = randomInt(lo, hi);
      if (ports.includes(port) || !reserve(dir, port)) continue;
      if (await probe(port, host, held)) ports.push(port);
    }
    return ports;
  } finally {
    await Promise.all(held.map((s) => new Promise((resolve) => s.close(resolve))));
  }
}
