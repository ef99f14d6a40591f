/**
 * Private inference across distant hosts: SecureNN's network A (models/
 * mnist-mlp) on 1 image and on a batch of 128, with each of the six players
 * in its own network namespace (10.213.1.0/24, made for this bench only) and
 * every connection through a delaying, pacing TCP proxy (bench/delay-proxy.ts;
 * tc netem is not available in this kernel) at round-trip times of 0.1, 1, 10
 * and 40 ms and 1 Gbit/s per direction of each player pair; first without the
 * proxy, as a reference. Players run `tfe player` with a deployment from `tfe
 * hostmap` (TLS), the program is bench/programs/inference.ts, timed as in
 * bench:inference. "RTT measured" is an 8-byte TCP echo between two player
 * namespaces through the same path.
 *
 * The slope of time against RTT counts the sequential one-way trips (two per
 * ms of slope): an opening is one (both servers send at once and each waits
 * for the other's message, half a round trip), sharing the input and
 * revealing the output one more each. The traffic counters' rounds (distinct
 * online steps) are an upper bound on the openings on the critical path.
 *
 * The training step is bench/programs/training.ts (network A, SGD, batch
 * 128) with its five players on the first five namespaces, through the same
 * proxy. WAN_INFERENCE=0 or WAN_TRAINING=0 leaves out one of the two;
 * WAN_RTTS=direct,10 and WAN_BATCHES=1 narrow the grid; COMPARISON=fss
 * reaches the players (comparisons by function secret sharing).
 *
 * Run: npm run bench:wan   (root only: it makes network namespaces)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHostNetwork, namespaceSupport, type Host, type HostNetwork } from '../test/hosts/netns.js';
import type { ProxyConfig } from './delay-proxy.js';
import { mergeBenchLines, type RunResult } from './run-players.js';
import { fmtMs, machine, table } from './util.js';

const NODE = [process.execPath, '--import=tsx', '--conditions=tfe-source'];
const CLI = path.resolve('src/cli/main.ts');
const PLAYERS = ['server0', 'server1', 'crypto-producer', 'model-owner', 'inputter', 'result-receiver'];
/** The players of bench/programs/training.ts, on the first five hosts (the same ports, so the proxy's routes serve both). */
const TRAINING_PLAYERS = ['server0', 'server1', 'crypto-producer', 'data-owner', 'model-owner'];
/** Timed training batches per setting (after one warm-up batch). */
const TRAINING_RUNS = '3';
const SUBNET = '10.213.1';
const PROXY_ADDRESS = `${SUBNET}.1`;
const FIRST_PORT = 5001;
const ECHO_PORT = 6000;
const BITS_PER_SECOND = 1e9;
/** Round-trip times (ms); undefined ('direct' in WAN_RTTS): players dial each other directly over the bridge. */
const RTTS: ReadonlyArray<number | undefined> = (process.env.WAN_RTTS ?? 'direct,0.1,1,10,40').split(',').map((r) => (r === 'direct' ? undefined : Number(r)));
/** Inference batches (WAN_BATCHES=1 for one image only). */
const BATCHES = (process.env.WAN_BATCHES ?? '1,128').split(',').map(Number);
const RUN_TIMEOUT_MS = 15 * 60_000;

/** Runs per setting: many for one image on fast links (V8's steady state, see bench:inference), fewer when each run is long. */
function runsFor(batch: number, rttMs: number | undefined): { RUNS: string; WARMUP: string } {
  if (batch > 1) return { RUNS: '5', WARMUP: '1' };
  return rttMs === undefined || rttMs <= 1 ? { RUNS: '60', WARMUP: '100' } : { RUNS: '15', WARMUP: '10' };
}

interface Proc {
  readonly child: ChildProcess;
  readonly exit: Promise<number | null>;
  out: string;
  err: string;
}

const running = new Set<ChildProcess>();

function start(network: HostNetwork, host: Host, args: readonly string[], env: NodeJS.ProcessEnv = {}): Proc {
  const [cmd, cmdArgs] = network.exec(host, args);
  const child = spawn(cmd, cmdArgs, { env: { ...process.env, TFE_SECRET: undefined, TFE_SECRET_FILE: undefined, TFE_HOSTMAP: undefined, TFE_PLAYER: undefined, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  const p: Proc = { child, out: '', err: '', exit: new Promise((resolve) => child.once('exit', (code) => (running.delete(child), resolve(code)))) };
  child.stdout!.on('data', (d: Buffer) => (p.out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (p.err += d.toString()));
  return p;
}

async function ready(p: Proc, what: string): Promise<void> {
  while (!p.out.includes('READY')) {
    if (p.child.exitCode !== null) throw new Error(`${what} exited with ${p.child.exitCode}: ${p.err.slice(-1000)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function stop(p: Proc): Promise<void> {
  p.child.kill('SIGTERM');
  await p.exit;
}

/** `tfe hostmap` for `players` (player i on host i): through the proxy (every host is the proxy's address, each player its own port) or direct. */
async function deployment(network: HostNetwork, out: string, viaProxy: boolean, players: readonly string[]): Promise<void> {
  const addresses = network.hosts.slice(0, players.length).map((h) => h.address);
  const ports = players.map((_, i) => FIRST_PORT + i).join(',');
  const args = ['hostmap', '--players', players.join(','), '--ports', ports, '--out', out, '--days', '1'];
  const proc = start(network, network.bridge, [...NODE, CLI, ...args, ...(viaProxy ? ['--hosts', PROXY_ADDRESS, '--bind', addresses.join(',')] : ['--hosts', addresses.join(',')])]);
  if ((await proc.exit) !== 0) throw new Error(`tfe hostmap failed: ${proc.err}`);
}

function proxyConfig(network: HostNetwork, rttMs: number): ProxyConfig {
  const routes = network.hosts.map((h, i) => ({ listenHost: PROXY_ADDRESS, listenPort: FIRST_PORT + i, targetHost: h.address, targetPort: FIRST_PORT + i }));
  routes.push({ listenHost: PROXY_ADDRESS, listenPort: ECHO_PORT, targetHost: network.hosts[1].address, targetPort: ECHO_PORT });
  return { routes, oneWayMs: rttMs / 2, bitsPerSecond: BITS_PER_SECOND };
}

/** Median round trip of 8 bytes from the first host to the second, the way players connect. */
async function measureRtt(network: HostNetwork, viaProxy: boolean, count: number): Promise<number> {
  const server = start(network, network.hosts[1], [...NODE, 'bench/echo.ts', 'server', network.hosts[1].address, String(ECHO_PORT)]);
  try {
    await ready(server, 'echo server');
    const client = start(network, network.hosts[0], [...NODE, 'bench/echo.ts', 'client', viaProxy ? PROXY_ADDRESS : network.hosts[1].address, String(ECHO_PORT), String(count)]);
    if ((await client.exit) !== 0) throw new Error(`echo client failed: ${client.err}`);
    return (JSON.parse(client.out.match(/ECHO (\{.*\})/)![1]) as { medianMs: number }).medianMs;
  } finally {
    await stop(server);
  }
}

/** One prediction setting: every player as `tfe player` in its namespace, merged as bench:inference merges them. */
async function inference(network: HostNetwork, dir: string, batch: number, rttMs: number | undefined): Promise<RunResult> {
  const procs = PLAYERS.map((name, i) =>
    start(network, network.hosts[i], [...NODE, CLI, 'player', '--config', path.join(dir, name, 'hostmap.json'), '--name', name, 'bench/programs/inference.ts'], { MODEL: 'mnist-mlp', BATCH: String(batch), ...runsFor(batch, rttMs) }),
  );
  const timer = setTimeout(() => procs.forEach((p) => p.child.kill('SIGKILL')), RUN_TIMEOUT_MS);
  const codes = await Promise.all(procs.map((p) => p.exit));
  clearTimeout(timer);
  const failed = codes.findIndex((c) => c !== 0);
  if (failed >= 0) throw new Error(`${PLAYERS[failed]} exited with ${codes[failed]}:\n${procs[failed].err.slice(-2000)}`);
  return mergeBenchLines(procs.map((p) => p.out).join('\n'), `network A, batch ${batch}, RTT ${rttMs ?? 'direct'}`);
}

/**
 * One training step of network A on a batch of 128 (bench/programs/training.ts:
 * SGD, 20 fractional bits, nobody learning the loss), every player as `tfe
 * player` in its namespace; the time is server0's mean per batch.
 */
async function trainingStep(network: HostNetwork, dir: string): Promise<RunResult> {
  const procs = TRAINING_PLAYERS.map((name, i) =>
    start(network, network.hosts[i], [...NODE, CLI, 'player', '--config', path.join(dir, name, 'hostmap.json'), '--name', name, 'bench/programs/training.ts'], { OPT: 'sgd', BATCH: '128', RUNS: TRAINING_RUNS }),
  );
  const timer = setTimeout(() => procs.forEach((p) => p.child.kill('SIGKILL')), RUN_TIMEOUT_MS);
  const codes = await Promise.all(procs.map((p) => p.exit));
  clearTimeout(timer);
  const failed = codes.findIndex((c) => c !== 0);
  if (failed >= 0) throw new Error(`${TRAINING_PLAYERS[failed]} exited with ${codes[failed]}:\n${procs[failed].err.slice(-2000)}`);
  return mergeBenchLines(procs.map((p) => p.out).join('\n'), 'network A training step');
}

/** Least-squares slope of time (ms) against RTT (ms): the number of sequential round trips. */
function slope(points: Array<[number, number]>): number {
  const n = points.length;
  const mx = points.reduce((a, [x]) => a + x, 0) / n;
  const my = points.reduce((a, [, y]) => a + y, 0) / n;
  return points.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0) / points.reduce((a, [x]) => a + (x - mx) ** 2, 0);
}

async function main(): Promise<void> {
  const unsupported = namespaceSupport();
  if (unsupported !== undefined) {
    console.error(`bench:wan: ${unsupported}`);
    process.exitCode = 1;
    return;
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tfe-wan-'));
  const network = createHostNetwork('wan', SUBNET, PLAYERS.length, { bridgeAddress: PROXY_ADDRESS });
  const cleanup = (): void => {
    running.forEach((c) => c.kill('SIGKILL'));
    network.destroy();
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('SIGINT', () => (cleanup(), process.exit(130)));
  try {
    await deployment(network, path.join(dir, 'direct'), false, PLAYERS);
    await deployment(network, path.join(dir, 'proxied'), true, PLAYERS);
    await deployment(network, path.join(dir, 'train-direct'), false, TRAINING_PLAYERS);
    await deployment(network, path.join(dir, 'train-proxied'), true, TRAINING_PLAYERS);
    console.log(`Private inference of network A (MNIST MLP) with each of the six players in its own network namespace, TLS, links through a delaying TCP proxy at ${BITS_PER_SECOND / 1e9} Gbit/s per direction of each player pair; median of RUNS runs (60 after 100 warm-up runs for one image at RTT <= 1 ms, 15 after 10 above, 5 after 1 for a batch)`);
    console.log(`${machine()}\n`);
    const rows: string[][] = [];
    const points = new Map<number, Array<[number, number]>>();
    const roundsOf = new Map<number, number>();
    const trainingPoints: Array<[number, number]> = [];
    let trainingRounds = 0;
    for (const rttMs of RTTS) {
      const viaProxy = rttMs !== undefined;
      const proxy = viaProxy ? start(network, network.bridge, [...NODE, 'bench/delay-proxy.ts'], { WAN_PROXY: JSON.stringify(proxyConfig(network, rttMs)) }) : undefined;
      try {
        if (proxy !== undefined) await ready(proxy, 'proxy');
        const measured = await measureRtt(network, viaProxy, rttMs !== undefined && rttMs >= 10 ? 20 : 200);
        const label = rttMs === undefined ? 'direct (no proxy)' : `${rttMs} ms, 1 Gbit/s`;
        const d = path.join(dir, viaProxy ? 'proxied' : 'direct');
        for (const batch of process.env.WAN_INFERENCE === '0' ? [] : BATCHES) {
          const r = await inference(network, d, batch, rttMs);
          if (rttMs !== undefined) points.set(batch, [...(points.get(batch) ?? []), [rttMs, r.ms]]);
          roundsOf.set(batch, r.rounds);
          rows.push([label, fmtMs(measured), 'A inference', String(batch), fmtMs(r.ms), r.p90Ms === undefined ? '-' : fmtMs(r.p90Ms), fmtMs(r.ms / batch), (r.bytes / batch / 1e6).toFixed(3), String(r.rounds), rttMs === undefined ? '-' : fmtMs(((r.rounds + 2) * rttMs) / 2)]);
          console.error(`bench:wan: ${label}, batch ${batch}: ${fmtMs(r.ms)} ms`);
        }
        if (process.env.WAN_TRAINING !== '0') {
          const train = await trainingStep(network, path.join(dir, viaProxy ? 'train-proxied' : 'train-direct'));
          if (rttMs !== undefined) trainingPoints.push([rttMs, train.ms]);
          trainingRounds = train.rounds;
          rows.push([label, fmtMs(measured), 'A training step (SGD)', '128', fmtMs(train.ms), '-', fmtMs(train.ms / 128), (train.bytes / 128 / 1e6).toFixed(3), String(Math.round(train.rounds)), rttMs === undefined ? '-' : fmtMs((train.rounds * rttMs) / 2)]);
          console.error(`bench:wan: ${label}, training step: ${fmtMs(train.ms)} ms`);
        }
      } finally {
        if (proxy !== undefined) await stop(proxy);
      }
    }
    table(['link (RTT, bandwidth)', 'RTT measured ms', 'workload', 'batch', 'private ms', 'p90 ms', 'ms/image', 'MB/image', 'rounds', '(rounds+2) x RTT/2 ms'], rows);
    console.log('');
    for (const [batch, pts] of points) {
      const k = slope(pts);
      console.log(`batch ${batch}: ${k.toFixed(1)} ms more per ms of RTT, i.e. ${(2 * k).toFixed(1)} sequential one-way trips; counted: ${roundsOf.get(batch)} rounds + input + output = ${(roundsOf.get(batch) ?? 0) + 2}`);
    }
    if (trainingPoints.length > 1) {
      const k = slope(trainingPoints);
      console.log(`training step: ${k.toFixed(1)} ms more per ms of RTT, i.e. ${(2 * k).toFixed(1)} sequential one-way trips; counted: ${Math.round(trainingRounds)} rounds per batch`);
    }
  } finally {
    cleanup();
  }
}

await main();
