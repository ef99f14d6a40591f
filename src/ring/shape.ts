/** Shapes: public, plain arrays of non-negative integers, row-major. */
import { checkShape, ShapeError } from '../errors.js';

export type Shape = readonly number[];

/** Renders a shape as tfjs does: `[2,3]`. */
export function fmt(shape: Shape): string {
  return `[${shape.join(',')}]`;
}

/** Number of elements of a shape (1 for a scalar). */
export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Throws unless every dimension is a non-negative safe integer. */
export function assertValidShape(shape: Shape, context: string): void {
  for (const d of shape) {
    checkShape(Number.isSafeInteger(d) && d >= 0, () => `${context}: invalid shape ${fmt(shape)}; dimensions must be non-negative integers`);
  }
}

/** Row-major strides, in elements. */
export function stridesOf(shape: Shape): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

export function shapesEqual(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * Numpy/tfjs broadcasting: dimensions are aligned from the right and each pair
 * must be equal or contain a 1.
 */
export function broadcastShapes(a: Shape, b: Shape, op: string): number[] {
  const rank = Math.max(a.length, b.length);
  const out = new Array<number>(rank);
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new ShapeError(`${op}: shapes ${fmt(a)} and ${fmt(b)} cannot be broadcast together`);
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Normalises a possibly negative axis; throws when out of range. */
export function normalizeAxis(axis: number, rank: number, op: string): number {
  checkShape(Number.isInteger(axis) && axis >= -rank && axis < rank, () => `${op}: axis ${axis} is out of range for rank ${rank}`);
  return axis < 0 ? axis + rank : axis;
}

/**
 * Resolves a reshape target with at most one -1 against `size` elements.
 */
export function resolveReshape(from: Shape, to: Shape, op = 'reshape'): number[] {
  const size = sizeOf(from);
  const out = [...to];
  const unknown = out.indexOf(-1);
  checkShape(out.lastIndexOf(-1) === unknown, () => `${op}: at most one dimension of ${fmt(to)} may be -1`);
  if (unknown >= 0) {
    const known = out.reduce((p, d, i) => (i === unknown ? p : p * d), 1);
    checkShape(known > 0 && size % known === 0, () => `${op}: cannot reshape ${fmt(from)} (${size} elements) into ${fmt(to)}`);
    out[unknown] = size / known;
  }
  assertValidShape(out, op);
  checkShape(sizeOf(out) === size, () => `${op}: cannot reshape ${fmt(from)} (${size} elements) into ${fmt(to)}`);
  return out;
}
