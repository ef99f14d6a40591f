/**
 * Activations by their tfjs identifiers. ReLU is exact by default; the
 * approximate polynomial is an opt-in, per layer (`reluMode`) or per model.
 */
import { NotImplementedError } from '../errors.js';
import type { PrivateTensor } from '../protocol/api/index.js';
import type { CallOptions } from './layer.js';

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
  }
}

/** The mode a layer uses: its own setting, else the model's, else exact. */
export function reluModeOf(own: ReluMode | undefined, options: CallOptions): ReluMode {
  return own ?? options.reluMode ?? 'exact';
}
