/**
 * Activations by their tfjs identifiers. ReLU is exact by default; the
 * approximate polynomial is an opt-in, per layer (`reluMode`) or per model.
 */
import { NotImplementedError } from '../errors.js';
import type { Pond, PondPrivateTensor } from '../protocol/index.js';
import { CostBuilder, NO_COST } from './cost.js';
import type { CallOptions, LayerCost } from './layer.js';

export const ACTIVATIONS = ['linear', 'relu', 'relu6', 'sigmoid', 'tanh', 'softmax', 'hardSigmoid'] as const;
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
export function applyActivation(prot: Pond, x: PondPrivateTensor, activation: ActivationIdentifier, mode: ReluMode): PondPrivateTensor {
  switch (activation) {
    case 'linear':
      return x;
    case 'relu':
      return mode === 'approximate' ? prot.reluApprox(x) : prot.relu(x);
    case 'relu6':
      return prot.clip(x, 0, 6);
    case 'sigmoid':
      return prot.sigmoid(x);
    case 'tanh':
      return prot.tanh(x);
    case 'softmax':
      return prot.softmax(x);
    case 'hardSigmoid':
      // tfjs: clip(0.2 x + 0.5, 0, 1), exact up to the product's rounding.
      return prot.clip(x.mul(0.2).add(0.5), 0, 1);
  }
}

/** The mode a layer uses: its own setting, else the model's, else exact. */
export function reluModeOf(own: ReluMode | undefined, options: CallOptions): ReluMode {
  return own ?? options.reluMode ?? 'exact';
}

/**
 * Estimated cost of an activation on n elements (rows of `lastDim` for softmax).
 */
export function activationCost(activation: ActivationIdentifier, n: number, lastDim: number, mode: ReluMode): LayerCost {
  const c = new CostBuilder();
  switch (activation) {
    case 'linear':
      return NO_COST;
    case 'relu':
      return mode === 'approximate' ? c.polynomial(n, 4).build() : c.relu(n).build();
    case 'relu6':
      return c.relu(2 * n).build();
    case 'hardSigmoid':
      return c.product(0, n).relu(2 * n).build();
    case 'sigmoid':
      return sigmoidCost(n);
    case 'tanh':
      return sigmoidCost(n);
    case 'softmax':
      return softmaxCost(n, lastDim);
  }
}

/** The accurate sigmoid (src/protocol/pond/smooth/sigmoid.ts). */
export function sigmoidCost(n: number): LayerCost {
  return new CostBuilder()
    .open(n).adder(n).inject(n, 1) // sign and |x|
    .polynomial(5 * n, 4) // five pieces
    .open(5 * n).adder(5 * n).inject(5 * n, 1) // piece selection
    .product(2 * n, n, false) // symmetry: s (1 - 2 sigmoid(t))
    .build();
}

/** softmax over rows of k (src/protocol/pond/smooth/softmax.ts). */
export function softmaxCost(n: number, k: number): LayerCost {
  const rows = n / k;
  const c = new CostBuilder();
  for (let cur = k; cur > 1; cur = Math.ceil(cur / 2)) c.relu(Math.floor(cur / 2) * rows); // max tournament
  c.relu(n); // exp's lower clamp
  c.polynomial(n, 5); // Taylor of e^(x/64)
  for (let s = 0; s < 6; s++) c.product(s === 0 ? n : n, n); // squarings
  const j = Math.max(0, Math.floor(Math.log2(k))) + 1; // reciprocal ladder on the row sums
  c.open(0).adder(j * rows).inject(j * rows, 0);
  for (let s = 0; s < 4; s++) c.product(s === 0 ? 2 * rows : 2 * rows, rows).product(rows, rows);
  return c.product(n + rows, n).build();
}
