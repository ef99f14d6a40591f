/**
 * Gradients of functions of secure tensors, mirroring tf.grads,
 * tf.valueAndGrads and tf.variableGrads: the function runs once with a tape
 * recording its ops, then the tape is run backwards. Everything stays
 * private: the gradients are private tensors like the values.
 */
import { check, ValueError } from '../errors.js';
import type { PrivateVariable, Tensor } from '../protocol/api/index.js';
import { backprop } from './backprop.js';
import { recordOps } from './tape.js';
import { isTensor, protocolOf } from './util.js';

/** Ones of the result's shape: the default dy, as in tfjs. */
function onesLike(y: Tensor): Tensor {
  return protocolOf(y, 'grads').definePublicVariable(new Float64Array(y.size).fill(1)).reshape([...y.shape]);
}

function checkArgs(args: readonly Tensor[], what: string): void {
  check(Array.isArray(args) && args.length > 0 && args.every(isTensor), () => `${what}: expects a non-empty list of secure tensors`);
  const p = args[0].protocol;
  check(args.every((a) => a.protocol === p), () => `${what}: all tensors must belong to one protocol instance`);
}

/** The value of f(...args) and its gradients with respect to each argument. */
export function valueAndGrads<T extends Tensor>(f: (...args: Tensor[]) => T): (args: readonly Tensor[], dy?: Tensor) => { value: T; grads: Tensor[] } {
  return (args, dy) => {
    checkArgs(args, 'valueAndGrads');
    const { result: value, tape } = recordOps(protocolOf(args[0], 'valueAndGrads'), () => f(...args));
    check(isTensor(value), () => 'valueAndGrads: f must return a secure tensor');
    const grads = backprop(tape.records, value, dy ?? onesLike(value), args);
    return {
      value,
      grads: grads.map((g, i) => {
        if (g === undefined) throw new ValueError(`valueAndGrads: the result does not depend on argument ${i}`);
        return g;
      }),
    };
  };
}

/** The gradients of f(...args) with respect to each argument (tf.grads). */
export function grads(f: (...args: Tensor[]) => Tensor): (args: readonly Tensor[], dy?: Tensor) => Tensor[] {
  const vg = valueAndGrads(f);
  return (args, dy) => vg(args, dy).grads;
}

/** The gradient of f(x) with respect to x (tf.grad). */
export function grad(f: (x: Tensor) => Tensor): (x: Tensor, dy?: Tensor) => Tensor {
  const vg = valueAndGrads((x) => f(x));
  return (x, dy) => vg([x], dy).grads[0];
}

/**
 * The value of f() and its gradients with respect to `varList` (tf.variableGrads),
 * in the order of varList; f must return a scalar (or pass dy).
 */
export function variableGrads(f: () => Tensor, varList: readonly PrivateVariable[], dy?: Tensor): { value: Tensor; grads: (Tensor | undefined)[] } {
  checkArgs(varList, 'variableGrads');
  const { result: value, tape } = recordOps(protocolOf(varList[0], 'variableGrads'), f);
  check(isTensor(value), () => 'variableGrads: f must return a secure tensor');
  return { value, grads: backprop(tape.records, value, dy ?? onesLike(value), varList) };
}
