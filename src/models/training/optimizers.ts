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
  /** The factor fit folds into the loss's gradient before applyScaled (the learning rate, or 1). */
  get gradientScale(): number {
    return this.learningRate;
  }
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
  private rate: number;

  constructor(learningRate: number) {
    super();
    checkRate(learningRate, 'learningRate', 'sgd');
    this.rate = learningRate;
  }
  get learningRate(): number {
    return this.rate;
  }
  /**
   * Changes the learning rate from the next step on, as tfjs's
   * `SGDOptimizer.setLearningRate` (a schedule: call it from `onEpochBegin`).
   */
  setLearningRate(learningRate: number): void {
    checkRate(learningRate, 'learningRate', `${this.className.toLowerCase()}.setLearningRate`);
    this.rescale(learningRate / this.rate);
    this.rate = learningRate;
  }
  /** Hook for state kept multiplied by the rate (momentum's velocity). */
  protected rescale(_factor: number): void {}
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
export class MomentumOptimizer extends SGDOptimizer {
  private readonly velocity = new Map<PrivateVariable, PrivateVariable>();

  constructor(
    learningRate: number,
    readonly momentum: number,
    readonly useNesterov = false,
  ) {
    super(learningRate);
    check(typeof momentum === 'number' && momentum >= 0 && momentum < 1, () => `momentum: momentum must be in [0, 1), got ${String(momentum)}`);
  }
  override get className(): string {
    return 'Momentum';
  }
  /** The velocity is kept as learningRate * v: a new rate rescales it (one product per weight, once), so v itself carries over as in tfjs. */
  protected override rescale(factor: number): void {
    if (factor === 1) return;
    for (const v of this.velocity.values()) v.assign(v.mul(factor));
  }
  override applyScaled(pairs: readonly VariableGrad[]): void {
    for (const { variable, grad } of pairs) {
      const g = asSecret(grad, 'momentum');
      const old = this.velocity.get(variable);
      const v = old === undefined ? g : old.mul(this.momentum).add(g);
      if (old === undefined) this.velocity.set(variable, variableOf(variable, v));
      else old.assign(v);
      variable.assign(variable.sub(this.useNesterov ? g.add(v.mul(this.momentum)) : v));
    }
  }
  override getConfig(): Record<string, ConfigValue> {
    return { learningRate: this.learningRate, momentum: this.momentum, useNesterov: this.useNesterov };
  }
}

/** A new private variable of the protocol of `like`, holding `value`. */
function variableOf(like: PrivateVariable, value: SecretTensor): PrivateVariable {
  const prot = like.protocol;
  check(isProtocol(prot), () => 'optimizer: the variable does not belong to a tfe protocol');
  return prot.definePrivateVariable(value);
}

/** The second moment is kept multiplied by 2^(2 SCALE_BITS): gradients of 1e-3 square to 1e-6, one unit at 20 fractional bits. */
const SCALE_BITS = 10;
/** Added to the scaled second moment: invSqrt's domain starts at 2^-8 (an epsilon of 2^-14 on the unscaled root). */
const FLOOR = 2 ** -8;
/** Newton steps of Adam's inverse square root (see invSqrtAll). */
const ADAM_NEWTON_STEPS = 3;

/**
 * tf.train.adam: m <- b1 m + (1 - b1) g, v <- b2 v + (1 - b2) g^2,
 * w <- w - lr sqrt(1 - b2^t) / (1 - b1^t) m / (sqrt(v) + epsilon). The square
 * root's inverse is the protocol's invSqrt (exact comparisons and Newton
 * steps) on v scaled by 2^20 plus 2^-8: the epsilon is max(epsilon, 2^-14)
 * in effect. One invSqrt for all variables per step (three Newton steps).
 */
export class AdamOptimizer extends Optimizer {
  private readonly m = new Map<PrivateVariable, PrivateVariable>();
  private readonly v = new Map<PrivateVariable, PrivateVariable>();
  private step = 0;

  constructor(
    readonly learningRate = 0.001,
    readonly beta1 = 0.9,
    readonly beta2 = 0.999,
    readonly epsilon = 1e-7,
  ) {
    super();
    checkRate(learningRate, 'learningRate', 'adam');
    for (const [name, b] of [['beta1', beta1], ['beta2', beta2]] as const) check(typeof b === 'number' && b >= 0 && b < 1, () => `adam: ${name} must be in [0, 1), got ${String(b)}`);
    checkRate(epsilon, 'epsilon', 'adam');
  }
  get className(): string {
    return 'Adam';
  }
  /** Adam's step does not scale with the gradient: fit hands it unscaled gradients. */
  override get gradientScale(): number {
    return 1;
  }
  applyScaled(pairs: readonly VariableGrad[]): void {
    if (pairs.length === 0) return;
    this.step += 1;
    const t = this.step;
    const rate = (this.learningRate * Math.sqrt(1 - this.beta2 ** t)) / (1 - this.beta1 ** t);
    const moments = pairs.map(({ variable, grad }) => {
      const g = asSecret(grad, 'adam');
      const gs = g.mul(2 ** SCALE_BITS);
      const m = update(this.m, variable, (old) => old.add(g.sub(old).mul(1 - this.beta1)), () => g.mul(1 - this.beta1));
      const v = update(this.v, variable, (old) => old.add(gs.square().sub(old).mul(1 - this.beta2)), () => gs.square().mul(1 - this.beta2));
      return { variable, m, v };
    });
    // m / sqrt(v) = m * invSqrt(v 2^20) * 2^10, with one invSqrt for every variable at once (one
    // sequence of rounds and larger messages instead of one per variable).
    const floor = Math.max(FLOOR, (this.epsilon * 2 ** SCALE_BITS) ** 2);
    const inv = invSqrtAll(moments.map(({ v }) => v.add(floor)));
    for (const [k, { variable, m }] of moments.entries()) variable.assign(variable.sub(m.mul(inv[k]).mul(rate * 2 ** SCALE_BITS)));
  }
  override applyGradients(pairs: readonly VariableGrad[]): void {
    this.applyScaled(pairs);
  }
  getConfig(): Record<string, ConfigValue> {
    return { learningRate: this.learningRate, beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon };
  }
}

/**
 * invSqrt of each tensor, as one op on their concatenation. Three Newton
 * steps: within 2^-15 relative (InvSqrtOptions), far below what moves Adam's
 * step, for three products per weight less than the default's four.
 */
function invSqrtAll(xs: readonly SecretTensor[]): SecretTensor[] {
  const options = { newtonSteps: ADAM_NEWTON_STEPS };
  if (xs.length === 1) return [asSecret(xs[0].invSqrt(options), 'adam')];
  const prot = xs[0].protocol;
  check(isProtocol(prot), () => 'adam: the moments do not belong to a tfe protocol');
  const flat = xs.map((x) => asSecret(x.reshape([x.size]), 'adam'));
  const all = asSecret(asSecret(prot.concat(flat, 0), 'adam').invSqrt(options), 'adam');
  let offset = 0;
  return xs.map((x) => {
    const part = asSecret(all.slice([offset], [x.size]).reshape(x.shape), 'adam');
    offset += x.size;
    return part;
  });
}

/** Replaces a moment's value (a new private variable on the first step). */
function update(moments: Map<PrivateVariable, PrivateVariable>, variable: PrivateVariable, next: (old: PrivateVariable) => SecretTensor, first: () => SecretTensor): SecretTensor {
  const old = moments.get(variable);
  if (old === undefined) {
    const created = variableOf(variable, first());
    moments.set(variable, created);
    return created;
  }
  old.assign(next(old));
  return old;
}

/** Optimizer factories with tfjs's argument order, as `tfe.train.sgd(0.1)`. */
export const train = {
  adam: (learningRate?: number, beta1?: number, beta2?: number, epsilon?: number): AdamOptimizer => new AdamOptimizer(learningRate, beta1, beta2, epsilon),
  sgd: (learningRate: number): SGDOptimizer => new SGDOptimizer(learningRate),
  momentum: (learningRate: number, momentum: number, useNesterov = false): MomentumOptimizer => new MomentumOptimizer(learningRate, momentum, useNesterov),
};
