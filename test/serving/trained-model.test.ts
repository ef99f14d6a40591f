/**
 * Serving a privately trained model (issue 12): a functional model with
 * batch normalization and two branches whose creation order differs from
 * the order fromTfjs rebuilds them in, trained by fit on a data owner's
 * private rows (its weights never revealed to anyone), saved by saveShares
 * into the serving folder, then served by three `tfe serve` processes; a
 * Node client's predictions equal the private model's own predict. Bounded
 * in time; every process is killed when the test ends.
 *
 * Tolerance: both sides run the same fixed-point computation (20 fractional
 * bits, as training) with independent truncation rounding (one unit in the
 * last place per product, a few layers deep, batch normalization's invSqrt
 * at 2^-20 relative): 1e-3.
 */
import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import path from 'node:path';
import * as tfe from '../../src/index.js';
import { saveShares } from '../../src/models/node.js';
import { connect, type Client } from '../../src/serving/node.js';
import { maxAbsDiff } from '../helpers/float.js';
import { TEST_SECRET } from '../helpers/net.js';
import { spawnCli, type PlayerRun } from '../helpers/players.js';
import { TestRng } from '../helpers/random.js';
import { SERVING_NAMES, serviceFiles } from '../helpers/serving.js';

tf.env().set('PROD', true);
const rng = new TestRng(137);

/** Rejects if `p` does not settle within `ms`: nothing in this test may hang. */
function bounded<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms).unref())]);
}

/** x -> dense -> batch norm -> two dense branches (the second made first) -> concatenate -> softmax. */
function network(): tfe.Functional {
  const x = tfe.input({ shape: [4], name: 'x' });
  const h = tfe.layers.activation({ activation: 'relu' }).apply(tfe.layers.batchNormalization({ momentum: 0.5 }).apply(tfe.layers.dense({ units: 6 }).apply(x)));
  const late = tfe.layers.dense({ units: 3, activation: 'tanh' });
  const early = tfe.layers.dense({ units: 3 }).apply(h);
  const merged = tfe.layers.concatenate().apply([late.apply(h), early]);
  return tfe.model({ name: 'trained', inputs: x, outputs: tfe.layers.dense({ units: 2, activation: 'softmax' }).apply(merged) });
}

test('a model trained privately and saved by saveShares is served by tfe serve; a client predicts what the private model predicts', async (t) => {
  const files = await serviceFiles(t, { timeoutMs: 10_000 });
  // ---------------------------------------------------------------- private training, then saving on the servers
  const config = new tfe.InProcessConfig([...SERVING_NAMES, 'data-owner', 'result-receiver']);
  const prot = new tfe.protocol.Pond(config, { servers: ['server0', 'server1'], cryptoProducer: 'crypto-producer' }, { fracBits: 20 });
  const n = 48;
  const xs = Float64Array.from({ length: n * 4 }, () => rng.uniform(-1, 1));
  const ys = new Float64Array(n * 2);
  for (let i = 0; i < n; i++) ys[i * 2 + (xs[i * 4] + xs[i * 4 + 1] > 0 ? 1 : 0)] = 1;
  const model = network();
  model.build(prot, { weightsOwner: 'data-owner' });
  // A moderate rate and a fixed row order: the weights start random, and at 0.3 with shuffled
  // batches the third epoch's loss was once above the first's (0.44 -> 0.32 -> 0.49).
  model.compile({ optimizer: tfe.train.sgd(0.1), loss: 'categoricalCrossentropy' });
  const x = prot.definePrivateInput('data-owner', () => xs, { shape: [n, 4] });
  const y = prot.definePrivateInput('data-owner', () => ys, { shape: [n, 2] });
  const history = await model.fit(x, y, { batchSize: 16, epochs: 4, shuffle: false, verbose: 0, revealLossTo: 'data-owner' });
  t.log(`loss by epoch: ${history.history.loss.map((l) => l.toFixed(3)).join(' -> ')}`);
  t.true(history.history.loss[3] < history.history.loss[0], `the loss goes down: ${history.history.loss.join(' -> ')}`);
  const written = await saveShares(model, path.join(files.dir, 'shares'));
  t.deepEqual(written.map((f) => path.basename(f)).sort(), ['server0.tfeshares', 'server1.tfeshares']);
  const queries = Float64Array.from({ length: 5 * 4 }, () => rng.uniform(-1, 1));
  const revealed = await prot.revealFloat64(model.predict(prot.definePrivateInput('data-owner', () => queries, { shape: [5, 4] })), 'result-receiver');
  await prot.flush();
  if (revealed === undefined) throw new Error('result-receiver is not local');

  // ---------------------------------------------------------------- tfe serve, each player a process
  const env = { TFE_SECRET: TEST_SECRET };
  const runs: PlayerRun[] = SERVING_NAMES.map((name) => spawnCli(t, ['serve', '--config', files.hostmap, '--name', name], env, name));
  const diagnostics = (): string => runs.map((r) => `--- ${r.name}\n${r.stderr.split('\n').slice(-15).join('\n')}`).join('\n');
  let client: Client | undefined;
  t.teardown(() => client?.close());
  try {
    // The servers are processes starting tsx and tfjs: on a loaded 2-core CI that alone can pass 10 s.
    client = await bounded(connect({ servers: files.urls, timeoutMs: 10_000, connectTimeoutMs: 50_000 }), 60_000, 'connecting');
    await client.ready(90_000);
    const got = await bounded(client.predict(tf.tensor(Array.from(queries), [5, 4])), 30_000, 'a prediction');
    t.deepEqual(got.shape, [5, 2]);
    const err = maxAbsDiff(got.dataSync(), revealed.values);
    t.log(`served vs private predict: max difference ${err.toExponential(2)}`);
    t.true(err <= 1e-3, `the served model differs from the private model by ${err.toExponential(2)}`);
    t.regex(runs[0].stderr, /loaded .*'trained'/, 'server0 loaded the saved shares');
  } catch (e) {
    t.log(diagnostics());
    throw e;
  }
});
