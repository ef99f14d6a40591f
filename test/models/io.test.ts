import test, { type ExecutionContext } from 'ava';
import * as tf from '@tensorflow/tfjs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ModelFileError } from '../../src/errors.js';
import { WEIGHTS_BIN, fileSystem, loadTfjsModelFromFile } from '../../src/models/io.js';

tf.env().set('PROD', true);

let root = '';
test.before(async () => {
  await tf.setBackend('cpu');
  root = await mkdtemp(path.join(os.tmpdir(), 'tfe-io-'));
});
test.after.always(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

/** A small model with every layer kind the MNIST models use, seeded. */
function smallModel(): tf.Sequential {
  const init = (seed: number): ReturnType<typeof tf.initializers.glorotUniform> => tf.initializers.glorotUniform({ seed });
  return tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [8, 8, 1], kernelSize: 3, filters: 4, activation: 'relu', kernelInitializer: init(1), biasInitializer: 'ones' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 5, activation: 'sigmoid', kernelInitializer: init(2), biasInitializer: 'ones' }),
      tf.layers.dense({ units: 3, kernelInitializer: init(3) }),
    ],
  });
}

const input = (): tf.Tensor => tf.randomUniform([6, 8, 8, 1], 0, 1, 'float32', 7);

function predict(model: tf.LayersModel): Float32Array {
  return tf.tidy(() => (model.predict(input()) as tf.Tensor).dataSync() as Float32Array);
}

/** Saves a fresh small model in a new folder under the temp root; returns its folder. */
async function saved(name: string): Promise<{ dir: string; model: tf.Sequential }> {
  const dir = path.join(root, name);
  const model = smallModel();
  await model.save(fileSystem(dir));
  return { dir, model };
}

/** Asserts that loading `location` fails with a ModelFileError naming `file` and matching `message`. */
async function failsWith(t: ExecutionContext, location: string, file: string, message: RegExp): Promise<void> {
  const err = await t.throwsAsync(loadTfjsModelFromFile(location), { instanceOf: ModelFileError });
  t.is(err?.file, file);
  t.true(err?.message.startsWith(`${file}: `), err?.message);
  t.regex(err?.message ?? '', message);
  t.is(err?.code, 'model_file');
}

test('save then load gives the same predictions bit for bit, in the tfjs model.json format', async (t) => {
  const { dir, model } = await saved('round-trip');
  const loaded = await loadTfjsModelFromFile(dir);
  t.deepEqual(predict(loaded), predict(model));
  t.deepEqual(loaded.layers.map((l) => l.getClassName()), ['Conv2D', 'MaxPooling2D', 'Flatten', 'Dense', 'Dense']);

  const json = JSON.parse(await readFile(path.join(dir, 'model.json'), 'utf8')) as tf.io.ModelJSON;
  t.is(json.format, 'layers-model');
  t.regex(json.generatedBy ?? '', /^TensorFlow\.js tfjs-layers v/);
  t.is(json.convertedBy, null);
  t.deepEqual(json.weightsManifest.map((g) => g.paths), [[WEIGHTS_BIN]]);
  const params = (4 * 9 + 4 + 3 * 3 * 4 * 5 + 5 + 5 * 3 + 3) * 4; // conv, dense after a 3x3x4 pool, dense
  t.is((await readFile(path.join(dir, WEIGHTS_BIN))).byteLength, params);
});

test('a model saved in a nested subfolder loads from its folder or its model.json, with tf.loadLayersModel too', async (t) => {
  const { dir, model } = await saved(path.join('a', 'b', 'c'));
  const want = predict(model);
  t.deepEqual(predict(await loadTfjsModelFromFile(dir)), want);
  t.deepEqual(predict(await loadTfjsModelFromFile(path.join(dir, 'model.json'))), want);
  t.deepEqual(predict(await tf.loadLayersModel(fileSystem(path.join(dir, 'model.json')))), want);
});

test('a model JSON of any name saves its weights beside it', async (t) => {
  const file = path.join(root, 'named', 'my-net.json');
  const model = smallModel();
  await model.save(fileSystem(file));
  t.deepEqual(predict(await loadTfjsModelFromFile(file)), predict(model));
  t.true((await readFile(path.join(root, 'named', WEIGHTS_BIN))).byteLength > 0);
});

test('weights split over several groups and shards load in manifest order', async (t) => {
  const { dir, model } = await saved('shards');
  const jsonPath = path.join(dir, 'model.json');
  const json = JSON.parse(await readFile(jsonPath, 'utf8')) as tf.io.ModelJSON;
  const weights = await readFile(path.join(dir, WEIGHTS_BIN));
  // Group 1: the conv kernel and bias (40 floats) in two shards; group 2: the rest in three.
  const specs = json.weightsManifest[0].weights;
  const cut = (4 * 9 + 4) * 4;
  const pieces = [weights.subarray(0, 100), weights.subarray(100, cut), weights.subarray(cut, cut + 7), weights.subarray(cut + 7, cut + 300), weights.subarray(cut + 300)];
  const names = ['group1-shard1of2.bin', 'group1-shard2of2.bin', 'group2-shard1of3.bin', 'group2-shard2of3.bin', 'group2-shard3of3.bin'];
  await Promise.all(pieces.map((p, i) => writeFile(path.join(dir, names[i]), p)));
  json.weightsManifest = [
    { paths: names.slice(0, 2), weights: specs.slice(0, 2) },
    { paths: names.slice(2), weights: specs.slice(2) },
  ];
  await writeFile(jsonPath, JSON.stringify(json));
  await rm(path.join(dir, WEIGHTS_BIN));
  t.deepEqual(predict(await loadTfjsModelFromFile(dir)), predict(model));
});

test('the training config and optimizer weights are saved when asked, and load back', async (t) => {
  const dir = path.join(root, 'compiled');
  const model = smallModel();
  model.compile({ optimizer: tf.train.sgd(0.1), loss: 'meanSquaredError' });
  await model.save(fileSystem(dir), { includeOptimizer: true });
  const json = JSON.parse(await readFile(path.join(dir, 'model.json'), 'utf8')) as tf.io.ModelJSON;
  t.is(json.trainingConfig?.loss, 'mean_squared_error');
  t.true(json.weightsManifest[0].weights.some((w) => w.group === 'optimizer'));
  const loaded = await loadTfjsModelFromFile(dir);
  t.deepEqual(predict(loaded), predict(model));
  t.is(loaded.loss, 'meanSquaredError');
});

test('a missing model.json or weight file is an error naming the file', async (t) => {
  const missing = path.join(root, 'nowhere');
  await failsWith(t, missing, path.join(missing, 'model.json'), /file not found; expected a tfjs model\.json/);

  const { dir } = await saved('no-weights');
  await rm(path.join(dir, WEIGHTS_BIN));
  await failsWith(t, dir, path.join(dir, WEIGHTS_BIN), /file not found; expected a weight file listed in the manifest/);
});

test('malformed JSON and a JSON that is no tfjs model are errors naming the file and what was expected', async (t) => {
  const dir = path.join(root, 'malformed');
  const jsonPath = path.join(dir, 'model.json');
  await smallModel().save(fileSystem(dir));

  await writeFile(jsonPath, '{"modelTopology": {');
  await failsWith(t, dir, jsonPath, /malformed JSON \(.+\); expected a tfjs model\.json/);

  await writeFile(jsonPath, JSON.stringify({ modelTopology: {} }));
  await failsWith(t, dir, jsonPath, /not a tfjs layers model\.json: at weightsManifest, .+ \(expected modelTopology and weightsManifest\)/);

  await writeFile(jsonPath, JSON.stringify([1, 2]));
  await failsWith(t, dir, jsonPath, /not a tfjs layers model\.json: at the top level/);

  await writeFile(jsonPath, JSON.stringify({ modelTopology: {}, weightsManifest: [{ paths: ['w.bin'], weights: [{ name: 'k', shape: [2], dtype: 'float64' }] }] }));
  await failsWith(t, dir, jsonPath, /at weightsManifest\.0\.weights\.0\.dtype/);
});

test('a weight file of the wrong size is an error naming the file, the size found and the size expected', async (t) => {
  const { dir } = await saved('wrong-size');
  const bin = path.join(dir, WEIGHTS_BIN);
  const weights = await readFile(bin);
  const want = weights.byteLength;

  await writeFile(bin, weights.subarray(0, want - 4));
  await failsWith(t, dir, bin, new RegExp(`weight data has ${want - 4} bytes \\(weights\\.bin ${want - 4}\\); the manifest of .+model\\.json expects ${want} bytes for .+kernel`));

  await writeFile(bin, Buffer.concat([weights, Buffer.alloc(1)]));
  await failsWith(t, dir, bin, new RegExp(`weight data has ${want + 1} bytes .+ expects ${want} bytes`));
});

test('a manifest path outside the model folder is refused', async (t) => {
  const { dir } = await saved('escape');
  const jsonPath = path.join(dir, 'model.json');
  const json = JSON.parse(await readFile(jsonPath, 'utf8')) as tf.io.ModelJSON;
  for (const bad of ['../round-trip/weights.bin', path.join(root, 'round-trip', WEIGHTS_BIN)]) {
    json.weightsManifest[0].paths = [bad];
    await writeFile(jsonPath, JSON.stringify(json));
    await failsWith(t, dir, jsonPath, /weight path '.+' must be a file in the model's directory/);
  }
});
