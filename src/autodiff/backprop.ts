/**
 * Reverse-mode differentiation over a tape: gradients flow from the result
 * back through the recorded ops, each op's rule run once, only for arguments
 * that depend on what is differentiated (a model's input needs none).
 */
import { ShapeError } from '../errors.js';
import type { OpRecord, Tensor } from '../protocol/api/index.js';
import { GRAD_RULES } from './rules.js';
import { isTensor } from './util.js';

/** The tensors of an argument: itself, or the tensors of a list. */
function tensorsOf(a: unknown): Tensor[] {
  if (Array.isArray(a)) return a.filter(isTensor);
  return isTensor(a) ? [a] : [];
}

/**
 * d y / d w for each of `wrt`, given dy = d loss / d y (same shape as y).
 * Undefined where y does not depend on w.
 */
export function backprop(records: readonly OpRecord[], y: Tensor, dy: Tensor, wrt: readonly Tensor[]): (Tensor | undefined)[] {
  if (dy.rank !== y.rank || dy.shape.some((d, i) => d !== y.shape[i])) {
    throw new ShapeError(`gradients: dy has shape [${dy.shape.join(',')}], the result [${y.shape.join(',')}]`);
  }
  // Forward: which tensors depend on wrt.
  const depends = new Set<Tensor>(wrt);
  for (const r of records) {
    if (r.args.some((a) => tensorsOf(a).some((t) => depends.has(t)))) depends.add(r.output);
  }
  const wrtSet = new Set<Tensor>(wrt);
  const grads = new Map<Tensor, Tensor>([[y, dy]]);
  const accumulate = (t: Tensor, g: Tensor | undefined): void => {
    if (g === undefined || !depends.has(t)) return;
    const prev = grads.get(t);
    grads.set(t, prev === undefined ? g : prev.add(g));
  };
  for (let k = records.length - 1; k >= 0; k--) {
    const r = records[k];
    const g = grads.get(r.output);
    if (g === undefined || !depends.has(r.output)) continue;
    const need = (i: number): boolean => tensorsOf(r.args[i]).some((t) => depends.has(t));
    const argGrads = GRAD_RULES[r.op](r, g, need);
    argGrads.forEach((ga, i) => {
      const a = r.args[i];
      if (Array.isArray(a)) {
        const list = (ga ?? []) as ReadonlyArray<Tensor | undefined>;
        a.forEach((t: unknown, j) => {
          if (isTensor(t)) accumulate(t, list[j]);
        });
      } else if (isTensor(a)) {
        accumulate(a, ga as Tensor | undefined);
      }
    });
    // The result's gradient is not needed any more: let it go.
    if (r.output !== y && !wrtSet.has(r.output)) grads.delete(r.output);
  }
  return wrt.map((w) => grads.get(w));
}
