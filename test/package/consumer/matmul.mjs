// A user's program, run with plain `node` in a fresh project that installed
// the packed tarball: a private matmul with every player in this process,
// beside tfjs's plaintext product. Prints one JSON line.
import * as tf from '@tensorflow/tfjs';
import * as tfe from 'tfjs-encrypted';

const [m, k, n] = [8, 16, 4];
const xv = Array.from({ length: m * k }, (_, i) => ((i * 37) % 41) / 10 - 2);
const wv = Array.from({ length: k * n }, (_, i) => ((i * 53) % 29) / 7 - 2);

const config = tfe.LocalConfig(['server0', 'server1', 'crypto-producer', 'inputter', 'result-receiver']);
const prot = new tfe.protocol.Pond(config, { servers: ['server0', 'server1'], cryptoProducer: 'crypto-producer' });
const x = prot.definePrivateInput('inputter', () => tf.tensor2d(xv, [m, k]), { shape: [m, k] });
const w = prot.definePrivateInput('inputter', () => tf.tensor2d(wv, [k, n]), { shape: [k, n] });
const y = await prot.reveal(x.matmul(w), 'result-receiver');
const got = await y.data();
const want = await tf.matMul(tf.tensor2d(xv, [m, k]), tf.tensor2d(wv, [k, n])).data();
let maxErr = 0;
for (let i = 0; i < want.length; i++) maxErr = Math.max(maxErr, Math.abs(got[i] - want[i]));
await config.close();
console.log(JSON.stringify({ shape: y.shape, maxErr, backend: tf.getBackend() }));
