/**
 * Private inference of SecureNN's networks A (MLP 784-128-128-10) and C
 * (CNN), trained on MNIST (models/): latency for 1 image and throughput for a
 * batch of 128, in one process and across processes on loopback (one per
 * player, socket.io), with bytes and rounds per image, beside plaintext tfjs
 * (cpu backend) on the same batch. The timed span covers sharing the input,
 * the network and revealing the logits to the result receiver.
 *
 * Run: npm run bench:inference   (RUNS=3 by default)
 */
import * as tf from '@tensorflow/tfjs';
import * as tfe from 'tfjs-encrypted/node';
import { loadMnist } from '../models/data.js';
import { runProgram } from './run-players.js';
import { fmtMs, machine, table, useBackend } from './util.js';

const RUNS = Number(process.env.RUNS ?? 3);
/**
 * Runs and warm-up runs per configuration. A single image of network A is a
 * few milliseconds of many small steps: V8 reaches its steady state only after
 * about a hundred predictions (with 20 warm-up runs the median was 15-17 ms
 * instead of 11-13), and the shared machine's noise needs many runs. Batches
 * and network C are long enough for a few runs after one warm-up.
 */
const runsFor = (name: string, batch: number): { RUNS: string; WARMUP: string } => {
  if (batch > 1) return { RUNS: String(RUNS), WARMUP: '1' };
  return name === 'mnist-mlp' ? { RUNS: String(RUNS * 40), WARMUP: '100' } : { RUNS: String(RUNS * 10), WARMUP: '20' };
};
await useBackend('cpu');
const { test } = loadMnist();

async function plainMs(name: string, batch: number): Promise<number> {
  const plain = await tfe.models.loadTfjs(`models/${name}`);
  const x = tf.tensor(test.pixels.slice(0, batch * 784), [batch, ...(plain.inputs[0].shape.slice(1) as number[])]);
  const times: number[] = [];
  for (let r = 0; r <= RUNS; r++) {
    const t0 = performance.now();
    (plain.predict(x) as tf.Tensor).dataSync();
    if (r > 0) times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
}

console.log(`Private inference of MNIST networks, median of ${RUNS * 40} runs after 100 warm-up runs for one image of A, ${RUNS * 10} after 20 for one image of C and ${RUNS} after one for 128; bytes are all players' traffic, the crypto producer's included`);
console.log(`${machine()}\n`);
const rows: string[][] = [];
for (const [label, name] of [['A (MLP)', 'mnist-mlp'], ['C (CNN)', 'mnist-cnn']] as const) {
  for (const batch of [1, 128]) {
    const plain = await plainMs(name, batch);
    for (const mode of ['one process', 'processes'] as const) {
      const r = await runProgram('bench/programs/inference.ts', mode, { MODEL: name, BATCH: String(batch), ...runsFor(name, batch) });
      rows.push([label, String(batch), mode, fmtMs(r.ms), r.p90Ms === undefined ? '-' : fmtMs(r.p90Ms), fmtMs(r.ms / batch), (r.bytes / batch / 1e6).toFixed(3), String(r.rounds), fmtMs(plain), (r.ms / plain).toFixed(1)]);
    }
  }
}
table(['network', 'batch', 'players', 'private ms', 'p90 ms', 'ms/image', 'MB/image', 'rounds', 'tfjs cpu ms', 'ratio'], rows);
