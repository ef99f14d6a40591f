/**
 * Every op of Pond's op table: the cost estimate (the op table's formula, via
 * the cost estimator, which computes and sends nothing) against the traffic
 * counters of running the op for real. Bytes within 3% plus 40 bytes a
 * round (frame headers are estimated at 48 bytes a message; the real ones
 * grow with the rank and the number of tensors, which matters for tiny
 * tensors), rounds exactly.
 */
import test, { type ExecutionContext } from 'ava';
import * as tf from '@tensorflow/tfjs';
import type { Pond, Tensor } from '../../../src/protocol/index.js';
import { makePond } from '../../helpers/float.js';
import { TestRng } from '../../helpers/random.js';

tf.env().set('PROD', true);
const rng = new TestRng(81);

interface Case {
  readonly name: string;
  /** The op's operands, fresh (nothing masked yet) at each call. */
  readonly inputs: (prot: Pond) => Tensor[];
  readonly op: (prot: Pond, xs: Tensor[]) => Tensor;
}

const priv = (prot: Pond, shape: number[], lo = -2, hi = 2): Tensor =>
  prot.definePrivateInput('inputter', () => rng.floats(shape.reduce((a, b) => a * b, 1), lo, hi), { shape });
const pub = (prot: Pond, shape: number[], lo = -2, hi = 2): Tensor => prot.definePublicVariable(tf.tensor(Array.from(rng.floats(shape.reduce((a, b) => a * b, 1), lo, hi)), shape));

const one = (shape: number[], lo?: number, hi?: number) => (prot: Pond): Tensor[] => [priv(prot, shape, lo, hi)];
const two = (a: number[], b: number[]) => (prot: Pond): Tensor[] => [priv(prot, a), priv(prot, b)];

const CASES: Case[] = [
  { name: 'add', inputs: two([4, 6], [4, 6]), op: (p, [x, y]) => p.add(x, y) },
  { name: 'sub public', inputs: (p) => [priv(p, [4, 6]), pub(p, [6])], op: (p, [x, y]) => p.sub(x, y) },
  { name: 'neg', inputs: one([5, 3]), op: (p, [x]) => p.neg(x) },
  { name: 'mul private', inputs: two([4, 6], [4, 6]), op: (p, [x, y]) => p.mul(x, y) },
  { name: 'mul broadcast', inputs: two([4, 6], [6]), op: (p, [x, y]) => p.mul(x, y) },
  { name: 'mul real', inputs: one([4, 6]), op: (p, [x]) => p.mul(x, 0.3) },
  { name: 'mul third', inputs: one([4, 6]), op: (p, [x]) => p.mul(x, 1 / 3) },
  { name: 'div', inputs: one([4, 6]), op: (p, [x]) => p.div(x, 7) },
  { name: 'mul integer', inputs: one([4, 6]), op: (p, [x]) => p.mul(x, 3) },
  { name: 'mul public tensor', inputs: (p) => [priv(p, [4, 6]), pub(p, [4, 6])], op: (p, [x, y]) => p.mul(x, y) },
  { name: 'square', inputs: one([7, 3]), op: (p, [x]) => p.square(x) },
  { name: 'matmul', inputs: two([5, 8], [8, 3]), op: (p, [x, y]) => p.matmul(x, y) },
  { name: 'conv2d', inputs: two([2, 6, 6, 3], [3, 3, 3, 4]), op: (p, [x, f]) => p.conv2d(x, f, { padding: 'same' }) },
  { name: 'depthwiseConv2d', inputs: two([2, 6, 6, 3], [2, 2, 3, 2]), op: (p, [x, f]) => p.depthwiseConv2d(x, f, { strides: 2 }) },
  { name: 'conv2dBackpropInput', inputs: two([2, 6, 6, 4], [3, 3, 3, 4]), op: (p, [dy, f]) => p.conv2dBackpropInput(dy, f, [2, 6, 6, 3], { padding: 'same' }) },
  { name: 'conv2dBackpropFilter', inputs: two([2, 6, 6, 3], [2, 3, 3, 4]), op: (p, [x, dy]) => p.conv2dBackpropFilter(x, dy, [3, 3, 3, 4], { strides: 2, padding: 'same' }) },
  { name: 'depthwiseConv2dBackpropInput', inputs: two([2, 3, 3, 6], [2, 2, 3, 2]), op: (p, [dy, f]) => p.depthwiseConv2dBackpropInput(dy, f, [2, 6, 6, 3], { strides: 2 }) },
  { name: 'depthwiseConv2dBackpropFilter', inputs: two([2, 6, 6, 3], [2, 3, 3, 6]), op: (p, [x, dy]) => p.depthwiseConv2dBackpropFilter(x, dy, [2, 2, 3, 2], { strides: 2 }) },
  { name: 'col2im', inputs: one([18, 8]), op: (p, [x]) => p.col2im(x, [2, 6, 6, 2], 2, { strides: 2 }) },
  { name: 'broadcastTo', inputs: one([4, 1]), op: (p, [x]) => p.broadcastTo(x, [3, 4, 6]) },
  { name: 'gather', inputs: one([5, 3]), op: (p, [x]) => p.gather(x, [4, 0, 0, 2]) },
  { name: 'conv2d dilated', inputs: two([2, 7, 7, 3], [3, 3, 3, 4]), op: (p, [x, f]) => p.conv2d(x, f, { padding: 'same', dilations: 2 }) },
  { name: 'depthwiseConv2d dilated', inputs: two([2, 7, 7, 3], [3, 3, 3, 2]), op: (p, [x, f]) => p.depthwiseConv2d(x, f, { dilations: [2, 1] }) },
  { name: 'conv2dTranspose', inputs: two([2, 4, 4, 3], [3, 3, 5, 3]), op: (p, [x, f]) => p.conv2dTranspose(x, f, { strides: 2, padding: 'same' }) },
  { name: 'conv2dTranspose public filter', inputs: (p) => [priv(p, [2, 4, 4, 3]), pub(p, [2, 2, 5, 3])], op: (p, [x, f]) => p.conv2dTranspose(x, f, { strides: 2 }) },
  { name: 'slice', inputs: one([4, 6]), op: (p, [x]) => p.slice(x, [1, 2], [2, -1]) },
  { name: 'concat', inputs: two([4, 6], [2, 6]), op: (p, [x, y]) => p.concat([x, y], 0) },
  { name: 'pad', inputs: one([2, 3]), op: (p, [x]) => p.pad(x, [[1, 0], [0, 2]]) },
  { name: 'avgPool2d', inputs: one([2, 6, 6, 3]), op: (p, [x]) => p.avgPool2d(x, 3, { padding: 'same', strides: 2 }) },
  { name: 'sum', inputs: one([4, 6]), op: (p, [x]) => p.sum(x, 1) },
  { name: 'mean', inputs: one([4, 6]), op: (p, [x]) => p.mean(x, 0) },
  { name: 'reshape', inputs: one([4, 6]), op: (p, [x]) => p.reshape(x, [8, -1]) },
  { name: 'transpose', inputs: one([4, 6]), op: (p, [x]) => p.transpose(x) },
  { name: 'polyval', inputs: one([4, 6], -1, 1), op: (p, [x]) => p.polyval(x, [0.5, 0.2, 0, 0.1, 0.05]) },
  { name: 'truncate', inputs: one([4, 6]), op: (p, [x]) => p.truncate(x, 4) },
  { name: 'mask', inputs: one([4, 6]), op: (p, [x]) => p.mask(x) },
  { name: 'maxPool2d', inputs: one([2, 6, 6, 3]), op: (p, [x]) => p.maxPool2d(x, 2) },
  { name: 'max', inputs: one([4, 7]), op: (p, [x]) => p.max(x, 1) },
  { name: 'argmax', inputs: one([4, 7]), op: (p, [x]) => p.argmax(x) },
  { name: 'isNegative', inputs: one([4, 6]), op: (p, [x]) => p.isNegative(x) },
  { name: 'greater', inputs: two([4, 6], [4, 6]), op: (p, [x, y]) => p.greater(x, y) },
  { name: 'less number', inputs: one([4, 6]), op: (p, [x]) => p.less(x, 0.5) },
  { name: 'greaterEqual', inputs: two([4, 6], [4, 6]), op: (p, [x, y]) => p.greaterEqual(x, y) },
  { name: 'lessEqual', inputs: two([4, 6], [4, 6]), op: (p, [x, y]) => p.lessEqual(x, y) },
  { name: 'equal', inputs: two([4, 6], [4, 6]), op: (p, [x, y]) => p.equal(x, y) },
  { name: 'sign', inputs: one([4, 6]), op: (p, [x]) => p.sign(x) },
  { name: 'abs', inputs: one([4, 6]), op: (p, [x]) => p.abs(x) },
  { name: 'relu', inputs: one([4, 6]), op: (p, [x]) => p.relu(x) },
  { name: 'reluGrad', inputs: one([4, 6]), op: (p, [x]) => p.reluGrad(x) },
  { name: 'maximum', inputs: two([4, 6], [4, 6]), op: (p, [x, y]) => p.maximum(x, y) },
  { name: 'minimum', inputs: (p) => [priv(p, [4, 6])], op: (p, [x]) => p.minimum(x, 1) },
  { name: 'clip', inputs: one([4, 6]), op: (p, [x]) => p.clip(x, -1, 1) },
  { name: 'where', inputs: (p) => [p.greater(priv(p, [4, 6]), 0), priv(p, [4, 6]), priv(p, [4, 6])], op: (p, [c, a, b]) => p.where(c, a, b) },
  { name: 'sigmoid', inputs: one([4, 6]), op: (p, [x]) => p.sigmoid(x) },
  { name: 'sigmoid polynomial', inputs: one([4, 6]), op: (p, [x]) => p.sigmoid(x, { method: 'polynomial' }) },
  { name: 'tanh', inputs: one([4, 6]), op: (p, [x]) => p.tanh(x) },
  { name: 'reluApprox', inputs: one([4, 6]), op: (p, [x]) => p.reluApprox(x) },
  { name: 'exp', inputs: one([4, 6]), op: (p, [x]) => p.exp(x) },
  { name: 'exp upper 0', inputs: one([4, 6], -5, 0), op: (p, [x]) => p.exp(x, { upper: 0, lower: -20 }) },
  { name: 'reciprocal', inputs: one([4, 6], 0.5, 4), op: (p, [x]) => p.reciprocal(x) },
  { name: 'invSqrt', inputs: one([4, 6], 0.5, 4), op: (p, [x]) => p.invSqrt(x) },
  { name: 'log', inputs: one([4, 6], 0.5, 4), op: (p, [x]) => p.log(x) },
  { name: 'softmax', inputs: one([4, 10]), op: (p, [x]) => p.softmax(x) },
];

async function checkCases(t: ExecutionContext, prot: Pond, cases: readonly Case[]): Promise<void> {
  for (const c of cases) {
    const xs = c.inputs(prot);
    await prot.flush();
    const { cost } = prot.costEstimator().cost(() => c.op(prot, xs));
    const before = prot.traffic();
    c.op(prot, xs);
    await prot.flush();
    const after = prot.traffic();
    const bytes = after.totalBytes - before.totalBytes;
    const rounds = after.rounds - before.rounds;
    const what = `${c.name}: estimated ${cost.bytes} B / ${cost.rounds} rounds, measured ${bytes} B / ${rounds} rounds`;
    t.log(what);
    t.true(Math.abs(bytes - cost.bytes) <= 0.03 * cost.bytes + 40 * cost.rounds, what);
    t.is(rounds, cost.rounds, what);
  }
}

test('every op: the estimated cost matches the traffic of running it', async (t) => {
  await checkCases(t, makePond().prot, CASES);
});

test('relu on 32-bit lanes (reluBits: 32): the estimate matches, for even and odd sizes and after a product', async (t) => {
  await checkCases(t, makePond({ reluBits: 32 }).prot, [
    { name: 'relu 32', inputs: one([4, 6]), op: (p, [x]) => p.relu(x) },
    { name: 'relu 32 odd', inputs: one([5, 3]), op: (p, [x]) => p.relu(x) },
    { name: 'relu 32 of a product', inputs: two([5, 8], [8, 3]), op: (p, [x, w]) => p.relu(p.matmul(x, w)) },
  ]);
});

test("comparisons by function secret sharing (comparison: 'fss'): the estimate matches, for 64 and 32 bits", async (t) => {
  const names = new Set(['isNegative', 'greater', 'equal', 'sign', 'abs', 'relu', 'maximum', 'clip', 'maxPool2d', 'argmax', 'sigmoid', 'softmax']);
  await checkCases(t, makePond({ comparison: 'fss' }).prot, CASES.filter((c) => names.has(c.name)));
  await checkCases(t, makePond({ comparison: 'fss', reluBits: 32 }).prot, [
    { name: 'relu 32 fss odd', inputs: one([5, 3]), op: (p, [x]) => p.relu(x) },
    { name: 'relu 32 fss of a product', inputs: two([5, 8], [8, 3]), op: (p, [x, w]) => p.relu(p.matmul(x, w)) },
  ]);
});

test('an estimate computes and sends nothing, and does not mask real tensors', async (t) => {
  const { prot } = makePond();
  const x = priv(prot, [4, 6]);
  const w = priv(prot, [6, 3]);
  await prot.flush();
  const before = prot.traffic();
  const est = prot.costEstimator();
  const first = est.cost(() => prot.matmul(x, w)).cost;
  const second = est.cost(() => prot.matmul(est.input([4, 6]), w)).cost;
  await prot.flush();
  t.deepEqual(prot.traffic(), before, 'nothing sent');
  t.true(second.bytes < first.bytes, 'the estimator remembers that it masked w');
  // The real run still masks both: the estimate did not touch the real cache.
  const real = prot.matmul(x, w);
  await prot.flush();
  const bytes = prot.traffic().totalBytes - before.totalBytes;
  t.true(Math.abs(bytes - first.bytes) <= 0.03 * first.bytes + 64, `real ${bytes} vs estimated ${first.bytes}`);
  t.is(real.kind, 'private');
  t.throws(() => est.cost(() => est.cost(() => 0)), { message: /cannot be nested/ });
});
