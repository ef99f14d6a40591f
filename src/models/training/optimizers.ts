/**
 * Optimizers mirroring tf.train: each updates private variables with private
 * gradients; the hyperparameters are public numbers. Precision: an update
 * lr * g must stay above one unit in the last place (2^-fracBits) to move a
 * weight, which is why training uses 20 fractional bits (Pond's fracBits).
 */
import { check } from '../../errors.js';
import { isProtocol, type PrivateVariable, type SecretTensor, type Tensor } from '../../protocol/api/index.js';
import type { ConfigValue } from '../../layers/index.js';

/** A variable with its gradient. */
export interface VariableGrad {
  readonly variable: PrivateVariable;
  readonly grad: Tensor;
}

export abstract class Optimizer {
  /** The tfjs class name. */
  abstract get className(): string;
  /** Replaces each variable's shares with the updated value (tf.train's applyGradients). */
  applyGradients(pairs: readonly VariableGrad[]): void {
    this.applyScaled(pairs.map(({ variable, grad }) => ({ variable, grad: asSecret(grad, this.className).mul(this.learningRate) })));
  }
  /**
   * The same update from gradients already multiplied by the learning rate:
   * fit folds the rate into the loss's gradient (a public factor, exact in
   * the math), which saves a product and a truncation per weight.
   */
  abstract applyScaled(pairs: readonly VariableGrad[]): void;
  abstract readonly learningRate: number;
  /** The optimizer's config in tfjs's field names. */
  abstract getConfig(): Record<string, ConfigValue>;
}

function checkRate(v: number, what: string, where: string): void {
  check(typeof v === 'number' && Number.isFinite(v) && v > 0, () => `${where}: ${what} must be a positive number, got ${String(v)}`);
}

function asSecret(t: Tensor, where: string): SecretTensor {
  check(t.kind !== 'public', () => `${where}: a gradient is public; expected a private one`);
  return t;
}

/** tf.train.sgd: w <- w - learningRate * g. */
export class SGDOptimizer extends Optimizer {
  constructor(readonly learningRate: number) {
    super();
    checkRate(learningRate, 'learningRate', 'sgd');
  }
  get className(): string {
    return 'SGD';
  }
  applyScaled(pairs: readonly VariableGrad[]): void {
    for (const { variable, grad } of pairs) variable.assign(variable.sub(asSecret(grad, 'sgd')));
  }
  getConfig(): Record<string, ConfigValue> {
    return { learningRate: this.learningRate };
  }
}

/**
 * tf.train.momentum: v <- momentum * v + g; w <- w - learningRate * v, or with
 * Nesterov w <- w - learningRate * (g + momentum * v). Kept as the scaled
 * velocity learningRate * v, so one product by the public momentum per weight.
 */
export class MomentumOptimizer extends Optimizer {
  private readonly velocity = new Map<PrivateVariable, PrivateVariable>();

  constructor(
    readonly learningRate: number,
    readonly momentum: number,
    readonly useNesterov = false,
  ) {
    super();
    checkRate(learningRate, 'learningRate', 'momentum');
    check(typeof momentum === 'number' && momentum >= 0 && momentum < 1, () => `momentum: momentum must be in [0, 1), got ${String(momentum)}`);
  }
  get className(): string {
    return 'Momentum';
  }
  applyScaled(pairs: readonly VariableGrad[]): void {
    for (const { variable, grad } of pairs) {
      const g = asSecret(grad, 'momentum');
      const old = this.velocity.get(variable);
      const v = old === undefined ? g : old.mul(this.momentum).add(g);
      if (old === undefined) this.velocity.set(variable, variableOf(variable, v));
      else old.assign(v);
      variable.assign(variable.sub(this.useNesterov ? g.add(v.mul(this.momentum)) : v));
    }
  }
  getConfig(): Record<string, ConfigValue> {
    return { learningRate: this.learningRate, momentum: this.momentum, useNesterov: this.useNesterov };
  }
}

/** A new private variable of the protocol of `like`, holding `value`. */
function variableOf(like: PrivateVariable, value: SecretTensor): PrivateVariable {
  const prot = like.protocol;
  check(isProtocol(prot), () => 'optimizer: the variable does not belong to a tfe protocol');
  return prot.definePrivateVariable(value);
}

/** Optimizer factories with tfjs's argument order, as `tfe.train.sgd(0.1)`. */
export const train = {
  sgd: (learningRate: number): SGDOptimizer => new SGDOptimizer(learningRate),
  momentum: (learningRate: number, momentum: number, useNesterov = false): MomentumOptimizer => new MomentumOptimizer(learningRate, momentum, useNesterov),
};
