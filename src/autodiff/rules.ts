/**
 * The backward rule of every op, written once against the protocol
 * interface: given the recorded op (arguments, result, saved values) and the
 * gradient of its result, the gradients of the arguments that need one.
 * Products reuse their operands' open masks (cached by the protocol); relu,
 * maximum, minimum, clip and abs multiply by the bit their forward
 * comparison already computed; comparisons and argmax pass no gradient.
 */
import { NotImplementedError, ProtocolError } from '../errors.js';
import * as ring from '../ring/index.js';
import type { Conv2dOptions } from '../ring/index.js';
import type { OpName, OpRecord, PoolOptions, Tensor } from '../protocol/api/index.js';
import { inversePerm, isTensor, protocolOf, unbroadcast } from './util.js';

/** A gradient per argument (receiver first): a tensor, a list for list arguments, or undefined. */
export type ArgGrads = ReadonlyArray<Tensor | ReadonlyArray<Tensor | undefined> | undefined>;

/** `need(i)`: whether argument i needs its gradient (it depends on what is differentiated). */
export type GradRule = (r: OpRecord, dy: Tensor, need: (i: number) => boolean) => ArgGrads;

const arg = (r: OpRecord, i: number): Tensor => {
  const a = r.args[i];
  if (!isTensor(a)) throw new ProtocolError(`${r.op} gradient: argument ${i} is not a tensor`);
  return a;
};
const saved = (r: OpRecord, name: string): Tensor => {
  const s = r.saved.get(name);
  if (s === undefined) throw new ProtocolError(`${r.op} gradient: the forward pass saved no '${name}'`);
  return s;
};
const none: GradRule = () => [];
const identity: GradRule = (r, dy) => [dy];
const notYet = (op: OpName, what = 'it'): GradRule => () => {
  throw new NotImplementedError(`${op}: the gradient of ${what} is not implemented yet; such a layer cannot be trained (set layer.trainable = false on the layers before it, or use a model without it)`);
};

/** dy for the elementwise x op y (with broadcasting), where y may be a number. */
function elementwise2(r: OpRecord, dy: Tensor, need: (i: number) => boolean, dx: () => Tensor, dyy: () => Tensor): ArgGrads {
  const x = arg(r, 0);
  const y = r.args[1];
  return [need(0) ? unbroadcast(dx(), x.shape) : undefined, need(1) && isTensor(y) ? unbroadcast(dyy(), y.shape) : undefined];
}

/** Swaps the last two dimensions. */
function transposeLast(t: Tensor): Tensor {
  const perm = [...t.shape.keys()];
  [perm[t.rank - 2], perm[t.rank - 1]] = [perm[t.rank - 1], perm[t.rank - 2]];
  return t.transpose(perm);
}

/** The shape a reduction over `axis` keeps its dimensions in. */
function keptShape(shape: readonly number[], axis: unknown): number[] {
  const axes = axis === undefined ? shape.map((_, i) => i) : (typeof axis === 'number' ? [axis] : (axis as number[])).map((a) => (a < 0 ? a + shape.length : a));
  return shape.map((d, i) => (axes.includes(i) ? 1 : d));
}

/** A pooling op's input, window, geometry and options, as its forward pass computed them. */
function poolGeometry(r: OpRecord): { x: Tensor; k: [number, number]; g: ring.WindowGeometry; options: PoolOptions } {
  const x = arg(r, 0);
  const options = (r.args[2] as PoolOptions | undefined) ?? {};
  const k = ring.pair(r.args[1] as number | readonly [number, number], 'poolSize', r.op);
  return { x, k, options, g: ring.windowGeometry(x.shape, k, ring.pair(options.strides ?? k, 'strides', r.op), options.padding ?? 'valid', r.op) };
}

/**
 * The gradient of a max tournament over axis 1 of [m, len, c] (select.ts:
 * pairs (2j, 2j + 1) each level, an odd last entry passed on), from the
 * result's gradient [m, 1, c] and the saved selection bits of each level.
 */
function tournamentBackward(r: OpRecord, dOut: Tensor, len: number): Tensor {
  const lengths: number[] = [];
  for (let k = len; k > 1; k = Math.ceil(k / 2)) lengths.push(k);
  let d = dOut;
  for (let level = lengths.length - 1; level >= 0; level--) {
    const k = lengths[level];
    const half = Math.floor(k / 2);
    const [m, , c] = d.shape;
    const pairGrad = k % 2 === 1 ? d.slice([0, 0, 0], [m, half, c]) : d;
    const left = pairGrad.mul(saved(r, `keep${level}`));
    const right = pairGrad.sub(left);
    let next: Tensor = left.reshape([m, half, 1, c]).concat([right.reshape([m, half, 1, c])], 2).reshape([m, 2 * half, c]);
    if (k % 2 === 1) next = next.concat([d.slice([0, half, 0], [m, 1, c])], 1);
    d = next;
  }
  return d;
}

export const GRAD_RULES: { readonly [K in OpName]: GradRule } = {
  add: (r, dy, need) => elementwise2(r, dy, need, () => dy, () => dy),
  sub: (r, dy, need) => elementwise2(r, dy, need, () => dy, () => dy.neg()),
  neg: (r, dy) => [dy.neg()],
  mul: (r, dy, need) => {
    const y = r.args[1];
    if (!isTensor(y)) return [dy.mul(y as number)];
    return elementwise2(r, dy, need, () => dy.mul(y), () => dy.mul(arg(r, 0)));
  },
  div: (r, dy) => [dy.div(r.args[1] as number)],
  square: (r, dy) => [dy.mul(arg(r, 0)).mul(2)],
  matmul: (r, dy, need) => {
    const [x, y] = [arg(r, 0), arg(r, 1)];
    return [need(0) ? unbroadcast(dy.matmul(transposeLast(y)), x.shape) : undefined, need(1) ? unbroadcast(transposeLast(x).matmul(dy), y.shape) : undefined];
  },
  conv2d: (r, dy, need) => {
    const [x, f] = [arg(r, 0), arg(r, 1)];
    const options = r.args[2] as Conv2dOptions | undefined;
    return [need(0) ? dy.conv2dBackpropInput(f, x.shape, options) : undefined, need(1) ? x.conv2dBackpropFilter(dy, f.shape, options) : undefined];
  },
  depthwiseConv2d: (r, dy, need) => {
    const [x, f] = [arg(r, 0), arg(r, 1)];
    const options = r.args[2] as Conv2dOptions | undefined;
    return [need(0) ? dy.depthwiseConv2dBackpropInput(f, x.shape, options) : undefined, need(1) ? x.depthwiseConv2dBackpropFilter(dy, f.shape, options) : undefined];
  },
  conv2dTranspose: (r, dy, need) => {
    // z = conv2dTranspose(x, f) is the input gradient of the convolution z -> x with filter f:
    // its adjoint in x is that convolution, in f the convolution's filter gradient.
    const [x, f] = [arg(r, 0), arg(r, 1)];
    const options = (r.args[2] as { strides?: number | readonly [number, number]; padding?: 'valid' | 'same' } | undefined) ?? {};
    const conv = { strides: options.strides ?? 1, padding: options.padding ?? 'valid' };
    return [need(0) ? dy.conv2d(f, conv) : undefined, need(1) ? dy.conv2dBackpropFilter(x, f.shape, conv) : undefined];
  },
  conv2dBackpropInput: notYet('conv2dBackpropInput', 'a gradient (second order)'),
  conv2dBackpropFilter: notYet('conv2dBackpropFilter', 'a gradient (second order)'),
  depthwiseConv2dBackpropInput: notYet('depthwiseConv2dBackpropInput', 'a gradient (second order)'),
  depthwiseConv2dBackpropFilter: notYet('depthwiseConv2dBackpropFilter', 'a gradient (second order)'),
  col2im: notYet('col2im', 'a pooling gradient (second order)'),
  slice: (r, dy) => {
    const x = arg(r, 0);
    const begin = r.args[1] as readonly number[];
    return [dy.pad(x.shape.map((d, i) => [begin[i], d - begin[i] - dy.shape[i]] as [number, number]))];
  },
  concat: (r, dy, need) => {
    const xs = [arg(r, 0), ...(r.args[1] as readonly Tensor[])];
    const axis = (r.args[2] as number | undefined) ?? 0;
    const ax = axis < 0 ? axis + dy.rank : axis;
    let at = 0;
    const parts = xs.map((x, i) => {
      const begin = dy.shape.map((_, d) => (d === ax ? at : 0));
      at += x.shape[ax];
      return need(i) ? dy.slice(begin, [...x.shape]) : undefined;
    });
    return [parts[0], parts.slice(1)];
  },
  pad: (r, dy) => {
    const x = arg(r, 0);
    const paddings = r.args[1] as ReadonlyArray<readonly [number, number]>;
    return [dy.slice(paddings.map((p) => p[0]), [...x.shape])];
  },
  avgPool2d: (r, dy) => {
    // Each window's gradient divided by the pixels under it, spread back over the window.
    const { x, k, g, options } = poolGeometry(r);
    const inv = protocolOf(x, 'avgPool2d').definePublicVariable(Float64Array.from(ring.windowCounts(g), (c) => 1 / c)).reshape([1, g.outHeight, g.outWidth, 1]);
    const rows = g.batch * g.outHeight * g.outWidth;
    const spread = dy.mul(inv).reshape([rows, 1, g.channels]).broadcastTo([rows, k[0] * k[1], g.channels]).reshape([rows, k[0] * k[1] * g.channels]);
    return [spread.col2im(x.shape, k, options)];
  },
  sum: (r, dy) => {
    const x = arg(r, 0);
    return [dy.reshape(keptShape(x.shape, r.args[1])).broadcastTo(x.shape)];
  },
  mean: (r, dy) => {
    const x = arg(r, 0);
    const kept = keptShape(x.shape, r.args[1]);
    const n = x.size / kept.reduce((a, b) => a * b, 1);
    return [dy.reshape(kept).broadcastTo(x.shape).mul(1 / n)];
  },
  reshape: (r, dy) => [dy.reshape(arg(r, 0).shape)],
  broadcastTo: (r, dy) => [unbroadcast(dy, arg(r, 0).shape)],
  gather: (r, dy) => {
    // The adjoint of a gather scatters back; for a permutation (shuffled batches) that is the inverse gather.
    const x = arg(r, 0);
    const indices = r.args[1] as readonly number[];
    const axis = (r.args[2] as number | undefined) ?? 0;
    const ax = axis < 0 ? axis + x.rank : axis;
    const isPermutation = indices.length === x.shape[ax] && new Set(indices).size === indices.length;
    if (!isPermutation) throw new NotImplementedError('gather: the gradient of a gather that is not a permutation is not implemented yet');
    return [dy.gather(inversePerm(indices), ax)];
  },
  transpose: (r, dy) => {
    const x = arg(r, 0);
    const perm = (r.args[1] as readonly number[] | undefined) ?? [...x.shape.keys()].reverse();
    return [dy.transpose(inversePerm(perm))];
  },
  polyval: (r, dy) => {
    const coefficients = r.args[1] as ReadonlyArray<number | ArrayLike<number>>;
    if (coefficients.length <= 1) return [undefined];
    const scaled = (c: number | ArrayLike<number>, k: number): number | Float64Array => (typeof c === 'number' ? k * c : Float64Array.from(c, (v) => k * v));
    return [dy.mul(arg(r, 0).polyval(coefficients.slice(1).map((c, k) => scaled(c, k + 1))))];
  },
  truncate: identity,
  mask: identity,
  maxPool2d: (r, dy) => {
    // Through the tournament's selection bits, to the window positions, then back into the image.
    const { x, k, g, options } = poolGeometry(r);
    const rows = g.batch * g.outHeight * g.outWidth;
    const window = k[0] * k[1];
    const dWindows = tournamentBackward(r, dy.reshape([rows, 1, g.channels]), window);
    return [dWindows.reshape([rows, window * g.channels]).col2im(x.shape, k, options)];
  },
  max: (r, dy) => {
    const x = arg(r, 0);
    const axis = r.args[1] as number | readonly number[] | undefined;
    const axes = axis === undefined ? [...x.shape.keys()] : (typeof axis === 'number' ? [axis] : [...axis]).map((a) => (a < 0 ? a + x.rank : a));
    const kept = [...x.shape.keys()].filter((i) => !axes.includes(i));
    const len = axes.reduce((acc, a) => acc * x.shape[a], 1);
    const m = x.size / len;
    const d = tournamentBackward(r, dy.reshape([m, 1, 1]), len);
    const perm = [...kept, ...axes];
    return [d.reshape(perm.map((i) => x.shape[i])).transpose(inversePerm(perm))];
  },
  argmax: none,
  isNegative: none,
  greater: none,
  less: none,
  greaterEqual: none,
  lessEqual: none,
  equal: none,
  sign: none,
  reluGrad: none,
  abs: (r, dy) => [dy.sub(dy.mul(saved(r, 'sign')).mul(2))],
  relu: (r, dy) => [dy.mul(saved(r, 'keep'))],
  maximum: (r, dy, need) => {
    const g = dy.mul(saved(r, 'keep'));
    return elementwise2(r, dy, need, () => g, () => dy.sub(g));
  },
  minimum: (r, dy, need) => {
    const g = dy.mul(saved(r, 'keep'));
    return elementwise2(r, dy, need, () => dy.sub(g), () => g);
  },
  clip: (r, dy) => [dy.sub(dy.mul(saved(r, 'below').add(saved(r, 'above'))))],
  where: (r, dy, need) => {
    const c = arg(r, 0);
    const g = dy.mul(c);
    const [a, b] = [r.args[1], r.args[2]];
    return [
      undefined,
      need(1) && isTensor(a) ? unbroadcast(g, a.shape) : undefined,
      need(2) && isTensor(b) ? unbroadcast(dy.sub(g), b.shape) : undefined,
    ];
  },
  sigmoid: (r, dy) => {
    const s = r.output;
    return [dy.mul(s.sub(s.square()))];
  },
  tanh: (r, dy) => [dy.sub(dy.mul(r.output.square()))],
  reluApprox: notYet('reluApprox'),
  exp: (r, dy) => [dy.mul(r.output)],
  reciprocal: (r, dy) => [dy.mul(r.output.square()).neg()],
  invSqrt: (r, dy) => [dy.mul(r.output.square().mul(r.output)).mul(-0.5)],
  log: (r, dy) => [dy.mul(arg(r, 0).reciprocal())],
  softmax: (r, dy) => {
    const s = r.output;
    const dot = dy.mul(s).sum(-1, true);
    return [s.mul(dy.sub(dot))];
  },
};
