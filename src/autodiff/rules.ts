/**
 * The backward rule of every op, written once against the protocol
 * interface: given the recorded op (arguments, result, saved values) and the
 * gradient of its result, the gradients of the arguments that need one.
 * Products reuse their operands' open masks (cached by the protocol); relu,
 * maximum, minimum, clip and abs multiply by the bit their forward
 * comparison already computed; comparisons and argmax pass no gradient.
 */
import { NotImplementedError, ProtocolError } from '../errors.js';
import type { OpName, OpRecord, Tensor } from '../protocol/api/index.js';
import { inversePerm, isTensor, unbroadcast } from './util.js';

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

export const GRAD_RULES: { readonly [K in OpName]: GradRule } = {
  add: (r, dy, need) => elementwise2(r, dy, need, () => dy, () => dy),
  sub: (r, dy, need) => elementwise2(r, dy, need, () => dy, () => dy.neg()),
  neg: (r, dy) => [dy.neg()],
  mul: (r, dy, need) => {
    const y = r.args[1];
    if (!isTensor(y)) return [dy.mul(y as number)];
    return elementwise2(r, dy, need, () => dy.mul(y), () => dy.mul(arg(r, 0)));
  },
  square: (r, dy) => [dy.mul(arg(r, 0)).mul(2)],
  matmul: (r, dy, need) => {
    const [x, y] = [arg(r, 0), arg(r, 1)];
    return [need(0) ? unbroadcast(dy.matmul(transposeLast(y)), x.shape) : undefined, need(1) ? unbroadcast(transposeLast(x).matmul(dy), y.shape) : undefined];
  },
  conv2d: notYet('conv2d'),
  depthwiseConv2d: notYet('depthwiseConv2d'),
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
  avgPool2d: notYet('avgPool2d'),
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
  maxPool2d: notYet('maxPool2d'),
  max: notYet('max'),
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
