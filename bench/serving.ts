/**
 * The prediction service on loopback, network A (models/mnist-mlp), each
 * player in its own process (`tfe serve`: server0, server1, crypto-producer),
 * the clients in this process:
 *
 * - latency of one query (one client, one digit at a time with GAP_MS of
 *   idle time between queries, as interactive queries come, after warm-up),
 *   p50 and p99, with preprocessing (bundles dealt ahead, in the gaps) and
 *   without (queue 0: every batch waits for the crypto producer to deal it),
 *   and with preprocessing and busy polling (the hostmap's busyPollUs);
 * - throughput under 32 clients, each sending one digit after another, with
 *   batching (default settings) and preprocessing.
 *
 * Run: npm run bench:serving   (QUERIES=500 latency samples, GAP_MS=20 between them, SECONDS=8 of load)
 * Investigating: SKIP_LATENCY=1, SKIP_THROUGHPUT=1, LATENCY=first (only the latency with preprocessing) or
 * LATENCY=poll (that one and the one with busy polling), LATENCY=fss (that one and comparison: 'fss'), LATENCY=fss-poll (the first, busy polling, fss, and fss with busy polling),
 * THROUGHPUT_COMPARISON=adder,fss (the throughput run with each method), THROUGHPUT_BATCH='{"maxBatch":16}', PLAYER_NODE_ARGS='--trace-gc'
 * (or '--cpu-prof --cpu-prof-dir=DIR') for the players' node, PLAYER_STDOUT=PREFIX writes each
 * player's stdout (where --trace-gc prints) to PREFIX.<name>.
 */
import * as tf from '@tensorflow/tfjs';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tfe from 'tfjs-encrypted/node';
import { loadMnist } from '../models/data.js';
import { freePorts } from '../src/cli/free-ports.js';
import { fmtMs, machine, table, useBackend } from './util.js';

tf.env().set('PROD', true);
await useBackend('cpu');

const QUERIES = Number(process.env.QUERIES ?? 500);
const WARMUP = Number(process.env.WARMUP ?? 200);
const SECONDS = Number(process.env.SECONDS ?? 8);
const CLIENTS = Number(process.env.CLIENTS ?? 32);
/** Idle time between two latency queries (ms): the crypto producer deals the next bundle meanwhile. */
const GAP_MS = Number(process.env.GAP_MS ?? 20);
const SECRET = 'bench-serving-secret-0123456789';
const NAMES = ['server0', 'server1', 'crypto-producer'] as const;

const { test } = loadMnist();
const digits = Array.from({ length: 1000 }, (_, i) => tf.tensor(test.pixels.slice(i * 784, (i + 1) * 784), [1, 784]));

interface Service {
  readonly urls: readonly [string, string];
  /** CPU time (ms) each player's process has used so far. */
  cpu(): number[];
  close(): Promise<void>;
}

/** User + system CPU time of a process (ms), from /proc (Linux). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

/** This process's CPU time (ms): the clients'. */
const ownCpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** Three `tfe serve` processes with `serving` settings, network A shared by the owner. */
async function startService(serving: Record<string, unknown>, network: Record<string, unknown> = {}): Promise<Service> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tfe-bench-serving-'));
  const ports = await freePorts(6);
  const hostmap = {
    players: [...NAMES, 'model-owner'].map((name, i) => ({ name, host: '127.0.0.1', port: ports[i] })),
    serving: { clients: { server0: ports[4], server1: ports[5] }, sharesDir: 'shares', ...serving },
    ...network,
  };
  const file = path.join(dir, 'hostmap.json');
  writeFileSync(file, JSON.stringify(hostmap));
  const children: ChildProcess[] = NAMES.map((name) =>
    spawn(process.execPath, [...(process.env.PLAYER_NODE_ARGS?.split(' ').filter((a) => a !== '') ?? []), '--import=tsx', '--conditions=tfe-source', 'src/cli/main.ts', 'serve', '--config', file, '--name', name], { env: { ...process.env, TFE_SECRET: SECRET }, stdio: ['ignore', process.env.PLAYER_STDOUT ? openSync(`${process.env.PLAYER_STDOUT}.${name}`, 'w') : 'ignore', 'pipe'] }),
  );
  let log = '';
  for (const c of children) c.stderr?.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-4000)));
  const close = async (): Promise<void> => {
    await Promise.all(children.map((c) => new Promise((resolve) => {
      if (c.exitCode !== null) return resolve(undefined);
      c.once('exit', resolve);
      c.kill('SIGTERM');
    })));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await tfe.serving.shareModel({ model: 'models/mnist-mlp', config: file, name: 'model-owner', secret: SECRET });
  } catch (e) {
    await close();
    throw new Error(`${(e as Error).message}\n${log}`);
  }
  return { urls: [`http://127.0.0.1:${ports[4]}`, `http://127.0.0.1:${ports[5]}`], cpu: () => children.map((c) => cpuMs(c.pid as number)), close };
}

const quantile = (sorted: number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

/** p50 and p99 of one query at a time from one client. */
async function latency(serving: Record<string, unknown>, network: Record<string, unknown> = {}): Promise<{ p50: number; p99: number; stats: Record<string, number> | undefined; cpu: number[] }> {
  const service = await startService(serving, network);
  try {
    const client = await tfe.serving.connect({ servers: service.urls });
    await client.ready(120_000);
    for (let i = 0; i < WARMUP; i++) await client.predict(digits[i % 1000]);
    const times: number[] = [];
    const cpu0 = [...service.cpu(), ownCpuMs()];
    for (let i = 0; i < QUERIES; i++) {
      await new Promise((r) => setTimeout(r, GAP_MS));
      const t0 = performance.now();
      await client.predict(digits[i % 1000]);
      times.push(performance.now() - t0);
    }
    const cpu = [...service.cpu(), ownCpuMs()].map((c, i) => (c - cpu0[i]) / QUERIES);
    const [info0] = await client.serverInfo();
    client.close();
    times.sort((a, b) => a - b);
    return { p50: quantile(times, 0.5), p99: quantile(times, 0.99), stats: info0.stats, cpu };
  } finally {
    await service.close();
  }
}

/** Queries per second from `CLIENTS` clients, each one digit after another, over `SECONDS` after a warm-up. */
async function throughput(serving: Record<string, unknown>): Promise<{ qps: number; p50: number; stats: Record<string, number> | undefined; cpu: number[] }> {
  const service = await startService(serving);
  try {
    const clients = await Promise.all(Array.from({ length: CLIENTS }, () => tfe.serving.connect({ servers: service.urls })));
    await Promise.all(clients.map((c) => c.ready(120_000)));
    const drive = async (ms: number): Promise<number[]> => {
      const until = performance.now() + ms;
      const times: number[] = [];
      await Promise.all(clients.map(async (c, i) => {
        for (let q = 0; performance.now() < until; q++) {
          const t0 = performance.now();
          await c.predict(digits[(i * 31 + q) % 1000]);
          times.push(performance.now() - t0);
        }
      }));
      return times;
    };
    await drive(3000);
    const before = (await clients[0].serverInfo())[0].stats;
    const cpu0 = [...service.cpu(), ownCpuMs()];
    const t0 = performance.now();
    const times = await drive(SECONDS * 1000);
    const seconds = (performance.now() - t0) / 1000;
    const cpu = [...service.cpu(), ownCpuMs()].map((c, i) => (c - cpu0[i]) / times.length);
    const after = (await clients[0].serverInfo())[0].stats;
    clients.forEach((c) => c.close());
    const delta = Object.fromEntries(Object.entries(after ?? {}).map(([k, v]) => [k, v - (before?.[k] ?? 0)]));
    times.sort((a, b) => a - b);
    return { qps: times.length / seconds, p50: quantile(times, 0.5), stats: delta, cpu };
  } finally {
    await service.close();
  }
}

console.log(`Prediction service, network A (MLP 784-128-128-10), loopback, one process per player (server0, server1, crypto-producer), clients in the bench process`);
console.log(`${machine()}; load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);

const rows: string[][] = [];
// The last row: the servers poll their sockets for up to 1 ms while a round's message is due (hostmap busyPollUs).
const latencyRuns: Array<[string, Record<string, unknown>, Record<string, unknown>?]> = [
  ['preprocessing (queue 2 per size), no batching wait', { batch: { maxWaitMs: 0 } }],
  ['no preprocessing (queue 0), no batching wait', { batch: { maxWaitMs: 0 }, preprocessing: { queue: 0 } }],
  ['preprocessing, default batching wait (2 ms)', {}],
  ['preprocessing, no batching wait, busy polling 1 ms', { batch: { maxWaitMs: 0 } }, { busyPollUs: 1000 }],
  ['preprocessing, no batching wait, comparison: fss', { batch: { maxWaitMs: 0 }, comparison: 'fss' }],
  ['preprocessing, no batching wait, comparison: fss, busy polling 1 ms', { batch: { maxWaitMs: 0 }, comparison: 'fss' }, { busyPollUs: 1000 }],
];
const chosen = process.env.LATENCY === 'first' ? [latencyRuns[0]] : process.env.LATENCY === 'poll' ? [latencyRuns[0], latencyRuns[3]] : process.env.LATENCY === 'fss' ? [latencyRuns[0], latencyRuns[4]] : process.env.LATENCY === 'fss-poll' ? [latencyRuns[0], latencyRuns[3], latencyRuns[4], latencyRuns[5]] : latencyRuns;
for (const [label, serving, network] of process.env.SKIP_LATENCY === '1' ? [] : chosen) {
  const r = await latency(serving, network);
  rows.push([label, fmtMs(r.p50), fmtMs(r.p99), String(r.stats?.dry ?? '-'), r.cpu.map(fmtMs).join(' / ')]);
}
console.log(`Latency of one query, one client, ${QUERIES} queries ${GAP_MS} ms apart after ${WARMUP} warm-up ones (ms); CPU per query includes the dealer's refills`);
table(['service', 'p50', 'p99', 'waited for the dealer', 'CPU ms/query: server0 / server1 / dealer / client'], rows);

if (process.env.SKIP_THROUGHPUT === '1') process.exit(0);
/** THROUGHPUT_BATCH='{"pipeline":1}' overrides the default batching of the throughput run (to explore settings). */
const batchOverride = JSON.parse(process.env.THROUGHPUT_BATCH ?? '{}') as Record<string, number>;
/** THROUGHPUT_COMPARISON=fss (or both: 'adder,fss') picks the comparison method of the throughput run(s). */
const methods = (process.env.THROUGHPUT_COMPARISON ?? 'adder').split(',');
const trows: string[][] = [];
for (const comparison of methods) {
  const t = await throughput({ ...(Object.keys(batchOverride).length === 0 ? {} : { batch: batchOverride }), comparison });
  const s = t.stats ?? {};
  trows.push([comparison, t.qps.toFixed(0), fmtMs(t.p50), String(s.batches ?? '-'), s.batches ? (s.queries / s.batches).toFixed(1) : '-', String(s.paddedRows ?? '-'), String(s.dry ?? '-'), t.cpu.map(fmtMs).join(' / ')]);
}
console.log(`\nThroughput, ${CLIENTS} clients each sending one digit after another, ${SECONDS} s after 3 s of warm-up, batching ${JSON.stringify({ maxBatch: 32, maxWaitMs: 2, pipeline: 2, ...batchOverride })} and preprocessing`);
table(['comparison', 'queries/s', 'p50 ms', 'batches', 'mean batch', 'padded rows', 'waited for the dealer', 'CPU ms/query: server0 / server1 / dealer / clients'], trows);
process.exit(0);
