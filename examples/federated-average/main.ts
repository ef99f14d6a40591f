/**
 * Federated average (tf-encrypted's README example, in TypeScript).
 *
 * Five inputters each hold a vector of 10 numbers. They secret-share them with
 * the two servers, which add the shares and divide by 5 without ever seeing a
 * vector; only the result receiver learns the average. Dividing by a public
 * number is exact to a few units of 2^-16 (the divisor is not rounded to 16
 * bits: see docs/precision.md).
 *
 * Run: npm run demo
 */
import * as tf from '@tensorflow/tfjs';
import * as tfe from 'tfjs-encrypted';

// tfjs prints a hint about tfjs-node on first use in Node; not needed here.
tf.env().set('PROD', true);

const INPUTTERS = ['inputter-0', 'inputter-1', 'inputter-2', 'inputter-3', 'inputter-4'];
const config = tfe.LocalConfig(['server0', 'server1', 'crypto-producer', ...INPUTTERS, 'result-receiver']);
const prot = new tfe.protocol.Pond(config, { servers: ['server0', 'server1'], cryptoProducer: 'crypto-producer' });

// Each inputter's private vector. Seeded so that, for this demo only, the
// result receiver can recompute the plaintext average and print it alongside.
function provideInput(k: number): tf.Tensor1D {
  return tf.randomNormal([10], 0, 1, 'float32', 1000 + k);
}

const inputs = INPUTTERS.map((name, k) => prot.definePrivateInput(name, () => provideInput(k), { shape: [10] }));
const average = inputs.reduce((sum, x) => sum.add(x)).div(INPUTTERS.length);

await prot.defineOutput('result-receiver', average, (privateAverage) => {
  const plainAverage = tf.addN(INPUTTERS.map((_, k) => provideInput(k))).div(INPUTTERS.length);
  const got = privateAverage.dataSync();
  const want = plainAverage.dataSync();
  console.log('Federated average of 5 private vectors, computed by 2 servers that never saw them:\n');
  console.log('   i   private average   plaintext average');
  for (let i = 0; i < got.length; i++) {
    console.log(`  ${String(i).padStart(2)}   ${got[i].toFixed(6).padStart(15)}   ${want[i].toFixed(6).padStart(17)}`);
  }
  const maxDiff = Math.max(...Array.from(got, (v, i) => Math.abs(v - want[i])));
  console.log(`\nmax |private - plaintext| = ${maxDiff.toExponential(2)} (fixed point with 16 fractional bits)`);
});

await prot.flush();
await config.close();
