/**
 * Private inference of SecureNN's networks A (MLP 784-128-128-10) and C
 * (CNN), trained on MNIST (models/): latency for 1 image and throughput for a
 * batch of 128, with bytes and rounds per image, beside plaintext tfjs (cpu
 * backend) on the same batch. One process here (all players' work on one
 * thread); bench/inference-remote.ts runs the players as processes.
 *
 * Run: npm run bench:inference
 */
import * as tf from '@tensorflow/tfjs';
import * as tfe from 'tfjs-encrypted';
import { loadMnist } from '../models/data.js';
import { fmtMs, machine, table, useBackend } from './util.js';

const RUNS = Number(process.env.RUNS ?? 3);
await useBackend('cpu');
const { test } = loadMnist();

interface Measure {
  ms: number;
  bytes: number;
  rounds: number;
}

async function privateRun(name: string, batch: number): Promise<Measure> {
  const plain = await tfe.models.loadTfjs(`models/${name}`);
  const shape = plain.inputs[0].shape.slice(1) as number[];
  const config = tfe.LocalConfig(['server0', 'server1', 'crypto-producer', 'model-owner', 'inputter', 'result-receiver']);
  const prot = new tfe.protocol.Pond(config, { servers: ['server0', 'server1'], cryptoProducer: 'crypto-producer' });
  const model = await tfe.models.fromTfjs(plain, prot, { weightsOwner: 'model-owner' });
  const pixels = test.pixels.slice(0, batch * 784);
  const runs: Measure[] = [];
  for (let r = 0; r < RUNS + 1; r++) {
    const x = prot.definePrivateInput('inputter', () => pixels, { shape: [batch, ...shape] });
    await Promise.all(x.shares.map((s) => s.value()));
    await prot.flush();
    const before = prot.traffic();
    const t0 = performance.now();
    await prot.revealFloat64(model.predict(x), 'result-receiver');
    const ms = performance.now() - t0;
    await prot.flush();
    const after = prot.traffic();
    // The first run also opens the masked weights once: not counted.
    if (r > 0) runs.push({ ms, bytes: after.totalBytes - before.totalBytes, rounds: after.rounds - before.rounds });
  }
  await config.close();
  runs.sort((a, b) => a.ms - b.ms);
  return runs[Math.floor(runs.length / 2)];
}

async function plainRun(name: string, batch: number): Promise<number> {
  const plain = await tfe.models.loadTfjs(`models/${name}`);
  const shape = plain.inputs[0].shape.slice(1) as number[];
  const x = tf.tensor(test.pixels.slice(0, batch * 784), [batch, ...shape]);
  const times: number[] = [];
  for (let r = 0; r < RUNS + 1; r++) {
    const t0 = performance.now();
    (plain.predict(x) as tf.Tensor).dataSync();
    if (r > 0) times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
}

console.log(`Private inference, one process (all players on one thread), median of ${RUNS} runs after a warm-up`);
console.log(`${machine()}\n`);
const rows: string[][] = [];
for (const [label, name] of [['A (MLP)', 'mnist-mlp'], ['C (CNN)', 'mnist-cnn']] as const) {
  for (const batch of [1, 128]) {
    const p = await privateRun(name, batch);
    const t = await plainRun(name, batch);
    rows.push([label, String(batch), fmtMs(p.ms), fmtMs(p.ms / batch), (p.bytes / batch / 1e6).toFixed(3), String(p.rounds), fmtMs(t), (p.ms / t).toFixed(1)]);
  }
}
table(['network', 'batch', 'private ms', 'ms/image', 'MB/image', 'rounds', 'tfjs cpu ms', 'ratio'], rows);
