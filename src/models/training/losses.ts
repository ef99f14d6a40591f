/**
 * Losses as tfjs names them, with where their gradient starts. Softmax and
 * cross-entropy are fused: the gradient with respect to the logits is
 * (softmax - y) / batch, so the backward pass skips the softmax and the log.
 * The loss value itself is computed only when someone is to learn it.
 */
import { check, NotImplementedError, ValueError } from '../../errors.js';
import type { OpRecord, PrivateTensor, Tensor } from '../../protocol/api/index.js';

export const LOSSES = ['meanSquaredError', 'binaryCrossentropy', 'categoricalCrossentropy', 'sparseCategoricalCrossentropy'] as const;
/** tfjs's loss names. */
export type LossIdentifier = (typeof LOSSES)[number];

/** A loss for `compile`: a tfjs name, or one with options (`tfe.losses.categoricalCrossentropy({ fromLogits: true })`). */
export interface LossSpec {
  readonly name: LossIdentifier;
  /** The model outputs logits (no final softmax or sigmoid): the loss applies it. */
  readonly fromLogits: boolean;
}

const ALIASES: Readonly<Record<string, LossIdentifier>> = {
  mse: 'meanSquaredError',
  MSE: 'meanSquaredError',
  meanSquaredError: 'meanSquaredError',
  mean_squared_error: 'meanSquaredError',
  binaryCrossentropy: 'binaryCrossentropy',
  binary_crossentropy: 'binaryCrossentropy',
  categoricalCrossentropy: 'categoricalCrossentropy',
  categorical_crossentropy: 'categoricalCrossentropy',
  sparseCategoricalCrossentropy: 'sparseCategoricalCrossentropy',
  sparse_categorical_crossentropy: 'sparseCategoricalCrossentropy',
};

/** Validates a loss given to compile. */
export function toLossSpec(loss: unknown): LossSpec {
  if (typeof loss === 'string' && ALIASES[loss] !== undefined) return { name: ALIASES[loss], fromLogits: false };
  if (typeof loss === 'object' && loss !== null && typeof (loss as LossSpec).name === 'string' && (LOSSES as readonly string[]).includes((loss as LossSpec).name)) {
    const spec = loss as LossSpec;
    check(typeof spec.fromLogits === 'boolean', () => `compile: loss '${spec.name}': fromLogits must be a boolean`);
    return { name: spec.name, fromLogits: spec.fromLogits };
  }
  if (typeof loss === 'function') throw new NotImplementedError('compile: custom loss functions are not supported by fit yet; use tfe.grads with your loss, or one of: ' + LOSSES.join(', '));
  throw new ValueError(`compile: unknown loss ${JSON.stringify(loss)}; supported: ${LOSSES.join(', ')} (tfjs names; mse and snake_case aliases too)`);
}

/** Loss factories with options, as `tfe.losses.X({ fromLogits })`. */
export const losses = {
  meanSquaredError: (): LossSpec => ({ name: 'meanSquaredError', fromLogits: false }),
  binaryCrossentropy: (options: { fromLogits?: boolean } = {}): LossSpec => ({ name: 'binaryCrossentropy', fromLogits: options.fromLogits ?? false }),
  categoricalCrossentropy: (options: { fromLogits?: boolean } = {}): LossSpec => ({ name: 'categoricalCrossentropy', fromLogits: options.fromLogits ?? false }),
  sparseCategoricalCrossentropy: (options: { fromLogits?: boolean } = {}): LossSpec => ({ name: 'sparseCategoricalCrossentropy', fromLogits: options.fromLogits ?? false }),
};

/** The activation a cross-entropy needs at the model's end, when not fromLogits. */
export function requiredActivation(spec: LossSpec): 'softmax' | 'sigmoid' | undefined {
  if (spec.fromLogits || spec.name === 'meanSquaredError') return undefined;
  return spec.name === 'binaryCrossentropy' ? 'sigmoid' : 'softmax';
}

/** Where the backward pass of one batch starts. */
export interface LossStart {
  /** The tensor the gradient is given for (the logits when fused, else the prediction). */
  readonly start: Tensor;
  readonly dStart: Tensor;
  /** The records to run backwards (the fused activation removed). */
  readonly records: readonly OpRecord[];
  /** The batch's mean loss, private (computes it: call only when someone learns it). */
  value(): PrivateTensor;
}

/**
 * The start of the backward pass for `spec` on a batch: yPred is the model's
 * output, yTrue the labels (one-hot for the cross-entropies), records the tape
 * of the forward pass.
 */
export function lossStart(spec: LossSpec, records: readonly OpRecord[], yPred: PrivateTensor, yTrue: PrivateTensor, scale = 1): LossStart {
  const batch = yPred.shape[0];
  const last = records[records.length - 1];
  if (spec.name === 'meanSquaredError') {
    const diff = yPred.sub(yTrue);
    return { start: yPred, dStart: diff.mul((2 * scale) / yPred.size), records, value: () => diff.square().mean() };
  }
  const activation = spec.name === 'binaryCrossentropy' ? 'sigmoid' : 'softmax';
  let logits: PrivateTensor;
  let probs: PrivateTensor;
  let rest: readonly OpRecord[];
  if (spec.fromLogits) {
    logits = yPred;
    probs = activation === 'sigmoid' ? yPred.sigmoid() : yPred.softmax();
    rest = records;
  } else {
    check(last !== undefined && last.op === activation && last.output === yPred, () => `${spec.name}: the model must end with a ${activation} activation (or compile with fromLogits: true)`);
    logits = last.args[0] as PrivateTensor;
    probs = yPred;
    rest = records.slice(0, -1);
  }
  if (activation === 'sigmoid') {
    // d/dz mean(softplus(z) - y z) = (sigmoid(z) - y) / n
    return {
      start: logits,
      dStart: probs.sub(yTrue).mul(scale / yPred.size),
      records: rest,
      // softplus(z) = max(z, 0) + log(1 + e^-|z|): exp of a non-positive value, log of a value in [1, 2].
      value: () => logits.relu().add(logits.abs().neg().exp({ upper: 0 }).add(1).log()).sub(yTrue.mul(logits)).mean(),
    };
  }
  return {
    start: logits,
    dStart: probs.sub(yTrue).mul(scale / batch),
    records: rest,
    value: () => {
      // mean over the batch of logsumexp(z) - sum(y z): log of a sum in [1, k].
      const max = logits.max(-1, true);
      const lse = logits.sub(max).exp({ upper: 0 }).sum(-1, true).log().add(max);
      return lse.sub(yTrue.mul(logits).sum(-1, true)).sum().mul(1 / batch);
    },
  };
}
