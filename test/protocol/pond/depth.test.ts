import test from 'ava';
import * as tfe from '../../../src/index.js';
import type { Pond } from '../../../src/protocol/index.js';
import { RoundDepth } from '../../helpers/depth.js';
import { matmul64, maxAbsDiff, PLAYERS, quantize, revealValues } from '../../helpers/float.js';
import { TestRng } from '../../helpers/random.js';

const [M, K, N] = [3, 8, 5];
const rng = new TestRng(41);
const X = rng.floats(M * K, -1, 1);
const W = rng.floats(K * N, -0.5, 0.5);
// Biases that put some pre-activations within a few units of zero, of both signs.
const B = rng.floats(N, -0.5, 0.5);

type Layer = (prot: Pond, x: tfe.protocol.Tensor, w: tfe.protocol.Tensor, b: tfe.protocol.Tensor) => tfe.protocol.Tensor;

/** The rounds from issuing `layer` to its result, inputs and weights already shared and masked. */
async function depthOf(layer: Layer): Promise<{ depth: number; values: Float64Array }> {
  const config = new tfe.InProcessConfig(PLAYERS);
  const prot = new tfe.protocol.Pond(config, { servers: ['server0', 'server1'], cryptoProducer: 'crypto-producer' });
  const x = prot.definePrivateInput('inputter', () => X, { shape: [M, K] });
  const w = prot.definePrivateVariable(Array.from({ length: K }, (_, i) => Array.from(W.slice(i * N, (i + 1) * N))));
  const b = prot.definePrivateVariable(Array.from(B));
  // Mask both operands of the product once (as a served model's weights are), outside the measure.
  await revealValues(prot, x.matmul(w));
  const depth = new RoundDepth(config.transport);
  const y = layer(prot, x, w, b);
  const waves = await depth.waves(Promise.all(tfe.protocol.sharesOf(y).map((s) => s.value())));
  const values = await revealValues(prot, y);
  await config.close();
  return { depth: waves, values };
}

/** float64 on the encoded inputs: what the private layer computes up to the truncation's unit. */
const [QX, QW, QB] = [X, W, B].map((v) => quantize(v));
const reference = (bias: boolean): Float64Array => matmul64(QX, QW, M, K, N).map((v, i) => Math.max(0, v + (bias ? QB[i % N] : 0)));

test('relu after a product plus a bias starts its comparison before the truncation is opened, as without the bias', async (t) => {
  const plain = await depthOf((p, x, w) => p.relu(x.matmul(w)));
  const biased = await depthOf((p, x, w, b) => p.relu(x.matmul(w).add(b)));
  const publicBias = await depthOf((p, x, w) => p.relu(x.matmul(w).sub(p.definePublicVariable(Array.from(B, (v) => -v)))));
  t.log(`depth: relu(xw) ${plain.depth}, relu(xw + b) ${biased.depth}, relu(xw - public) ${publicBias.depth}`);
  t.is(biased.depth, plain.depth, 'a private bias adds no round');
  t.is(publicBias.depth, plain.depth, 'a public bias adds no round');
  // Exact up to the truncation's unit, on both sides of zero.
  t.true(maxAbsDiff(plain.values, reference(false)) <= 2 * 2 ** -16, `relu(xw): ${maxAbsDiff(plain.values, reference(false))}`);
  t.true(maxAbsDiff(biased.values, reference(true)) <= 2 * 2 ** -16, `relu(xw + b): ${maxAbsDiff(biased.values, reference(true))}`);
  t.true(maxAbsDiff(publicBias.values, reference(true)) <= 2 * 2 ** -16, `relu(xw - public): ${maxAbsDiff(publicBias.values, reference(true))}`);
});

test('a comparison that cannot start early waits for the truncation: one round more', async (t) => {
  const plain = await depthOf((p, x, w) => p.relu(x.matmul(w)));
  // A truncated product times a public integer keeps no untruncated form.
  const scaled = await depthOf((p, x, w) => p.relu(x.matmul(w).mul(2)));
  t.log(`depth: relu(xw) ${plain.depth}, relu(2 xw) ${scaled.depth}`);
  t.is(scaled.depth, plain.depth + 1);
});
