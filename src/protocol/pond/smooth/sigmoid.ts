/**
 * Sigmoid, tanh and an approximate ReLU. Coefficients come from
 * scripts/fit-approximations.py (near-minimax fits in variables scaled to
 * [-1, 1], so that no coefficient is lost to fixed point); the tests measure
 * the error of the secure versions over the stated ranges.
 */
import * as ring from '../../../ring/index.js';
import type { SigmoidMethod } from '../../api/index.js';
import { injectBits, notBits } from '../../binary/bit-injection.js';
import { maskAll } from '../beaver.js';
import { MUL, productPrivate } from '../bilinear.js';
import { clip, signAndAbs, signBits } from '../compare.js';
import { onServers, publicScalar, split, join, unmasked, type PondContext } from '../context.js';
import * as linear from '../linear.js';
import { polyval } from '../polynomial.js';
import { PondPrivateTensor, type PondSecretTensor } from '../tensors.js';
import { reinterpret } from './tools.js';


/**
 * Fast sigmoid: 0.5 + an odd degree-9 polynomial of u = x / 8 (a free change
 * of scale), after clamping x to [-6, 6]. Max error 3.7e-3 over the whole
 * range (3.6e-3 from the fit, 2.5e-3 outside [-6, 6]). Rounds: one clamp
 * (8) and the polynomial (4 products and one truncation).
 */
const TWO = ring.RingTensor.fill([], 2n);

const FAST = [0.5, 1.93975282512, 0, -7.82842212104, 0, 23.323813663, 0, -36.2261815013, 0, 21.9460728995];

export function sigmoidPolynomial(ctx: PondContext, x: PondSecretTensor): PondPrivateTensor {
  const f = x.fracBits;
  const xc = linear.expectPrivate(clip(ctx, x, publicScalar(ctx, -6, f), publicScalar(ctx, 6, f)), 'sigmoid');
  const u = reinterpret(ctx, xc, f + 3);
  return linear.expectPrivate(polyval(ctx, u, FAST, f), 'sigmoid');
}

/**
 * Accurate sigmoid: for t = |x| on [0, 16], five degree-4 polynomials on
 * [0,1], [1,2], [2,4], [4,8], [8,16] in local variables u = (t - mid) / half,
 * selected by exact comparisons of t with 1, 2, 4, 8 and 16 (1 beyond 16);
 * then sigmoid(x) = sigmoid(t), or 1 - sigmoid(t) when x < 0. Max error 6e-5
 * over the whole fixed-point range (fits <= 5e-5 plus fixed-point rounding).
 */
const PIECES = [
  { mid: 0.5, half: 0.5, c: [0.622459078773, 0.117491017097, -0.00719003148719, -0.00196387863991, 0.000260491054093] },
  { mid: 1.5, half: 0.5, c: [0.817574468193, 0.0745827101482, -0.0118411408254, 0.0002884119073, 0.000194510095273] },
  { mid: 3, half: 1, c: [0.952575955334, 0.0451963084618, -0.0204785196505, 0.00541653760361, -0.000693854454843] },
  { mid: 6, half: 2, c: [0.997521274521, 0.00472384856647, -0.00479926297721, 0.00405820118036, -0.00187663133573] },
  { mid: 12, half: 4, c: [0.999992076156, -3.07786166203e-6, -1.86482418092e-5, 0.000163968175062, -0.000139139485409] },
];
const THRESHOLDS = [1, 2, 4, 8, 16];

export function sigmoidAccurate(ctx: PondContext, x: PondSecretTensor): PondPrivateTensor {
  const p = unmasked(x);
  const f = p.fracBits;
  const { shape } = p;
  const n = p.size;

  // Sign bit s and t = |x| from one adder run.
  const { sign: s, abs: t } = signAndAbs(ctx, p);

  // u_i = (t - mid_i) / half_i at scale f + 2: its words are (t - mid_i) * 4 / half_i, exactly.
  const F = f + 2;
  const us = PIECES.map(({ mid, half }) =>
    reinterpret(ctx, linear.mulPublicWords(ctx, linear.sub(ctx, t, publicScalar(ctx, mid, f)), ring.RingTensor.fill([], BigInt(4 / half))), F),
  );
  const U = join(ctx, us);
  const perElement = (k: number): Float64Array => Float64Array.from({ length: 5 * n }, (_, j) => PIECES[Math.floor(j / n)].c[k]);
  const P = linear.expectPrivate(polyval(ctx, U, [0, 1, 2, 3, 4].map(perElement), f), 'sigmoid');
  const pieces = split(ctx, P, PIECES.map(() => shape)).map((shares) => new PondPrivateTensor(ctx.prot, shape, shares, P.fracBits));

  // sigmoid(t) = p_0 + sum_i [t >= thr_i] (p_{i+1} - p_i), with p_5 = 1.
  const diffs = THRESHOLDS.map((_, i) => (i < 4 ? linear.sub(ctx, pieces[i + 1], pieces[i]) : linear.sub(ctx, publicScalar(ctx, 1, f), pieces[4])));
  const D = join(ctx, diffs);
  const [mD] = maskAll(ctx, [D]);
  const over = join(ctx, THRESHOLDS.map((thr) => linear.sub(ctx, t, publicScalar(ctx, thr, f))));
  const above = notBits(ctx, signBits(ctx, over));
  const { products } = injectBits(ctx, above, [mD]);
  const selected = new PondPrivateTensor(ctx.prot, D.shape, products[0], f);
  const sigT = linear.add(ctx, pieces[0], new PondPrivateTensor(ctx.prot, shape, onServers(ctx, async (i) =>
    ring.sum((await selected.shares[i].value()).withShape([5, n]), 0).withShape(shape)), f));

  // sigmoid(x) = sigmoid(t) + s (1 - 2 sigmoid(t)); s is an integer, so no truncation.
  const flip = linear.sub(ctx, publicScalar(ctx, 1, f), linear.mulPublicWords(ctx, sigT, TWO));
  return linear.add(ctx, sigT, productPrivate(ctx, s, flip, MUL));
}

/** Sigmoid by the chosen method (accurate by default). */
export function sigmoid(ctx: PondContext, x: PondSecretTensor, method: SigmoidMethod = 'accurate'): PondPrivateTensor {
  return method === 'polynomial' ? sigmoidPolynomial(ctx, x) : sigmoidAccurate(ctx, x);
}

/**
 * tanh(x) = 2 sigmoid(2x) - 1: twice sigmoid's error (1.2e-4 accurate,
 * 7.4e-3 polynomial). Valid while 2x is encodable.
 */
export function tanh(ctx: PondContext, x: PondSecretTensor, method: SigmoidMethod = 'accurate'): PondPrivateTensor {
  const twice = linear.mulPublicWords(ctx, x, TWO);
  const s = sigmoid(ctx, twice, method);
  return linear.sub(ctx, linear.mulPublicWords(ctx, s, TWO), publicScalar(ctx, 1, x.fracBits));
}

/**
 * Approximate ReLU (for users who choose speed over exactness): a degree-4
 * polynomial of u = x / 4 fitted on [-4, 4], max error 0.26 there and
 * unbounded outside (tf-encrypted's degree-2 one is off by 0.44 at 0). Costs
 * 2 products and no comparison; prefer the exact relu.
 */
const RELU_APPROX = [0.0636620162479, 0.5, 0.763943570796, 0, -0.339530420427];

export function reluApprox(ctx: PondContext, x: PondSecretTensor): PondPrivateTensor {
  const f = x.fracBits;
  const u = reinterpret(ctx, unmasked(x), f + 2);
  // relu(x) = 4 relu(u): the polynomial's value at scale f + 2 is read at f.
  return reinterpret(ctx, linear.expectPrivate(polyval(ctx, u, RELU_APPROX, f + 2), 'reluApprox'), f);
}
