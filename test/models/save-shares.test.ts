/**
 * Saving a private model's shares: each server writes only its own file, and
 * loading them into a model of the same architecture gives the same shares
 * bit for bit; a server refuses the other server's file and a file of another
 * architecture; toTfjs gives the owner a plaintext model that predicts what
 * the private model predicts.
 */
import test from 'ava';
import { copyFile, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import * as tfe from '../../src/index.js';
import { loadShares, saveShares, shareFilePath } from '../../src/models/save-shares.js';
import { sharesOf } from '../../src/protocol/index.js';
import { makePond, maxAbsDiff, revealValues } from '../helpers/float.js';
import { TestRng } from '../helpers/random.js';

tf.env().set('PROD', true);
const rng = new TestRng(97);

function network(prot: tfe.protocol.Pond, seed: number): tfe.Sequential {
  const model = tfe.sequential({ name: 'net', layers: [tfe.layers.dense({ units: 4, activation: 'relu', inputShape: [3] }), tfe.layers.dense({ units: 2 })] });
  model.build(prot, { weightsOwner: 'inputter', weights: (l, w, shape) => Float64Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(seed + 10 * l + w + i)) });
  return model;
}

async function words(model: tfe.Sequential): Promise<string[]> {
  const out: string[] = [];
  for (const w of model.trainableWeights) for (const s of sharesOf(w)) out.push((await s.value()).toBigInts().join(','));
  return out;
}

test('saved shares load back bit for bit; each server writes only its own file', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tfe-shares-'));
  try {
    const { prot } = makePond();
    const a = network(prot, 1);
    const written = await saveShares(a, dir);
    t.deepEqual(written.map((f) => path.basename(f)).sort(), ['server0.tfeshares', 'server1.tfeshares']);
    t.deepEqual((await readdir(dir)).sort(), ['server0.tfeshares', 'server1.tfeshares']);
    t.is((await stat(written[0])).mode & 0o777, 0o600);
    const b = network(prot, 2);
    t.notDeepEqual(await words(b), await words(a));
    await loadShares(b, `file://${dir}`);
    t.deepEqual(await words(b), await words(a), 'the same shares, bit for bit');
    const x = prot.definePrivateInput('inputter', () => [[0.5, -1, 2]], { shape: [1, 3] });
    // Two predictions round their truncations independently (stochastic rounding): a few units apart at most.
    t.true(maxAbsDiff(await revealValues(prot, b.predict(x)), await revealValues(prot, a.predict(x))) <= 4 * 2 ** -16);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("a server refuses the other server's file and a file of another architecture", async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tfe-shares-'));
  try {
    const { prot } = makePond();
    await saveShares(network(prot, 1), dir);
    await copyFile(shareFilePath(dir, 'server1'), shareFilePath(dir, 'server0'));
    await t.throwsAsync(loadShares(network(prot, 3), dir), { instanceOf: tfe.ModelFileError, message: /holds the shares of 'server1', not of 'server0'/ });
    const other = await mkdtemp(path.join(os.tmpdir(), 'tfe-shares-'));
    try {
      await saveShares(network(prot, 1), other);
      const wider = tfe.sequential({ name: 'net', layers: [tfe.layers.dense({ units: 5, activation: 'relu', inputShape: [3] }), tfe.layers.dense({ units: 2 })] });
      wider.build(prot, { weightsOwner: 'inputter' });
      await t.throwsAsync(loadShares(wider, other), { instanceOf: tfe.ModelFileError, message: /another architecture/ });
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("toTfjs gives the owner a plaintext model whose predictions match the private model's", async (t) => {
  const { prot } = makePond();
  const model = network(prot, 4);
  const plain = await model.toTfjs('result-receiver');
  t.truthy(plain);
  const xs = Float64Array.from({ length: 15 }, () => rng.uniform(-2, 2));
  const x = prot.definePrivateInput('inputter', () => xs, { shape: [5, 3] });
  const got = await revealValues(prot, model.predict(x));
  const want = (plain!.predict(tf.tensor(Array.from(xs), [5, 3])) as tf.Tensor).dataSync();
  t.true(maxAbsDiff(got, want) < 1e-3, `max difference ${maxAbsDiff(got, want)}`);
  t.is(await model.toTfjs('server0').then(() => 'revealed only where asked'), 'revealed only where asked');
});
