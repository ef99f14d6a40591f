/**
 * Private training of SecureNN's network A (MLP 784-128-128-10) on MNIST:
 * seconds, MB and rounds per batch of 128 for SGD, momentum and Adam, in one
 * process and across processes on loopback (one per player, socket.io),
 * beside plaintext tfjs (cpu backend) training the same batch. The rows are
 * masked before the timed batches (a fit masks its rows once for all epochs).
 * Targets (issue 11): SGD under 0.167 s per batch, Adam under 0.535 s
 * (tf-encrypted's ABY3 figures on three 4-core machines).
 *
 * Relu reads its sign from 64 bits (exact, the default) or 32 (PondOptions.reluBits,
 * exact while |x| < 2^11 at 20 fractional bits, which network A's activations
 * respect). BASELINE=/path/to/older/checkout times that checkout's rows just
 * before this one's (relu bits 64 rows), so both see the same load.
 *
 * Run: npm run bench:training   (RUNS=5 batches by default)
 */
import * as tf from '@tensorflow/tfjs';
import { loadMnist } from '../models/data.js';
import { runProgram } from './run-players.js';
import { fmtMs, machine, table, useBackend } from './util.js';

const RUNS = Number(process.env.RUNS ?? 5);
/** Another checkout (its node_modules installed) to run beside this one, row by row: the old code measured in the same hour. */
const BASELINE = process.env.BASELINE ?? '';
const BATCH = 128;
await useBackend('cpu');

async function plainMs(opt: string): Promise<number> {
  const { train } = loadMnist();
  const model = tf.sequential({
    layers: [tf.layers.dense({ inputShape: [784], units: 128, activation: 'relu' }), tf.layers.dense({ units: 128, activation: 'relu' }), tf.layers.dense({ units: 10, activation: 'softmax' })],
  });
  const optimizer = opt === 'momentum' ? tf.train.momentum(0.05, 0.9) : opt === 'adam' ? tf.train.adam(0.001) : tf.train.sgd(0.1);
  model.compile({ optimizer, loss: 'categoricalCrossentropy' });
  const x = tf.tensor(train.pixels.subarray(0, BATCH * 784), [BATCH, 784]);
  const y = tf.oneHot(tf.tensor1d(Array.from(train.labels.subarray(0, BATCH)), 'int32'), 10);
  const times: number[] = [];
  for (let r = 0; r <= RUNS; r++) {
    const t0 = performance.now();
    await model.trainOnBatch(x, y);
    if (r > 0) times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
}

/** The runs: optimizer and relu's bits (PondOptions.reluBits). */
const CONFIGS = [
  { opt: 'sgd', reluBits: 64 },
  { opt: 'sgd', reluBits: 32 },
  { opt: 'momentum', reluBits: 32 },
  { opt: 'adam', reluBits: 64 },
  { opt: 'adam', reluBits: 32 },
] as const;

console.log(`Private training of network A, batch ${BATCH}, mean of ${RUNS} batches after one warm-up batch; bytes are all players' traffic, the crypto producer's included; CPU is the time of every process summed`);
if (BASELINE !== '') console.log(`'old' rows: the checkout at ${BASELINE} (its own defaults: relu bits 64), each run just before the same row of this checkout`);
console.log(`${machine()}\n`);
const rows: string[][] = [];
const plain = new Map<string, number>();
for (const { opt, reluBits } of CONFIGS) {
  if (!plain.has(opt)) plain.set(opt, await plainMs(opt));
  const tfjs = plain.get(opt) ?? 0;
  for (const mode of ['one process', 'processes'] as const) {
    const codes = BASELINE !== '' && reluBits === 64 ? (['old', 'new'] as const) : (['new'] as const);
    for (const code of codes) {
      // The old Adam spends seconds per batch: two batches.
      const runs = code === 'old' && opt === 'adam' ? Math.min(RUNS, 2) : RUNS;
      const env = { OPT: opt, RUNS: String(runs), BATCH: String(BATCH), RELU_BITS: String(reluBits) };
      const r = await runProgram('bench/programs/training.ts', mode, env, code === 'old' ? BASELINE : process.cwd());
      rows.push([
        opt,
        String(reluBits),
        mode,
        code,
        (r.ms / 1000).toFixed(3),
        r.cpuMs === undefined ? '-' : (r.cpuMs / 1000).toFixed(3),
        (r.bytes / 1e6).toFixed(1),
        String(Math.round(r.rounds)),
        fmtMs(tfjs),
        (r.ms / tfjs).toFixed(1),
      ]);
    }
  }
}
table(['optimizer', 'relu bits', 'players', 'code', 's/batch', 'CPU s/batch', 'MB/batch', 'rounds/batch', 'tfjs cpu ms', 'ratio'], rows);
