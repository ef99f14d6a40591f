/**
 * The gradient of every differentiable op against tfjs's tf.grads on random
 * inputs: the secure gradient (tape + backward rules, all in shares) is
 * revealed and compared with float32 tfjs. Tolerances: the ops' own errors
 * (fixed point, 16 fractional bits, and the documented approximation errors)
 * propagated through the backward products; stated per case.
 */
import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import * as tfe from '../../src/index.js';
import { grads } from '../../src/autodiff/index.js';
import type { PrivateTensor, Tensor } from '../../src/protocol/index.js';
import { makePond, maxAbsDiff, revealValues } from '../helpers/float.js';
import { TestRng } from '../helpers/random.js';

tf.env().set('PROD', true);
const rng = new TestRng(90);

interface Case {
  readonly name: string;
  /** Input shapes and ranges. */
  readonly inputs: ReadonlyArray<{ shape: number[]; lo?: number; hi?: number }>;
  readonly secure: (...xs: PrivateTensor[]) => Tensor;
  readonly plain: (...xs: tf.Tensor[]) => tf.Tensor;
  readonly tol: number;
}

const CASES: Case[] = [
  { name: 'add broadcast', inputs: [{ shape: [3, 4] }, { shape: [4] }], secure: (x, y) => x.add(y).mul(x), plain: (x, y) => x.add(y).mul(x), tol: 2e-3 },
  { name: 'sub', inputs: [{ shape: [3, 4] }, { shape: [3, 4] }], secure: (x, y) => x.sub(y).square(), plain: (x, y) => x.sub(y).square(), tol: 2e-3 },
  { name: 'mul and neg', inputs: [{ shape: [2, 5] }, { shape: [2, 5] }], secure: (x, y) => x.mul(y).neg(), plain: (x, y) => x.mul(y).neg(), tol: 1e-3 },
  { name: 'mul by numbers', inputs: [{ shape: [6] }], secure: (x) => x.mul(0.3).mul(3), plain: (x) => x.mul(0.9), tol: 1e-3 },
  { name: 'matmul', inputs: [{ shape: [4, 5] }, { shape: [5, 3] }], secure: (x, w) => x.matmul(w), plain: (x, w) => x.matMul(w), tol: 2e-3 },
  { name: 'batched matmul', inputs: [{ shape: [2, 3, 4] }, { shape: [2, 4, 2] }], secure: (x, w) => x.matmul(w), plain: (x, w) => tf.matMul(x, w), tol: 2e-3 },
  { name: 'relu', inputs: [{ shape: [4, 6] }], secure: (x) => x.relu().mul(x), plain: (x) => x.relu().mul(x), tol: 2e-3 },
  { name: 'maximum and minimum', inputs: [{ shape: [3, 4] }, { shape: [3, 4] }], secure: (x, y) => x.maximum(y).add(x.minimum(y).mul(2)), plain: (x, y) => x.maximum(y).add(x.minimum(y).mul(2)), tol: 2e-3 },
  { name: 'clip', inputs: [{ shape: [4, 6], lo: -3, hi: 3 }], secure: (x) => x.clip(-1, 1.5).mul(x), plain: (x) => x.clipByValue(-1, 1.5).mul(x), tol: 2e-3 },
  { name: 'abs', inputs: [{ shape: [4, 6] }], secure: (x) => x.abs().mul(x), plain: (x) => x.abs().mul(x), tol: 2e-3 },
  { name: 'sigmoid', inputs: [{ shape: [3, 5], lo: -6, hi: 6 }], secure: (x) => x.sigmoid(), plain: (x) => x.sigmoid(), tol: 3e-4 },
  { name: 'tanh', inputs: [{ shape: [3, 5], lo: -3, hi: 3 }], secure: (x) => x.tanh(), plain: (x) => x.tanh(), tol: 6e-4 },
  { name: 'softmax', inputs: [{ shape: [3, 5], lo: -3, hi: 3 }, { shape: [3, 5] }], secure: (x, y) => x.softmax().mul(y), plain: (x, y) => x.softmax().mul(y), tol: 5e-4 },
  { name: 'exp', inputs: [{ shape: [8], lo: -3, hi: 2 }], secure: (x) => x.exp(), plain: (x) => x.exp(), tol: 2e-3 },
  { name: 'log and reciprocal', inputs: [{ shape: [8], lo: 0.5, hi: 4 }], secure: (x) => x.log().add(x.reciprocal()), plain: (x) => x.log().add(x.reciprocal()), tol: 2e-3 },
  { name: 'invSqrt', inputs: [{ shape: [8], lo: 0.5, hi: 4 }], secure: (x) => x.invSqrt(), plain: (x) => x.rsqrt(), tol: 2e-3 },
  { name: 'sum and mean', inputs: [{ shape: [3, 4] }, { shape: [3, 4] }], secure: (x, y) => x.sum(1, true).mul(y).mean(0), plain: (x, y) => x.sum(1, true).mul(y).mean(0), tol: 2e-3 },
  { name: 'reshape, transpose, slice, pad', inputs: [{ shape: [2, 6] }, { shape: [4, 3] }], secure: (x, y) => x.reshape([3, 4]).transpose().slice([1, 0], [2, 3]).pad([[1, 1], [0, 0]]).mul(y), plain: (x, y) => x.reshape([3, 4]).transpose().slice([1, 0], [2, 3]).pad([[1, 1], [0, 0]]).mul(y), tol: 1e-3 },
  { name: 'concat', inputs: [{ shape: [2, 3] }, { shape: [1, 3] }, { shape: [3, 3] }], secure: (x, y, z) => x.concat([y], 0).mul(z), plain: (x, y, z) => tf.concat([x, y], 0).mul(z), tol: 1e-3 },
  // tfjs has no gradient for Greater: the plain condition is computed outside the differentiated function.
  { name: 'where', inputs: [{ shape: [3, 4] }, { shape: [3, 4] }], secure: (x, y) => x.greater(y).where(x, y.mul(2)), plain: (x, y) => tf.where(tf.tensor(Array.from(x.dataSync(), (v, i) => v > y.dataSync()[i]), x.shape, 'bool'), x, y.mul(2)), tol: 1e-3 },
  { name: 'conv2d same', inputs: [{ shape: [2, 5, 5, 2] }, { shape: [3, 3, 2, 3] }], secure: (x, f) => x.conv2d(f, { padding: 'same' }), plain: (x, f) => tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, 1, 'same'), tol: 4e-3 },
  { name: 'conv2d valid strided', inputs: [{ shape: [2, 7, 6, 2] }, { shape: [3, 2, 2, 2] }], secure: (x, f) => x.conv2d(f, { strides: [2, 3] }), plain: (x, f) => tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, [2, 3], 'valid'), tol: 4e-3 },
  { name: 'conv2d same strided', inputs: [{ shape: [1, 6, 6, 1] }, { shape: [3, 3, 1, 2] }], secure: (x, f) => x.conv2d(f, { strides: 2, padding: 'same' }), plain: (x, f) => tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, 2, 'same'), tol: 4e-3 },
  { name: 'conv2dTranspose', inputs: [{ shape: [1, 3, 3, 2] }, { shape: [3, 3, 4, 2] }], secure: (x, f) => x.conv2dTranspose(f, { strides: 2, padding: 'same' }), plain: (x, f) => tf.conv2dTranspose(x as tf.Tensor4D, f as tf.Tensor4D, [1, 6, 6, 4], 2, 'same'), tol: 4e-3 },
  // tfjs has no gradient for dilated convolutions: the reference spreads the kernel with zeros (differentiably).
  { name: 'conv2d dilated', inputs: [{ shape: [1, 7, 7, 2] }, { shape: [3, 3, 2, 2] }], secure: (x, f) => x.conv2d(f, { dilations: 2, padding: 'same' }), plain: (x, f) => {
    const e = tf.tensor2d([[1, 0, 0, 0, 0], [0, 0, 1, 0, 0], [0, 0, 0, 0, 1]]);
    const spread = tf.matMul(tf.matMul(f.transpose([2, 3, 0, 1]), e, true, false), e, true, false).transpose([2, 3, 0, 1]);
    return tf.conv2d(x as tf.Tensor4D, spread as tf.Tensor4D, 1, 'same');
  }, tol: 4e-3 },
  { name: 'depthwiseConv2d', inputs: [{ shape: [2, 5, 5, 2] }, { shape: [2, 2, 2, 2] }], secure: (x, f) => x.depthwiseConv2d(f, { strides: 2, padding: 'same' }), plain: (x, f) => tf.depthwiseConv2d(x as tf.Tensor4D, f as tf.Tensor4D, 2, 'same'), tol: 4e-3 },
  // tfjs's avgPool gradient divides by the whole window even where 'same' padding cuts it
  // (unlike its forward pass); the reference differentiates the forward pass tfjs computes:
  // window sums (a depthwise convolution with ones) over the pixels under each window.
  { name: 'avgPool2d same', inputs: [{ shape: [2, 5, 6, 2] }, { shape: [2, 3, 3, 2] }], secure: (x, y) => x.avgPool2d(2, { padding: 'same' }).mul(y), plain: (x, y) => {
    const ones = tf.ones([2, 2, 2, 1]) as tf.Tensor4D;
    const counts = tf.depthwiseConv2d(tf.onesLike(x) as tf.Tensor4D, ones, 2, 'same');
    return tf.depthwiseConv2d(x as tf.Tensor4D, ones, 2, 'same').div(counts).mul(y);
  }, tol: 2e-3 },
  { name: 'avgPool2d overlapping', inputs: [{ shape: [1, 5, 5, 1] }, { shape: [1, 2, 2, 1] }], secure: (x, y) => x.avgPool2d(3, { strides: 2 }).mul(y), plain: (x, y) => tf.avgPool(x as tf.Tensor4D, 3, 2, 'valid').mul(y), tol: 2e-3 },
  { name: 'maxPool2d', inputs: [{ shape: [2, 4, 4, 2] }, { shape: [2, 2, 2, 2] }], secure: (x, y) => x.maxPool2d(2).mul(y), plain: (x, y) => tf.maxPool(x as tf.Tensor4D, 2, 2, 'valid').mul(y), tol: 2e-3 },
  { name: 'maxPool2d same 3x3', inputs: [{ shape: [1, 5, 5, 2] }, { shape: [1, 3, 3, 2] }], secure: (x, y) => x.maxPool2d(3, { strides: 2, padding: 'same' }).mul(y), plain: (x, y) => tf.maxPool(x as tf.Tensor4D, 3, 2, 'same').mul(y), tol: 2e-3 },
  { name: 'max over axes', inputs: [{ shape: [3, 5, 2] }, { shape: [5] }], secure: (x, y) => x.max([0, 2]).mul(y), plain: (x, y) => x.max([0, 2]).mul(y), tol: 2e-3 },
  { name: 'polyval', inputs: [{ shape: [6], lo: -1, hi: 1 }], secure: (x) => x.polyval([0.5, -1, 0.25, 2]), plain: (x) => x.pow(3).mul(2).add(x.square().mul(0.25)).sub(x).add(0.5), tol: 1e-3 },
];

for (const c of CASES) {
  test(`gradient of ${c.name} agrees with tf.grads`, async (t) => {
    const { prot } = makePond();
    const values = c.inputs.map((i) => Float64Array.from({ length: i.shape.reduce((a, b) => a * b, 1) }, () => rng.uniform(i.lo ?? -2, i.hi ?? 2)));
    const xs = c.inputs.map((i, k) => prot.definePrivateInput('inputter', () => values[k], { shape: i.shape }));
    const secure = grads((...a) => c.secure(...(a as PrivateTensor[])))(xs);
    const plain = tf.grads((...a: tf.Tensor[]) => c.plain(...a))(values.map((v, k) => tf.tensor(Array.from(v), c.inputs[k].shape)));
    for (const [k, g] of secure.entries()) {
      t.deepEqual([...g.shape], plain[k].shape, `${c.name}: shape of gradient ${k}`);
      const err = maxAbsDiff(await revealValues(prot, g), plain[k].dataSync());
      t.true(err <= c.tol, `${c.name}: gradient ${k} off by ${err.toExponential(2)} (tolerance ${c.tol})`);
    }
  });
}

test('a result that does not depend on an argument is an error naming it', (t) => {
  const { prot } = makePond();
  const x = prot.definePrivateInput('inputter', () => [1, 2], { shape: [2] });
  const y = prot.definePrivateInput('inputter', () => [3, 4], { shape: [2] });
  t.throws(() => grads((a) => a.square())([x, y]), { message: /does not depend on argument 1/ });
  t.throws(() => grads((a) => a)([]), { message: /non-empty list of secure tensors/ });
});

test('comparisons pass no gradient; ops without a backward rule say so', (t) => {
  const { prot } = makePond();
  const x = prot.definePrivateInput('inputter', () => [1, -2, 3], { shape: [3] });
  t.throws(() => grads((a) => a.greater(0))([x]), { message: /does not depend on argument 0/ });
  const img = prot.definePrivateInput('inputter', () => new Float64Array(16), { shape: [1, 4, 4, 1] });
  t.throws(() => grads((a) => (a as PrivateTensor).reluApprox())([img]), { instanceOf: tfe.NotImplementedError, message: /reluApprox: the gradient/ });
});
