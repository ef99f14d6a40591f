/**
 * One benchmark program for every player (one process, or one process per
 * player under `tfe run`): private training of network A on BATCH-row
 * batches of the MNIST training digits with the optimizer OPT (sgd or
 * momentum or adam) and relu on RELU_BITS bits (64 or 32), RUNS timed batches after one warm-up batch; the rows are masked
 * once before (a fit masks its rows once for all its epochs). Nobody learns the loss. Each process prints `BENCH {json}` with
 * the bytes and rounds its own players sent per batch; the first server, whose
 * loop waits for each batch's sync, prints the time per batch. PROFILE=dir writes
 * each process's CPU profile of the timed batches to dir.
 */
import * as tf from '@tensorflow/tfjs';
import fs from 'node:fs';
import inspector from 'node:inspector/promises';
import path from 'node:path';
import * as tfe from 'tfjs-encrypted';
import { loadMnist } from '../../models/data.js';

tf.env().set('PROD', true);
const BATCH = Number(process.env.BATCH ?? 128);
const RUNS = Number(process.env.RUNS ?? 5);
const OPT = process.env.OPT ?? 'sgd';
const RELU_BITS = process.env.RELU_BITS === '32' ? 32 : 64;
/** A folder: each process writes a CPU profile of its timed batches there (the warm-up and setup left out). */
const PROFILE = process.env.PROFILE ?? '';

/** A V8 CPU profile of this process from now until `stop`, through the inspector. */
async function startProfile(): Promise<{ stop: (file: string) => Promise<void> }> {
  const session = new inspector.Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return {
    stop: async (file) => {
      const { profile } = await session.post('Profiler.stop');
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, JSON.stringify(profile));
      session.disconnect();
    },
  };
}

const config = tfe.LocalConfig(['server0', 'server1', 'crypto-producer', 'data-owner', 'model-owner'], { timeoutMs: 600_000 });
const prot = new tfe.protocol.Pond(config, { servers: ['server0', 'server1'], cryptoProducer: 'crypto-producer' }, { fracBits: 20, reluBits: RELU_BITS });
const rows = BATCH * (RUNS + 1);
const { train } = loadMnist();
const images = prot.definePrivateInput('data-owner', () => train.pixels.subarray(0, rows * 784), { shape: [rows, 784] });
const labels = prot.definePrivateInput('data-owner', () => tf.oneHot(tf.tensor1d(Array.from(train.labels.subarray(0, rows)), 'int32'), 10), { shape: [rows, 10] });
const plain = tf.sequential({
  layers: [
    tf.layers.dense({ inputShape: [784], units: 128, activation: 'relu' }),
    tf.layers.dense({ units: 128, activation: 'relu' }),
    tf.layers.dense({ units: 10, activation: 'softmax' }),
  ],
});
const model = await tfe.models.fromTfjs(plain, prot, { weightsOwner: 'model-owner' });
const optimizer = OPT === 'momentum' ? tfe.train.momentum(0.05, 0.9) : OPT === 'adam' ? tfe.train.adam(0.001) : tfe.train.sgd(0.1);
model.compile({ optimizer, loss: 'categoricalCrossentropy' });
// The rows are masked once before the clock starts, as a long fit does once for all its
// epochs; rows gathered from them come masked.
const masked = images.mask();
const range = (from: number, n: number): number[] => Array.from({ length: n }, (_, i) => from + i);
// Warm-up: one batch.
// The weight range check a fit makes once per epoch (checkWeights) is left out: it is not part of a
// step, and here each fit is one short epoch (its cost, once per epoch: BENCHMARKS.md).
await model.fit(masked.gather(range(0, BATCH)), labels.gather(range(0, BATCH)), { batchSize: BATCH, epochs: 1, verbose: 0, shuffle: false, checkWeights: 'never' });
await prot.flush();
const rest = [masked.gather(range(BATCH, BATCH * RUNS)), labels.gather(range(BATCH, BATCH * RUNS))] as const;
const local = config.playerNames.filter((p) => config.isLocal(p));
const profiler = PROFILE === '' ? undefined : await startProfile();
const before = prot.traffic();
const cpu0 = process.cpuUsage();
const t0 = performance.now();
await model.fit(rest[0], rest[1], { batchSize: BATCH, epochs: 1, verbose: 0, shuffle: false, checkWeights: 'never' });
await prot.flush();
const ms = (performance.now() - t0) / RUNS;
const cpu = process.cpuUsage(cpu0);
const after = prot.traffic();
if (profiler !== undefined) await profiler.stop(path.join(PROFILE, `${OPT}-${local.length > 1 ? 'all' : local[0]}.cpuprofile`));
console.log(
  `BENCH ${JSON.stringify({ players: local, bytesPerRun: (after.totalBytes - before.totalBytes) / RUNS, rounds: (after.rounds - before.rounds) / RUNS, cpuMsPerRun: (cpu.user + cpu.system) / 1000 / RUNS, ...(local.includes('server0') ? { ms } : {}) })}`,
);
await config.close();
