/**
 * Private inference of SecureNN's networks A (MLP 784-128-128-10) and C
 * (CNN), trained on MNIST (models/): latency for 1 image and throughput for a
 * batch of 128, in one process and across processes on loopback (one per
 * player, socket.io), with bytes and rounds per image, beside plaintext tfjs
 * (cpu backend) on the same batch. Then, for one input: the MobileNet-like
 * mnist-mobilenet (separable convolutions, batch norm, relu6, a residual add)
 * and an LSTM of 64 units over 32 steps (bench/models.ts). The timed span
 * covers sharing the input, the network and revealing the logits to the
 * result receiver.
 *
 * Run: npm run bench:inference   (RUNS=3 by default; NETWORKS=mobilenet,lstm for the new ones only)
 */
import * as tf from '@tensorflow/tfjs';
import { benchNetwork, LSTM_BENCH } from './models.js';
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
  if (name === LSTM_BENCH) return { RUNS: String(RUNS), WARMUP: '1' };
  return name === 'mnist-mlp' ? { RUNS: String(RUNS * 40), WARMUP: '100' } : { RUNS: String(RUNS * 10), WARMUP: '20' };
};
await useBackend('cpu');
const NETWORKS = (process.env.NETWORKS ?? 'mlp,cnn,mobilenet,lstm').split(',');

async function plainMs(name: string, batch: number): Promise<number> {
  const net = await benchNetwork(name);
  const plain = net.model;
  const x = tf.tensor(net.inputs(batch), [batch, ...net.shape]);
  const times: number[] = [];
  for (let r = 0; r <= RUNS; r++) {
    const t0 = performance.now();
    (plain.predict(x) as tf.Tensor).dataSync();
    if (r > 0) times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
}

console.log(`Private inference, median of ${RUNS * 40} runs after 100 warm-up runs for one image of A, ${RUNS * 10} after 20 for one input of C and the MobileNet-like network, ${RUNS} after one for 128 and for the LSTM; bytes are all players' traffic, the crypto producer's included`);
console.log(`${machine()}\n`);
const rows: string[][] = [];
const NETS = [['mlp', 'A (MLP)', 'mnist-mlp', [1, 128]], ['cnn', 'C (CNN)', 'mnist-cnn', [1, 128]], ['mobilenet', 'MobileNet-like', 'mnist-mobilenet', [1]], ['lstm', 'LSTM 64x32', LSTM_BENCH, [1]]] as const;
for (const [key, label, name, batches] of NETS) {
  if (!NETWORKS.includes(key)) continue;
  for (const batch of batches) {
    const plain = await plainMs(name, batch);
    for (const mode of ['one process', 'processes'] as const) {
      const r = await runProgram('bench/programs/inference.ts', mode, { MODEL: name, BATCH: String(batch), ...runsFor(name, batch) });
      rows.push([label, String(batch), mode, fmtMs(r.ms), r.p90Ms === undefined ? '-' : fmtMs(r.p90Ms), fmtMs(r.ms / batch), (r.bytes / batch / 1e6).toFixed(3), String(r.rounds), fmtMs(plain), (r.ms / plain).toFixed(1)]);
    }
  }
}
table(['network', 'batch', 'players', 'private ms', 'p90 ms', 'ms/input', 'MB/input', 'rounds', 'tfjs cpu ms', 'ratio'], rows);
