/**
 * Activations by their tfjs identifiers. ReLU is exact by default; the
 * approximate polynomial is an opt-in, per layer (`reluMode`) or per model.
 * The smooth ones are built from the protocol's ops; each error bound below
 * is measured in test/layers/activations.test.ts over the stated range.
 */
import { NotImplementedError } from '../errors.js';
import type { PrivateTensor } from '../protocol/api/index.js';
import type { CallOptions } from './layer.js';

export const ACTIVATIONS = ['linear', 'relu', 'relu6', 'sigmoid', 'tanh', 'softmax', 'hardSigmoid', 'elu', 'selu', 'softplus', 'softsign', 'swish', 'gelu', 'gelu_new'] as const;
/** The activations this library computes. */
export type ActivationIdentifier = (typeof ACTIVATIONS)[number];

export type ReluMode = 'exact' | 'approximate';

/** Validates an activation name (tfjs allows undefined for linear). */
export function checkActivation(value: unknown, layer: string, field = 'activation'): ActivationIdentifier {
  const v = value ?? 'linear';
  if (typeof v === 'string' && (ACTIVATIONS as readonly string[]).includes(v)) return v as ActivationIdentifier;
  throw new NotImplementedError(`${layer}: ${field} '${String(v)}' is not supported; supported: ${ACTIVATIONS.join(', ')}`);
}

/** Validates a ReLU mode. */
export function checkReluMode(value: unknown, where: string): ReluMode | undefined {
  if (value === undefined) return undefined;
  if (value === 'exact' || value === 'approximate') return value;
  throw new NotImplementedError(`${where}: reluMode '${String(value)}' is not supported; supported: exact, approximate`);
}

/** Applies an activation on private values. */
export function applyActivation(x: PrivateTensor, activation: ActivationIdentifier, mode: ReluMode): PrivateTensor {
  switch (activation) {
    case 'linear':
      return x;
    case 'relu':
      return mode === 'approximate' ? x.reluApprox() : x.relu();
    case 'relu6':
      return x.clip(0, 6);
    case 'sigmoid':
      return x.sigmoid();
    case 'tanh':
      return x.tanh();
    case 'softmax':
      return x.softmax();
    case 'hardSigmoid':
      // tfjs: clip(0.2 x + 0.5, 0, 1), exact up to the product's rounding.
      return x.mul(0.2).add(0.5).clip(0, 1);
    case 'elu':
      return elu(x, 1);
    case 'selu':
      // scale elu(x, alpha): elu's error times the scale, plus the scale's encoding (7e-6 |x|).
      return elu(x, SELU_ALPHA).mul(SELU_SCALE);
    case 'softplus':
      return softplus(x);
    case 'softsign':
      return softsign(x);
    case 'swish':
      // x sigmoid(x): sigmoid's error (6e-5) times |x|, where sigmoid is not yet 1 (|x| < 16): below 5e-4 (3.7e-4 measured at 7.5).
      return x.mul(x.sigmoid());
    case 'gelu':
    case 'gelu_new':
      return geluTanh(x);
  }
}

/** tfjs's selu constants. */
const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;

/**
 * elu(x) = x for x > 0, alpha (e^x - 1) otherwise: with r = relu(x) (exact),
 * r + alpha (e^(x - r) - 1), where x - r = min(x, 0) <= 0 lets exp skip its
 * upper clamp. Error: exp's 2e-4 relative, times alpha (below 2e-4 for alpha = 1).
 */
export function elu(x: PrivateTensor, alpha: number): PrivateTensor {
  const r = x.relu();
  const e = x.sub(r).exp({ upper: 0 }).sub(1);
  return r.add(alpha === 1 ? e : e.mul(alpha));
}

/**
 * log(1 + t) for t in [0, 1], degree 5 in u = 2t - 1 (fitted on Chebyshev
 * nodes, scripts/fit-approximations.py; max error 1e-5).
 */
const LOG1P = [0.405456788553, 0.333341836301, -0.055408295937, 0.012278942782, -0.003466207109, 0.000951531392];

/**
 * softplus(x) = log(1 + e^x) = relu(x) + log(1 + e^-|x|): e^-|x| is in (0, 1]
 * (-|x| = x - 2 relu(x)), where log(1 + t) is a degree-5 polynomial, far
 * cheaper than the log ladder. Error below 3e-4 (exp's 2e-4 plus the fit and
 * rounding).
 */
export function softplus(x: PrivateTensor): PrivateTensor {
  const r = x.relu();
  const t = x.sub(r.mul(2)).exp({ upper: 0 });
  return r.add(t.mul(2).sub(1).polyval(LOG1P));
}

/**
 * softsign(x) = x / (1 + |x|) = sign(x) (1 - r) with r = 1 / (1 + |x|): the
 * sign bit b (exact), |x| = x - 2 b x and sign(x) (1 - r) = (1 - r) - 2 b (1 - r)
 * as products by an integer (no truncation), the reciprocal (relative error
 * 2^-20 while 1 + |x| < 2^15). Computing x r instead would multiply r's
 * fixed-point rounding by |x|. Error below 3e-5.
 */
export function softsign(x: PrivateTensor): PrivateTensor {
  const b = x.isNegative();
  const abs = x.sub(b.mul(x).mul(2));
  const m = abs.add(1).reciprocal().neg().add(1);
  return m.sub(b.mul(m).mul(2));
}

/** sqrt(2 / pi): gelu's tanh form. */
const GELU_K = Math.sqrt(2 / Math.PI);

/**
 * tfjs's gelu_new, 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) = x sigmoid(2 sqrt(2/pi) (x + 0.044715 x^3)),
 * with the cubic on x clipped to [-8, 8] (beyond, the sigmoid is 0 or 1 to
 * float precision) so that no product leaves the fixed-point range. tfjs's
 * gelu (the erf form) is computed the same way: the two forms differ by at
 * most 4.7e-4 (at x = 2.7), which that identifier's bound includes.
 */
export function geluTanh(x: PrivateTensor): PrivateTensor {
  const inner = x.clip(-8, 8).polyval([0, 2 * GELU_K, 0, 2 * GELU_K * 0.044715]);
  return x.mul(inner.sigmoid());
}

/** The mode a layer uses: its own setting, else the model's, else exact. */
export function reluModeOf(own: ReluMode | undefined, options: CallOptions): ReluMode {
  return own ?? options.reluMode ?? 'exact';
}
