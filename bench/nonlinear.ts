/**
 * Nonlinear ops on a 128 x 1024 tensor (131,072 elements), side by side in
 * one run: relu, maxPool2d 2x2 (on 128 x 32 x 32 x 1), sigmoid (accurate and
 * polynomial), private in one process, with elements per second, rounds and
 * bytes per element (all players' traffic, the crypto producer's included),
 * beside plaintext tfjs (cpu backend) on the same data; then the same ops with
 * one process per player on loopback (socket.io). Rounds are the
 * counter's distinct online steps: concurrent steps count separately, so this
 * is an upper bound on the critical path.
 *
 * Run: npm run bench:nonlinear
 */
import * as tf from '@tensorflow/tfjs';
import * as tfe from 'tfjs-encrypted';
import { runProgram } from './run-players.js';
import { machine, table, useBackend } from './util.js';
import { sharesOf } from '../src/protocol/index.js';

const ROWS = 128;
const COLS = 1024;
const N = ROWS * COLS;
const RUNS = Number(process.env.RUNS ?? 3);

await useBackend('cpu');
const config = tfe.LocalConfig(['server0', 'server1', 'crypto-producer', 'inputter']);
const prot = new tfe.protocol.Pond(config, { servers: ['server0', 'server1'], cryptoProducer: 'crypto-producer' });
const values = Float64Array.from({ length: N }, (_, i) => (((i * 7919) % 20001) - 10000) / 1000);
const x = prot.definePrivateInput('inputter', () => values, { shape: [ROWS, COLS] });
await Promise.all(sharesOf(x).map((s) => s.value()));
const plain = tf.tensor2d(Float32Array.from(values), [ROWS, COLS]);

interface Row {
  name: string;
  secure: () => tfe.protocol.Tensor;
  plaintext: () => tf.Tensor;
}
// Every run starts from a fresh private tensor (x + 0, a local op), so no
// cached Beaver mask from an earlier run makes it look cheaper.
const fresh = (): tfe.protocol.PrivateTensor => x.add(0);
const plainImages = plain.reshape([128, 32, 32, 1]) as tf.Tensor4D;
const rows: Row[] = [
  { name: 'relu', secure: () => fresh().relu(), plaintext: () => tf.relu(plain) },
  { name: 'maxPool2d 2x2', secure: () => fresh().reshape([128, 32, 32, 1]).maxPool2d(2), plaintext: () => tf.maxPool(plainImages, 2, 2, 'valid') },
  { name: 'sigmoid (accurate)', secure: () => prot.sigmoid(fresh()), plaintext: () => tf.sigmoid(plain) },
  { name: 'sigmoid (polynomial)', secure: () => prot.sigmoid(fresh(), { method: 'polynomial' }), plaintext: () => tf.sigmoid(plain) },
];

console.log(`nonlinear ops on ${N} elements, private in one process (all players) beside tfjs cpu; median of ${RUNS} runs`);
console.log(`${machine()}\n`);
const out: string[][] = [];
for (const r of rows) {
  const secureMs: number[] = [];
  const plainMs: number[] = [];
  let rounds = 0;
  let bytes = 0;
  for (let i = 0; i < RUNS + 1; i++) {
    const before = prot.traffic();
    let t0 = performance.now();
    const y = r.secure();
    await Promise.all(sharesOf(y).map((s) => s.value()));
    const ms = performance.now() - t0;
    const after = prot.traffic();
    t0 = performance.now();
    const p = r.plaintext();
    p.dataSync();
    const pms = performance.now() - t0;
    p.dispose();
    if (i === 0) continue; // warm-up
    secureMs.push(ms);
    plainMs.push(pms);
    rounds = after.rounds - before.rounds;
    bytes = after.totalBytes - before.totalBytes;
  }
  const med = (a: number[]): number => a.sort((p, q) => p - q)[Math.floor(a.length / 2)];
  const sMs = med(secureMs);
  const pMs = med(plainMs);
  out.push([r.name, sMs.toFixed(0), ((N / sMs) * 1000).toFixed(0), String(rounds), (bytes / N).toFixed(0), pMs.toFixed(1), ((N / pMs) * 1000).toExponential(1)]);
}
table(['op', 'private ms', 'elements/s', 'rounds', 'bytes/element', 'tfjs ms', 'tfjs elements/s'], out);
await prot.flush();
await config.close();

// Four processes share two cores and each run moves ~44 MB: the first runs pay for fresh memory, so more runs here.
const REMOTE_RUNS = RUNS * 3;
console.log(`\nThe same, one process per player (server0, server1, crypto-producer, inputter) on loopback; timed on server 0; median of ${REMOTE_RUNS} runs`);
const remote: string[][] = [];
for (const [name, op] of [['relu', 'relu'], ['maxPool2d 2x2', 'maxpool'], ['sigmoid (accurate)', 'sigmoid'], ['sigmoid (polynomial)', 'sigmoid-poly']] as const) {
  const r = await runProgram('bench/programs/nonlinear.ts', 'processes', { OP: op, RUNS: String(REMOTE_RUNS) });
  remote.push([name, r.ms.toFixed(0), ((N / r.ms) * 1000).toFixed(0), String(r.rounds), (r.bytes / N).toFixed(0)]);
}
table(['op', 'private ms', 'elements/s', 'rounds', 'bytes/element'], remote);
