/**
 * One benchmark program for every player (one process, or one per player
 * under `tfe run`): OP (relu, maxpool, sigmoid, sigmoid-poly) on 131,072
 * private elements, RUNS times from a fresh (unmasked) tensor, timed from a
 * common start to the moment server 0 holds its share. Prints `BENCH {json}`.
 */
import * as tfe from 'tfjs-encrypted';
import { sharesOf } from '../../src/protocol/index.js';

const OP = process.env.OP ?? 'relu';
const RUNS = Number(process.env.RUNS ?? 3);
const N = 128 * 1024;
const config = tfe.LocalConfig(['server0', 'server1', 'crypto-producer', 'inputter'], { timeoutMs: 600_000 });
const prot = new tfe.protocol.Pond(config, { servers: ['server0', 'server1'], cryptoProducer: 'crypto-producer' });
const x = prot.definePrivateInput('inputter', () => Float64Array.from({ length: N }, (_, i) => (((i * 7919) % 20001) - 10000) / 1000), { shape: [128, 1024] });
const ops: Record<string, (t: tfe.protocol.PrivateTensor) => tfe.protocol.PrivateTensor> = {
  relu: (t) => t.relu(),
  maxpool: (t) => t.reshape([128, 32, 32, 1]).maxPool2d(2),
  sigmoid: (t) => prot.sigmoid(t),
  'sigmoid-poly': (t) => prot.sigmoid(t, { method: 'polynomial' }),
};
const op = ops[OP];
const times: number[] = [];
let bytes = 0;
let rounds = 0;
for (let r = 0; r <= RUNS; r++) {
  await prot.reveal(prot.definePrivateInput('server0', () => [0], { shape: [1] })); // everyone meets here
  await prot.flush();
  const before = prot.traffic();
  const t0 = performance.now();
  const y = op(x.add(0));
  if (config.isLocal('server0')) await sharesOf(y)[0].value();
  const ms = performance.now() - t0;
  await prot.flush();
  const after = prot.traffic();
  if (r === 0) continue; // warm-up
  times.push(ms);
  bytes += after.totalBytes - before.totalBytes;
  rounds = Math.max(rounds, after.rounds - before.rounds);
}
times.sort((a, b) => a - b);
const local = config.playerNames.filter((p) => config.isLocal(p));
console.log(`BENCH ${JSON.stringify({ players: local, bytesPerRun: bytes / RUNS, rounds, ms: local.includes('server0') ? times[Math.floor(times.length / 2)] : undefined })}`);
await config.close();
