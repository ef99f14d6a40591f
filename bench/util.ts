/** Benchmark helpers: timing with warm-up, medians, tfjs backends, machine info. */
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

tf.env().set('PROD', true);

/** Median wall time (ms) of `fn` over `runs` runs after `warmup` runs. */
export async function timeMs(fn: () => unknown | Promise<unknown>, runs = 7, warmup = 2): Promise<number> {
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

/** Something to time: a function, or one with an untimed step before each run. */
export type Contender = (() => unknown | Promise<unknown>) | { before: () => unknown | Promise<unknown>; run: () => unknown | Promise<unknown> };

/**
 * Times several contenders round-robin (one run of each per round), so that
 * load from other processes on a shared machine hits them alike; returns the
 * median per contender.
 */
export async function interleaved(contenders: Record<string, Contender>, rounds = 9, warmup = 2): Promise<Record<string, number>> {
  const names = Object.keys(contenders);
  const times: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (let r = 0; r < warmup + rounds; r++) {
    for (const n of names) {
      const c = contenders[n];
      const run = typeof c === 'function' ? c : c.run;
      if (typeof c !== 'function') await c.before();
      const t0 = performance.now();
      await run();
      if (r >= warmup) times[n].push(performance.now() - t0);
    }
  }
  return Object.fromEntries(names.map((n) => [n, times[n].sort((a, b) => a - b)[Math.floor(times[n].length / 2)]]));
}

let wasmReady = false;

/** Switches tfjs to 'cpu' or 'wasm' (SIMD XNNPACK, one thread in Node). */
export async function useBackend(name: 'cpu' | 'wasm'): Promise<void> {
  if (name === 'wasm' && !wasmReady) {
    const require = createRequire(import.meta.url);
    const dist = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tf-backend-wasm.node.js'));
    setWasmPaths(`${dist}/`);
    wasmReady = true;
  }
  await tf.setBackend(name);
  await tf.ready();
}

export function machine(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown cpu';
  return `${cpu}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`;
}

export function fmtMs(ms: number): string {
  return ms < 10 ? ms.toFixed(2) : ms < 100 ? ms.toFixed(1) : ms.toFixed(0);
}

/** Prints rows as an aligned table. */
export function table(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
}
