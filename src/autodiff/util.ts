/** Small tools of the gradient rules: telling tensors apart, undoing broadcasts, public constants. */
import { NotImplementedError } from '../errors.js';
import type { Shape } from '../ring/index.js';
import { isProtocol, type Protocol, type Tensor } from '../protocol/api/index.js';

/** Whether an op argument is a secure tensor (not a number, an array or options). */
export function isTensor(a: unknown): a is Tensor {
  return typeof a === 'object' && a !== null && !Array.isArray(a) && 'kind' in a && 'protocol' in a;
}

/** The protocol of a tensor, for the public constants a rule needs. */
export function protocolOf(x: Tensor, op: string): Protocol {
  const p = x.protocol;
  if (!isProtocol(p)) throw new NotImplementedError(`${op} gradient: the tensor's runner is not a tfe protocol`);
  return p;
}

/** Sums a gradient over the dimensions a broadcast added or stretched, back to `shape`. */
export function unbroadcast(g: Tensor, shape: Shape): Tensor {
  if (g.rank === shape.length && g.shape.every((d, i) => d === shape[i])) return g;
  const lead = g.rank - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < g.rank; i++) if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) axes.push(i);
  return axes.length === 0 ? g : g.sum(axes).reshape([...shape]);
}

/** The permutation that undoes `perm`. */
export function inversePerm(perm: readonly number[]): number[] {
  const inv = new Array<number>(perm.length);
  perm.forEach((p, i) => {
    inv[p] = i;
  });
  return inv;
}
