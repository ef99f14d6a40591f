/**
 * fit's weight-range check: after an update, each trainable layer's weights
 * are compared with the bound by the secure comparisons (each weight with
 * +bound and -bound, the count summed, one comparison), and only one bit per layer, "some weight is
 * out of range", is revealed to every player. A weight past the bound makes
 * later products overflow silently (docs/precision.md).
 */
import { check, WeightRangeError } from '../../errors.js';
import type { Layer } from '../../layers/index.js';
import type { Protocol, SecretTensor } from '../../protocol/api/index.js';

/** When fit checks the weights: each epoch's end, every N batches, or never. */
export type CheckWeights = 'epoch' | number | 'never';

/** Default bound: 2^floor((62-2f)/2), so a weight times an input of the same size stays below the product bound. */
export function defaultWeightBound(fracBits: number): number {
  return 2 ** Math.floor((62 - 2 * fracBits) / 2);
}

/** Throws unless `when` is a CheckWeights value and `bound` a positive finite number. */
export function checkWeightOptions(context: string, when: unknown, bound: unknown): void {
  check(when === 'epoch' || when === 'never' || (typeof when === 'number' && Number.isInteger(when) && when > 0), () => `${context}: checkWeights must be 'epoch', 'never' or a positive integer (every N batches), got ${String(when)}`);
  check(typeof bound === 'number' && Number.isFinite(bound) && bound > 0, () => `${context}: weightBound must be a positive finite number, got ${String(bound)}`);
}

/**
 * Reveals, per layer, whether some weight has |w| >= bound; throws a WeightRangeError naming the first such layer.
 * Each weight is compared with +bound and -bound at once and the 0/1 results are summed (local): two
 * comparisons deep, not a max tournament (a comparison per level, log2 of the weight count levels).
 */
export async function checkLayerWeights(prot: Protocol, layers: readonly Layer[], bound: number, context: string): Promise<void> {
  const flags = layers.flatMap((layer) => {
    const ws = layer.trainableWeights;
    if (ws.length === 0) return [];
    const counts = ws.map((w) => (w.greaterEqual(bound).sum() as SecretTensor).add(w.neg().greaterEqual(bound).sum() as SecretTensor).reshape([1]));
    const outside = counts.length === 1 ? counts[0]! : (prot.concat(counts, 0) as SecretTensor).sum().reshape([1]);
    // Only this bit is revealed, not the count.
    return [{ layer, bit: outside.greaterEqual(0.5) }];
  });
  for (const { layer, bit } of flags) {
    const v = await prot.revealFloat64(bit);
    if (v.values[0] !== 0) throw new WeightRangeError(context, layer.name, bound, prot.fracBits);
  }
}
