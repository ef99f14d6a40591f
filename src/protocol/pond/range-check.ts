/**
 * The `checkRanges` debug option: before a product is used, the servers
 * check with the secure comparisons that every secret operand satisfies
 * |x| < 2^((62-2f)/2), which keeps each elementwise product below the
 * product bound 2^(62-2f) (docs/precision.md). Per operand: abs (the relu
 * adder), the max tournament, one comparison, and one opened bit, "some
 * element is out of range", revealed to the two servers only. A failed
 * check fails the product's result (and so whatever depends on it) with an
 * OverflowError. Conservative (dot products may still add up past the
 * bound) and slow: a debugging aid, off by default.
 */
import { OverflowError } from '../../errors.js';
import { Placed } from '../placed.js';
import * as compare from './compare.js';
import { publicScalar, type PondContext } from './context.js';
import { reduceMax } from './select.js';
import { revealTo } from './sharing.js';
import { PondPrivateTensor, type PondTensor } from './tensors.js';

/** Ops whose result is a truncated product of their operands. */
export const PRODUCT_OPS: ReadonlySet<string> = new Set(['mul', 'square', 'matmul', 'conv2d', 'conv2dBackpropInput', 'conv2dBackpropFilter', 'conv2dTranspose']);

/** The exponent of the per-operand bound: floor((62 - 2f) / 2). */
export function operandBoundLog2(fracBits: number): number {
  return Math.floor((62 - 2 * fracBits) / 2);
}

/**
 * `out` with its shares made to wait for the range check of `operands`
 * (the secret ones; public ones are known to everybody), or `out` itself
 * when there is nothing to check.
 */
export function withRangeCheck(ctx: PondContext, op: string, operands: readonly unknown[], out: PondTensor): PondTensor {
  const secret = operands.filter((a): a is PondTensor => a instanceof Object && 'kind' in a && (a.kind === 'private' || a.kind === 'masked'));
  if (secret.length === 0 || out.kind !== 'private') return out;
  const boundLog2 = operandBoundLog2(ctx.fracBits);
  const bound = publicScalar(ctx, 2 ** boundLog2, ctx.fracBits);
  const bits = secret.map((x) => {
    const m = reduceMax(ctx, compare.abs(ctx, x) as PondPrivateTensor);
    return revealTo(ctx, compare.greaterEqual(ctx, m, bound), ctx.servers);
  });
  const shapes = secret.map((x) => x.shape);
  const shares = ([0, 1] as const).map((i) => {
    const server = ctx.servers[i];
    const share = out.shares[i];
    if (!share.isLocal) return share;
    const checked = (async () => {
      for (const b of bits) {
        const v = await b.values.get(server)!.value();
        if (v.values[0] !== 0) throw new OverflowError(op, shapes, boundLog2, ctx.fracBits);
      }
      return share.value();
    })();
    return Placed.local(server, checked);
  });
  return new PondPrivateTensor(ctx.prot, out.shape, [shares[0]!, shares[1]!], out.fracBits);
}
