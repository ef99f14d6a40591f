/**
 * Dilated convolutions (the strided im2col) and the transposed convolution
 * over the ring, against tfjs on small integers (exact in float32): every
 * padding, stride and dilation combination tfjs accepts.
 */
import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import * as ring from '../../src/ring/index.js';
import { RingTensor } from '../../src/ring/index.js';
import { TestRng } from '../helpers/random.js';

tf.env().set('PROD', true);
const rng = new TestRng(93);

function ints(shape: number[]): { ring: RingTensor; tf: tf.Tensor } {
  const n = shape.reduce((a, b) => a * b, 1);
  const v = Array.from({ length: n }, () => rng.int(9) - 4);
  return { ring: RingTensor.fromBigInts(shape, v.map((x) => BigInt(x))), tf: tf.tensor(v, shape) };
}

const signed = (t: RingTensor): number[] => Array.from(t.data, (w) => Number(BigInt.asIntN(64, w)));

test('conv2d and depthwiseConv2d with dilations equal tfjs', (t) => {
  for (const padding of ['valid', 'same'] as const) {
    for (const dilations of [[2, 2], [1, 3], [3, 2]] as Array<[number, number]>) {
      for (const k of [[3, 3], [2, 3], [1, 2]] as Array<[number, number]>) {
        const x = ints([2, 9, 10, 3]);
        const f = ints([k[0], k[1], 3, 4]);
        const got = ring.conv2d(x.ring, f.ring, { padding, dilations });
        const want = tf.conv2d(x.tf as tf.Tensor4D, f.tf as tf.Tensor4D, 1, padding, 'NHWC', dilations);
        t.deepEqual(got.shape, want.shape, `conv2d ${padding} d=${dilations} k=${k}`);
        t.deepEqual(signed(got), Array.from(want.dataSync()), `conv2d ${padding} d=${dilations} k=${k}`);
        const df = ints([k[0], k[1], 3, 2]);
        const gotD = ring.depthwiseConv2d(x.ring, df.ring, { padding, dilations });
        const wantD = tf.depthwiseConv2d(x.tf as tf.Tensor4D, df.tf as tf.Tensor4D, 1, padding, 'NHWC', dilations);
        t.deepEqual(signed(gotD), Array.from(wantD.dataSync()), `depthwise ${padding} d=${dilations} k=${k}`);
      }
    }
  }
});

test('conv2d with both strides and dilations (tfjs refuses them together) equals a direct convolution', (t) => {
  const x = ints([1, 11, 9, 2]);
  const f = ints([3, 2, 2, 3]);
  for (const padding of ['valid', 'same'] as const) {
    const got = ring.conv2d(x.ring, f.ring, { padding, strides: [2, 3], dilations: [2, 2] });
    // strided output = the dilated stride-1 output subsampled, when 'valid'; 'same' pads by the strided rule, so compare to the padded input
    const g = ring.windowGeometry([1, 11, 9, 2], [3, 2], [2, 3], padding, 'test', [2, 2]);
    const pb = Math.max(0, (g.outHeight - 1) * 2 + 5 - 11 - g.padTop);
    const pr = Math.max(0, (g.outWidth - 1) * 3 + 3 - 9 - g.padLeft);
    const padded = tf.pad(x.tf, [[0, 0], [g.padTop, pb], [g.padLeft, pr], [0, 0]]);
    const full = tf.conv2d(padded as tf.Tensor4D, f.tf as tf.Tensor4D, 1, 'valid', 'NHWC', [2, 2]);
    const want = tf.stridedSlice(full, [0, 0, 0, 0], [1, full.shape[1], full.shape[2], 3], [1, 2, 3, 1]);
    t.deepEqual(got.shape, want.shape);
    t.deepEqual(signed(got), Array.from(want.dataSync()), padding);
  }
});

test('conv2dTranspose equals tf.conv2dTranspose for every padding, stride and kernel', (t) => {
  for (const padding of ['valid', 'same'] as const) {
    for (const strides of [[1, 1], [2, 2], [2, 3], [3, 1]] as Array<[number, number]>) {
      for (const k of [[3, 3], [2, 4], [1, 1], [4, 2]] as Array<[number, number]>) {
        const x = ints([2, 4, 5, 3]);
        const f = ints([k[0], k[1], 2, 3]);
        const got = ring.conv2dTranspose(x.ring, f.ring, { strides, padding });
        const { outShape } = ring.conv2dTransposeGeometry(x.ring.shape, f.ring.shape, { strides, padding });
        const want = tf.conv2dTranspose(x.tf as tf.Tensor4D, f.tf as tf.Tensor4D, outShape as [number, number, number, number], strides, padding);
        t.deepEqual(got.shape, want.shape, `${padding} s=${strides} k=${k}`);
        t.deepEqual(signed(got), Array.from(want.dataSync()), `${padding} s=${strides} k=${k}`);
      }
    }
  }
  t.throws(() => ring.conv2dTranspose(ints([1, 4, 4, 3]).ring, ints([3, 3, 2, 3]).ring, { strides: 2, outputSize: [5, 5], padding: 'same' }), { message: /does not convolve back/ });
});
