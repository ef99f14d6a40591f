/**
 * Rounds on the critical path (`npm run bench:depth`): the sequential
 * server-to-server rounds a computation waits for, measured in one process by
 * holding the servers' messages and delivering them in waves
 * (test/helpers/depth.ts), beside the (operation, step) pairs that the traffic
 * counters report as rounds (concurrent steps counted separately). Across
 * processes every round costs a message each way and, on a busy machine,
 * waking the other server: this is the count that decides latency.
 *
 * Rows: one image through network A (models/mnist-mlp, as served), one
 * training batch of 128 rows of network A with SGD and with Adam (20
 * fractional bits, as bench/training.ts), and single ops on [128, 10].
 */
import * as tf from '@tensorflow/tfjs';
import * as tfe from 'tfjs-encrypted/node';
import { RoundDepth } from '../test/helpers/depth.js';
import { loadMnist } from '../models/data.js';
import { benchNetwork } from './models.js';
import { machine, table, useBackend } from './util.js';

tf.env().set('PROD', true);
await useBackend('cpu');
const PLAYERS = ['server0', 'server1', 'crypto-producer', 'data-owner', 'model-owner', 'result-receiver'];
const ROLES = { servers: ['server0', 'server1'] as const, cryptoProducer: 'crypto-producer' };

interface Measured {
  readonly depth: number;
  readonly pairs: number;
}

/** Depth and counted rounds of what `run` issues after `setup` (which is done first, outside the measure). */
async function measure<T>(fracBits: number, setup: (prot: tfe.protocol.Pond) => Promise<T>, run: (prot: tfe.protocol.Pond, state: T) => Promise<unknown>): Promise<Measured> {
  const config = new tfe.InProcessConfig(PLAYERS);
  const prot = new tfe.protocol.Pond(config, ROLES, { fracBits });
  try {
    const state = await setup(prot);
    await prot.flush();
    const before = prot.traffic().rounds;
    const meter = new RoundDepth(config.transport);
    const depth = await meter.waves((async () => {
      await run(prot, state);
      await prot.flush();
    })());
    return { depth, pairs: prot.traffic().rounds - before };
  } finally {
    await config.close();
  }
}

const ready = (t: tfe.protocol.Tensor): Promise<unknown> => Promise.all(tfe.protocol.sharesOf(t).map((s) => s.value()));

async function predictA(): Promise<Measured> {
  const network = await benchNetwork('mnist-mlp');
  return measure(
    16,
    async (prot) => {
      const model = await tfe.models.fromTfjs(network.model, prot, { weightsOwner: 'model-owner' });
      // A first prediction masks the weights once, as a service does when it loads the model.
      await prot.revealFloat64(model.predict(prot.definePrivateInput('data-owner', () => network.inputs(1), { shape: [1, 784] })), 'result-receiver');
      const x = prot.definePrivateInput('data-owner', () => network.inputs(1), { shape: [1, 784] });
      await ready(x);
      return { model, x };
    },
    async (_prot, { model, x }) => ready(model.predict(x)),
  );
}

async function trainA(opt: 'sgd' | 'adam'): Promise<Measured> {
  const batch = 128;
  const { train } = loadMnist();
  const fitOnce = { batchSize: batch, epochs: 1, verbose: 0, shuffle: false, checkWeights: 'never' } as const;
  return measure(
    20,
    async (prot) => {
      const images = prot.definePrivateInput('data-owner', () => train.pixels.subarray(0, 2 * batch * 784), { shape: [2 * batch, 784] }).mask();
      const labels = prot.definePrivateInput('data-owner', () => tf.oneHot(tf.tensor1d(Array.from(train.labels.subarray(0, 2 * batch)), 'int32'), 10), { shape: [2 * batch, 10] });
      const plain = tf.sequential({
        layers: [tf.layers.dense({ inputShape: [784], units: 128, activation: 'relu' }), tf.layers.dense({ units: 128, activation: 'relu' }), tf.layers.dense({ units: 10, activation: 'softmax' })],
      });
      const model = await tfe.models.fromTfjs(plain, prot, { weightsOwner: 'model-owner' });
      model.compile({ optimizer: opt === 'adam' ? tfe.train.adam(0.001) : tfe.train.sgd(0.1), loss: 'categoricalCrossentropy' });
      const rows = (from: number): number[] => Array.from({ length: batch }, (_, i) => from + i);
      // One batch first: the optimizer's state exists and the weights are masked, as in the middle of a fit.
      await model.fit(images.gather(rows(0)), labels.gather(rows(0)), fitOnce);
      return { model, x: images.gather(rows(batch)), y: labels.gather(rows(batch)) };
    },
    async (_prot, { model, x, y }) => model.fit(x, y, fitOnce),
  );
}

async function op(name: string, f: (x: tfe.protocol.PrivateTensor) => tfe.protocol.Tensor): Promise<[string, Measured]> {
  const values = Float32Array.from({ length: 1280 }, (_, i) => 3 * Math.sin(i) + 4);
  const m = await measure(
    16,
    async (prot) => {
      const x = prot.definePrivateInput('data-owner', () => values, { shape: [128, 10] });
      await ready(x);
      return x;
    },
    async (_prot, x) => ready(f(x)),
  );
  return [name, m];
}

const rows: Array<[string, Measured]> = [
  ['network A, predict 1 image (weights masked)', await predictA()],
  ['network A, one SGD batch of 128', await trainA('sgd')],
  ['network A, one Adam batch of 128', await trainA('adam')],
  await op('relu [128, 10]', (x) => x.relu()),
  await op('max over 10 [128, 10]', (x) => x.max(1)),
  await op('exp [128, 10]', (x) => x.exp()),
  await op('sigmoid [128, 10]', (x) => x.sigmoid()),
  await op('reciprocal [128, 10]', (x) => x.reciprocal()),
  await op('invSqrt [128, 10]', (x) => x.invSqrt()),
  await op('softmax [128, 10]', (x) => x.softmax()),
];
console.log(`Rounds on the critical path (${machine()})`);
table(['computation', 'rounds on the critical path', '(operation, step) pairs'], rows.map(([name, m]) => [name, String(m.depth), String(m.pairs)]));
