/**
 * Matrix product n x n by n x n, side by side in one run:
 * - ring: exact product over Z_(2^64) (WebAssembly kernel, one thread);
 * - tfjs cpu: float32 tf.matMul on the pure-JS backend;
 * - tfjs wasm: float32 tf.matMul on @tensorflow/tfjs-backend-wasm (XNNPACK SIMD);
 * - private: Pond matmul of two private tensors in one process, every
 *   player's work included (masking and opening both operands, the crypto
 *   producer's triple, the Beaver products, truncation).
 * Contenders run round-robin and the median of each is reported.
 *
 * Run: npm run bench:matmul  (SIZES=512 to choose sizes)
 */
import * as tf from '@tensorflow/tfjs';
import * as tfe from 'tfjs-encrypted';
import { randomWords } from '../src/crypto/index.js';
import * as ring from '../src/ring/index.js';
import { fmtMs, interleaved, machine, table, useBackend, type Contender } from './util.js';
import { sharesOf } from '../src/protocol/index.js';

const SIZES = (process.env.SIZES ?? '128,256,512').split(',').map(Number);
const ROUNDS = Number(process.env.ROUNDS ?? 9);

await useBackend('wasm');
const wasmBackend = tf.backend();
await useBackend('cpu');
const cpuBackend = tf.backend();

/** tf.matMul on a given backend; operands are created on it beforehand. */
async function tfjsContender(backendName: 'cpu' | 'wasm', n: number): Promise<Contender> {
  await tf.setBackend(backendName);
  const values = new Float32Array(n * n).map((_, i) => ((i * 7919) % 1000) / 1000);
  const x = tf.tensor2d(values, [n, n]);
  return {
    before: () => tf.setBackend(backendName),
    run: () => {
      const y = tf.matMul(x, x);
      y.dataSync();
      y.dispose();
    },
  };
}

async function privateContender(n: number): Promise<{ run: () => Promise<void>; close: () => Promise<void> }> {
  const config = tfe.LocalConfig(['server0', 'server1', 'crypto-producer', 'inputter']);
  const prot = new tfe.protocol.Pond(config, { servers: ['server0', 'server1'], cryptoProducer: 'crypto-producer' });
  const values = Float64Array.from({ length: n * n }, (_, i) => ((i * 7919) % 2000) / 100 - 10);
  const x = prot.definePrivateInput('inputter', () => values, { shape: [n, n] });
  const w = prot.definePrivateInput('inputter', () => values, { shape: [n, n] });
  await Promise.all([...sharesOf(x), ...sharesOf(w)].map((s) => s.value()));
  return {
    run: async () => {
      // Fresh (unmasked) operands each run, so that masking is measured too.
      const z = x.add(0).matmul(w.add(0));
      await Promise.all(sharesOf(z).map((s) => s.value()));
    },
    close: async () => {
      await prot.flush();
      await config.close();
    },
  };
}

console.log(`matmul n x n by n x n: median wall time (ms) over ${ROUNDS} interleaved rounds; ratios to tfjs cpu / tfjs wasm`);
console.log(`${machine()}; tfjs backends ${cpuBackend.constructor.name}, ${wasmBackend.constructor.name}\n`);
const rows: string[][] = [];
for (const n of SIZES) {
  const a = new ring.RingTensor([n, n], randomWords(n * n));
  const b = new ring.RingTensor([n, n], randomWords(n * n));
  const priv = await privateContender(n);
  const t = await interleaved(
    {
      cpu: await tfjsContender('cpu', n),
      wasm: await tfjsContender('wasm', n),
      ring: () => ring.matmul(a, b),
      private: priv.run,
    },
    ROUNDS,
  );
  await priv.close();
  const r = (ms: number): string => `${fmtMs(ms)} (${(ms / t.cpu).toFixed(2)}x / ${(ms / t.wasm).toFixed(2)}x)`;
  rows.push([String(n), fmtMs(t.cpu), fmtMs(t.wasm), r(t.ring), r(t.private)]);
}
table(['n', 'tfjs cpu', 'tfjs wasm', 'ring (WebAssembly)', 'private Pond (1 process)'], rows);
