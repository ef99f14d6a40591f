/** Private variables: private tensors whose shares a training step replaces. */
import { check, checkShape } from '../../errors.js';
import { fmt } from '../../ring/index.js';
import type { PrivateVariable, SecretTensor } from '../api/index.js';
import { unmasked } from './context.js';
import { isPondTensor, PondPrivateTensor } from './tensors.js';

/** A private tensor whose shares can be replaced (training updates). */
export class PondPrivateVariable extends PondPrivateTensor implements PrivateVariable {
  /**
   * Replaces the value; operations issued afterwards read the new shares (and
   * mask them afresh: the mask cache is keyed by shares).
   */
  /** The current value as a plain private tensor: what an op issued now reads. */
  current(): PondPrivateTensor {
    return new PondPrivateTensor(this.protocol, this.shape, this.shares, this.fracBits);
  }

  assign(value: SecretTensor): void {
    const given: unknown = value;
    check(isPondTensor(given) && given.protocol === this.protocol && given.kind !== 'public', () => 'assign: expected a private tensor of the same protocol as the variable');
    const v = unmasked(given);
    checkShape(
      v.shape.length === this.shape.length && v.shape.every((d, i) => d === this.shape[i]),
      () => `assign: value shape ${fmt(v.shape)} differs from the variable's ${fmt(this.shape)}`,
    );
    this.replaceShares(v.shares, v.fracBits);
  }
}
