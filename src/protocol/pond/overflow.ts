/**
 * Overflow warnings on revealed values. Fixed point in Z_2^64 wraps silently:
 * a sum past 2^(63-f) or a product whose untruncated word passes 2^62 (so
 * |x * y| >= 2^(62-2f)) decodes to a wrong value, with no error. The receiver
 * can still spot the symptom: wrapped results tend to land far out, near the
 * encodable limit, and a value at or past the product bound cannot have come
 * out of an exact product. See docs/precision.md.
 */
import { productBound } from '../../ring/fixed-point.js';

/** Which bound a revealed value reached. */
export type OverflowBoundKind = 'product' | 'encodable';

/** A warning that a revealed value is near the fixed-point limits. */
export interface OverflowWarning {
  /** Operation that produced the warning (e.g. 'reveal'). */
  readonly operation: string;
  /** 'product': |v| >= 2^(62-2f), 'encodable': |v| >= 2^(62-f). */
  readonly kind: OverflowBoundKind;
  /** The exponent e of the bound 2^e that was reached. */
  readonly boundLog2: number;
  /** Fractional bits of the revealed value. */
  readonly fracBits: number;
  /** Shape of the revealed tensor. */
  readonly shape: readonly number[];
  /** Human-readable summary: the operation and the bound, never a value. */
  readonly message: string;
}

/** Receiver of overflow warnings (PondOptions.onWarning). */
export type OverflowWarningHandler = (w: OverflowWarning) => void;

interface WarningProcess {
  emitWarning(message: string, options: { type: string; code: string }): void;
}

/**
 * Default handler: `process.emitWarning` in Node (so `--no-warnings` and
 * `process.on('warning')` apply), `console.warn` in the browser.
 */
export function defaultWarningHandler(w: OverflowWarning): void {
  const proc = (globalThis as { process?: Partial<WarningProcess> }).process;
  if (proc !== undefined && typeof proc.emitWarning === 'function') proc.emitWarning(w.message, { type: 'OverflowWarning', code: 'TFE_OVERFLOW' });
  // eslint-disable-next-line no-console -- the browser has no process.emitWarning; the message carries no value
  else console.warn(`OverflowWarning: ${w.message}`);
}

/**
 * The warning a revealed value deserves, if any: the largest magnitude is
 * compared with half the encodable bound 2^(62-f) (wrapped garbage lands
 * there with probability about 1/2 per element), then with the product
 * bound 2^(62-2f). Only the kind of bound reached is reported.
 */
export function overflowWarning(operation: string, values: ArrayLike<number>, shape: readonly number[], fracBits: number): OverflowWarning | undefined {
  let max = 0;
  for (let i = 0; i < values.length; i++) {
    const a = Math.abs(values[i]!);
    if (a > max) max = a;
  }
  const encodableLog2 = 62 - fracBits;
  const productLog2 = 62 - 2 * fracBits;
  let kind: OverflowBoundKind;
  let boundLog2: number;
  if (max >= 2 ** encodableLog2) [kind, boundLog2] = ['encodable', encodableLog2];
  else if (fracBits > 0 && max >= productBound(fracBits)) [kind, boundLog2] = ['product', productLog2];
  else return undefined;
  const why =
    kind === 'encodable'
      ? `within a factor 2 of the encodable limit 2^${63 - fracBits}: likely a wrapped (overflowed) result`
      : `at or past the product bound 2^${productLog2}: a product giving or using it is not exact (|x*y| must stay below 2^${productLog2})`;
  const message = `${operation}: a revealed value of shape [${shape.join(', ')}] has |v| >= 2^${boundLog2} with ${fracBits} fractional bits, ${why}. Scale inputs down or use fewer fracBits; checkRanges finds the op (see docs/precision.md).`;
  return { operation, kind, boundLog2, fracBits, shape: [...shape], message };
}
