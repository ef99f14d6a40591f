import test from 'ava';
import { createHash } from 'node:crypto';
import { IMAGE_SIZE, TEST_SIZE, TRAIN_SIZE, isTestIndex, loadMnist, seededPermutation } from '../../models/data.js';

const counts = (labels: Uint8Array): number[] => {
  const c = new Array<number>(10).fill(0);
  for (const l of labels) c[l]++;
  return c;
};
const digest = (pixels: Float32Array, labels: Uint8Array): string =>
  createHash('sha256').update(new Uint8Array(pixels.buffer, pixels.byteOffset, pixels.byteLength)).update(labels).digest('hex');

test('the split holds out every 10th digit of the label-ordered sequence: 9,000 training and 1,000 test images', (t) => {
  const { train, test: held } = loadMnist();
  t.is(train.count, TRAIN_SIZE);
  t.is(held.count, TEST_SIZE);
  t.is(held.pixels.length, TEST_SIZE * IMAGE_SIZE);
  t.deepEqual([0, 8, 9, 10, 19, 9999].map(isTestIndex), [false, false, true, false, true, true]);
  // every class held out in proportion (the package has 1001, 1127, 991, ... digits of each class)
  t.deepEqual(counts(held.labels), [100, 112, 99, 104, 98, 86, 101, 107, 95, 98]);
  t.deepEqual(counts(train.labels), [901, 1015, 892, 928, 882, 777, 913, 963, 849, 880]);
  t.true(held.pixels.every((v) => v >= 0 && v <= 1));
});

test('the split is the same images on every run (fingerprints of the pixels and labels)', (t) => {
  const { train, test: held } = loadMnist();
  t.is(digest(held.pixels, held.labels), '0ffcd5dd87b62fca1025560afdd50a2c04f5dbb7be82cb7c99b8e87edc2c6be2');
  t.is(digest(train.pixels, train.labels), '8a73c2642574bcf9b604ef96c74f75eab7a8a43c7c8ac4929c055fceeeeffc17');
});

test('the batch order is a seeded permutation', (t) => {
  const p = seededPermutation(1000, 5);
  t.deepEqual([...p].sort((a, b) => a - b), Array.from({ length: 1000 }, (_, i) => i));
  t.deepEqual(seededPermutation(1000, 5), p);
  t.notDeepEqual(seededPermutation(1000, 6), p);
});
