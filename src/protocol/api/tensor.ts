/**
 * The base of every protocol's tensor classes: the public fields and the
 * fluent methods. Each fluent method is `this.protocol.run(op, [this, ...args])`,
 * installed once per op name by the protocol that implements the op table, so
 * an op is never written again as a method.
 */
import { fmt, sizeOf, type Shape } from '../../ring/index.js';
import type { OpName, OpRunner, OpSignatures, Tensor, TensorKind } from './ops.js';

// The class merges with the interface below, which types the installed fluent methods.
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export abstract class SecureTensorBase<K extends TensorKind> {
  abstract readonly kind: K;

  constructor(
    readonly protocol: OpRunner,
    readonly shape: Shape,
  ) {}

  /** Fractional bits of the fixed-point encoding (0 for integers). */
  abstract get fracBits(): number;

  get size(): number {
    return sizeOf(this.shape);
  }

  get rank(): number {
    return this.shape.length;
  }

  toString(): string {
    // Never the value: private tensors are shares.
    return `${this.kind[0].toUpperCase()}${this.kind.slice(1)}Tensor(shape=${fmt(this.shape)}, fracBits=${this.fracBits})`;
  }
}

// The fluent methods exist on the prototype (installFluentOps); this merge
// gives them their types. A subclass picks its own result types by S.
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface SecureTensorBase<K extends TensorKind> extends OpSignatures<KindTensor<K>> {}

/** The secure tensor type of kind `K`: what a fluent op of a tensor of that kind returns. */
export type KindTensor<K extends TensorKind> = Extract<Tensor, { kind: K }>;

/** Gives every secure tensor the fluent form of each op in `names` (idempotent). */
export function installFluentOps(names: readonly OpName[]): void {
  for (const name of names) {
    if (Object.prototype.hasOwnProperty.call(SecureTensorBase.prototype, name)) continue;
    Object.defineProperty(SecureTensorBase.prototype, name, {
      value: function fluent(this: SecureTensorBase<TensorKind>, ...args: unknown[]): Tensor {
        return this.protocol.run(name, [this, ...args]);
      },
      writable: false,
      enumerable: false,
      configurable: false,
    });
  }
}
