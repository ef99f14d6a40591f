/**
 * tfjs-like saving of private models: `saveModel(model, 'file://dir')` through
 * the router 'tfjs-encrypted/node' registers, loading back bit for bit, and
 * clear errors for a URL with no router, a missing file and files of two savings.
 */
import test from 'ava';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import * as tfe from '../../src/node.js';
import { shareFilePath } from '../../src/models/save-shares.js';
import { sharesHandler } from '../../src/models/shares-router.js';
import { sharesOf } from '../../src/protocol/index.js';
import { makePond, maxAbsDiff, revealValues } from '../helpers/float.js';

tf.env().set('PROD', true);

function network(prot: tfe.protocol.Pond, seed: number): tfe.Sequential {
  const model = tfe.sequential({ name: 'net', layers: [tfe.layers.dense({ units: 4, activation: 'relu', inputShape: [3] }), tfe.layers.dense({ units: 2 })] });
  model.build(prot, { weightsOwner: 'inputter', weights: (l, w, shape) => Float64Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => Math.cos(seed + 10 * l + w + i)) });
  return model;
}

async function words(model: tfe.Sequential): Promise<string[]> {
  const out: string[] = [];
  for (const w of model.trainableWeights) for (const s of sharesOf(w)) out.push((await s.value()).toBigInts().join(','));
  return out;
}

async function tmp(): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), 'tfe-save-'));
}

test('saveModel(file://) round-trips the shares bit for bit and predictions agree', async (t) => {
  const dir = await tmp();
  try {
    const { prot } = makePond();
    const a = network(prot, 1);
    const result = await a.save(`file://${dir}`);
    t.deepEqual(result.written.map((f) => path.basename(f)).sort(), ['server0.tfeshares', 'server1.tfeshares']);
    t.true(result.dateSaved instanceof Date);
    const b = network(prot, 2);
    t.notDeepEqual(await words(b), await words(a));
    await tfe.models.load(b, `file://${dir}`);
    t.deepEqual(await words(b), await words(a), 'the same shares, bit for bit');
    const x = prot.definePrivateInput('inputter', () => [[0.5, -1, 2]], { shape: [1, 3] });
    t.true(maxAbsDiff(await revealValues(prot, b.predict(x)), await revealValues(prot, a.predict(x))) <= 4 * 2 ** -16);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("refuses the other server's file and files of two savings", async (t) => {
  const one = await tmp();
  const two = await tmp();
  try {
    const { prot } = makePond();
    await tfe.models.saveModel(network(prot, 1), `file://${one}`);
    await tfe.models.saveModel(network(prot, 1), `file://${two}`);
    await copyFile(shareFilePath(two, 'server1'), shareFilePath(one, 'server1'));
    await t.throwsAsync(tfe.models.loadModelShares(network(prot, 3), `file://${one}`), { instanceOf: tfe.ModelFileError, message: /another saving/ });
    await copyFile(shareFilePath(two, 'server1'), shareFilePath(two, 'server0'));
    await t.throwsAsync(tfe.models.loadModelShares(network(prot, 3), `file://${two}`), { instanceOf: tfe.ModelFileError, message: /'server1'/ });
  } finally {
    await rm(one, { recursive: true, force: true });
    await rm(two, { recursive: true, force: true });
  }
});

test('a URL with no router and a missing file give clear errors', async (t) => {
  const { prot } = makePond();
  t.throws(() => sharesHandler('s3://bucket/model'), { instanceOf: tfe.ValueError, message: /file:\/\/.*tfjs-encrypted\/node/ });
  await t.throwsAsync(tfe.models.saveModel(network(prot, 1), 'models/net'), { instanceOf: tfe.ValueError, message: /file:\/\// });
  const dir = await tmp();
  try {
    await t.throwsAsync(tfe.models.loadModelShares(network(prot, 1), `file://${dir}`), { instanceOf: tfe.ModelFileError });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
