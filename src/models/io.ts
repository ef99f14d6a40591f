/**
 * Saving and loading tfjs models on the file system. tfjs registers a
 * `file://` handler only in `@tensorflow/tfjs-node`, which needs a native
 * TensorFlow library; this handler does the same with `node:fs` and the pure
 * JavaScript tfjs, in the standard tfjs format (a `model.json` and binary
 * weight files next to it), so models saved here load in any tfjs and the
 * other way round.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { ModelFileError } from '../errors.js';

/** Name of the topology and manifest file tfjs expects. */
export const MODEL_JSON = 'model.json';
/** Name of the single weight file that {@link fileSystem} saves. */
export const WEIGHTS_BIN = 'weights.bin';

/**
 * A tfjs IOHandler that saves a model to, and loads it from, the file system.
 *
 * `location` is either the path of a `model.json` file (any name ending in
 * `.json`) or a directory, in which case the file is `model.json` inside it.
 * `save` creates the directory if needed and writes the model JSON (topology,
 * weights manifest, format, generatedBy, convertedBy, and training config,
 * signature, user metadata when the model has them) plus one weight file,
 * `weights.bin`, next to it. `load` reads a model JSON and every weight file
 * its manifest lists (any number of groups and shards), relative to the JSON's
 * directory.
 *
 * Failures are {@link ModelFileError}s that name the file and say what was
 * expected: a missing or unreadable file, a JSON that is not a tfjs layers
 * model, a manifest path that leaves the model's directory, or weight files
 * whose size differs from what the manifest implies.
 *
 * @example
 * await model.save(fileSystem('models/my-model'));
 * const same = await tf.loadLayersModel(fileSystem('models/my-model/model.json'));
 */
export function fileSystem(location: string): tf.io.IOHandler {
  const jsonPath = location.endsWith('.json') ? location : path.join(location, MODEL_JSON);
  return {
    save: (artifacts) => saveArtifacts(jsonPath, artifacts),
    load: () => loadArtifacts(jsonPath),
  };
}

/**
 * Loads a tfjs layers model saved on the file system (see {@link fileSystem}
 * for what `location` may be and the errors).
 */
export async function loadTfjsModelFromFile(location: string): Promise<tf.LayersModel> {
  return tf.loadLayersModel(fileSystem(location));
}

async function saveArtifacts(jsonPath: string, artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
  if (artifacts.modelTopology instanceof ArrayBuffer) {
    throw new ModelFileError(jsonPath, 'cannot save a binary (GraphDef) topology; this handler saves layers models with a JSON topology');
  }
  const dir = path.dirname(jsonPath);
  const manifest: tf.io.WeightsManifestConfig = [];
  await mkdir(dir, { recursive: true });
  if (artifacts.weightSpecs !== undefined) {
    const weights = artifacts.weightData === undefined ? new ArrayBuffer(0) : new tf.io.CompositeArrayBuffer(artifacts.weightData).slice();
    await writeFile(path.join(dir, WEIGHTS_BIN), new Uint8Array(weights));
    manifest.push({ paths: [WEIGHTS_BIN], weights: artifacts.weightSpecs });
  }
  // The JSON is written last, so a model.json on disk always has its weights.
  await writeFile(jsonPath, JSON.stringify(modelJson(artifacts, manifest)));
  return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
}

/** The model.json of `artifacts` (what tfjs's own handlers write; tfjs does not export its helper). */
function modelJson(artifacts: tf.io.ModelArtifacts, manifest: tf.io.WeightsManifestConfig): tf.io.ModelJSON {
  const json: tf.io.ModelJSON = {
    modelTopology: artifacts.modelTopology ?? {},
    format: artifacts.format,
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy,
    weightsManifest: manifest,
  };
  if (artifacts.trainingConfig !== undefined) json.trainingConfig = artifacts.trainingConfig;
  if (artifacts.signature !== undefined) json.signature = artifacts.signature;
  if (artifacts.userDefinedMetadata !== undefined) json.userDefinedMetadata = artifacts.userDefinedMetadata;
  if (artifacts.modelInitializer !== undefined) json.modelInitializer = artifacts.modelInitializer;
  if (artifacts.initializerSignature !== undefined) json.initializerSignature = artifacts.initializerSignature;
  return json;
}

const dtypes = ['float32', 'int32', 'bool', 'string', 'complex64'] as const;
const weightEntry = z.looseObject({
  name: z.string(),
  shape: z.array(z.number().int().nonnegative()),
  dtype: z.enum(dtypes),
  group: z.enum(['model', 'optimizer']).optional(),
  quantization: z
    .looseObject({ dtype: z.enum(['uint8', 'uint16', 'float16']), scale: z.number().optional(), min: z.number().optional() })
    .optional(),
});
const modelJsonSchema = z.looseObject({
  modelTopology: z.record(z.string(), z.unknown()),
  weightsManifest: z.array(z.looseObject({ paths: z.array(z.string()), weights: z.array(weightEntry) })),
  format: z.string().optional(),
  generatedBy: z.string().optional(),
  convertedBy: z.string().nullable().optional(),
});

async function loadArtifacts(jsonPath: string): Promise<tf.io.ModelArtifacts> {
  const text = (await readOrThrow(jsonPath, 'a tfjs model.json')).toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new ModelFileError(jsonPath, `malformed JSON (${(e as Error).message}); expected a tfjs model.json`);
  }
  const checked = modelJsonSchema.safeParse(parsed);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    const where = issue.path.length > 0 ? issue.path.join('.') : 'the top level';
    throw new ModelFileError(jsonPath, `not a tfjs layers model.json: at ${where}, ${issue.message} (expected modelTopology and weightsManifest)`);
  }
  const modelJson = checked.data as tf.io.ModelJSON;
  return tf.io.getModelArtifactsForJSON(modelJson, (manifest) => loadWeights(jsonPath, manifest));
}

async function loadWeights(jsonPath: string, manifest: tf.io.WeightsManifestConfig): Promise<[tf.io.WeightsManifestEntry[], ArrayBuffer]> {
  const dir = path.dirname(jsonPath);
  const buffers: ArrayBuffer[] = [];
  for (const group of manifest) {
    const files = group.paths.map((p) => weightFilePath(jsonPath, dir, p));
    const shards = await Promise.all(files.map((f) => readOrThrow(f, 'a weight file listed in the manifest')));
    const got = shards.reduce((n, s) => n + s.byteLength, 0);
    const want = groupBytes(group.weights);
    if (want !== undefined && got !== want) {
      const names = group.weights.map((w) => w.name).join(', ');
      const sizes = files.map((f, i) => `${path.basename(f)} ${shards[i].byteLength}`).join(', ');
      throw new ModelFileError(
        files.length === 1 ? files[0] : files.join(', '),
        `weight data has ${got} bytes (${sizes}); the manifest of ${jsonPath} expects ${want} bytes for ${names}`,
      );
    }
    for (const s of shards) buffers.push(s.buffer.slice(s.byteOffset, s.byteOffset + s.byteLength) as ArrayBuffer);
  }
  return [tf.io.getWeightSpecs(manifest), tf.io.concatenateArrayBuffers(buffers)];
}

/** A manifest path, resolved against the model's directory; it must stay inside. */
function weightFilePath(jsonPath: string, dir: string, manifestPath: string): string {
  const resolved = path.resolve(dir, manifestPath);
  const relative = path.relative(path.resolve(dir), resolved);
  if (path.isAbsolute(manifestPath) || relative.startsWith('..') || relative === '') {
    throw new ModelFileError(jsonPath, `weight path '${manifestPath}' must be a file in the model's directory`);
  }
  return path.join(dir, manifestPath);
}

const BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, complex64: 8, uint8: 1, uint16: 2, float16: 2 };

/** Bytes a weight group takes, or undefined if a string weight makes it variable. */
function groupBytes(weights: tf.io.WeightsManifestEntry[]): number | undefined {
  let total = 0;
  for (const w of weights) {
    if (w.dtype === 'string') return undefined;
    const size = w.shape.reduce((a, b) => a * b, 1);
    total += size * BYTES[w.quantization?.dtype ?? w.dtype];
  }
  return total;
}

async function readOrThrow(file: string, what: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'file not found' : code === 'EISDIR' ? 'is a directory' : `cannot read (${code ?? (e as Error).message})`;
    throw new ModelFileError(file, `${reason}; expected ${what}`);
  }
}
