/**
 * One benchmark program for every player (run in one process, or as one
 * process per player by `tfe run`): private inference of a network of
 * bench/models.ts on BATCH inputs, RUNS times after WARMUP runs (the first opens
 * the masked weights). Before each run all players meet in a tiny reveal, so the
 * result receiver's clock covers sharing the input, the network and revealing
 * the logits. Each process prints one line `BENCH {json}` with the bytes and
 * rounds its own players sent, and the result receiver the median time.
 */
import * as tf from '@tensorflow/tfjs';
import * as tfe from 'tfjs-encrypted';
import { benchNetwork } from '../models.js';

tf.env().set('PROD', true);
const MODEL = process.env.MODEL ?? 'mnist-mlp';
const BATCH = Number(process.env.BATCH ?? 1);
const RUNS = Number(process.env.RUNS ?? 3);
/** Warm-up predictions (the first also masks the weights); a single image needs a few for the JIT. */
const WARMUP = Number(process.env.WARMUP ?? 1);

const config = tfe.LocalConfig(['server0', 'server1', 'crypto-producer', 'model-owner', 'inputter', 'result-receiver'], { timeoutMs: 600_000 });
const prot = new tfe.protocol.Pond(config, { servers: ['server0', 'server1'], cryptoProducer: 'crypto-producer' }, { comparison: process.env.COMPARISON === 'fss' ? 'fss' : 'adder' });
const network = await benchNetwork(MODEL);
const shape = [...network.shape];
const model = await tfe.models.fromTfjs(network.model, prot, { weightsOwner: 'model-owner' });
const pixels = (): Float32Array => network.inputs(BATCH);
const barrier = prot.definePublicVariable([0]);

const predictOnce = async (): Promise<void> => {
  const x = prot.definePrivateInput('inputter', pixels, { shape: [BATCH, ...shape] });
  await prot.revealFloat64(model.predict(x), 'result-receiver');
};
for (let w = 0; w < WARMUP; w++) await predictOnce(); // the first masks and opens the weights once
const times: number[] = [];
const cpu0 = process.cpuUsage();
let bytes = 0;
let rounds = 0;
for (let r = 0; r < RUNS; r++) {
  await prot.reveal(prot.add(barrier, prot.definePrivateInput('server0', () => [0], { shape: [1] })));
  await prot.flush();
  const before = prot.traffic();
  const t0 = performance.now();
  await predictOnce();
  times.push(performance.now() - t0);
  await prot.flush();
  const after = prot.traffic();
  bytes += after.totalBytes - before.totalBytes;
  rounds = Math.max(rounds, after.rounds - before.rounds);
}
const cpu = process.cpuUsage(cpu0);
times.sort((a, b) => a - b);
const local = config.playerNames.filter((p) => config.isLocal(p));
console.log(`BENCH ${JSON.stringify({ players: local, bytesPerRun: bytes / RUNS, rounds, cpuMsPerRun: (cpu.user + cpu.system) / 1000 / RUNS, ...(local.includes('result-receiver') ? { ms: times[Math.floor(times.length / 2)], p90Ms: times[Math.floor(times.length * 0.9)] } : {}) })}`);
await config.close();
