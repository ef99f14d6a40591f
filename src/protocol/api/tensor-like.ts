/**
 * Values users hand to the protocol: a tf.Tensor, a number, nested arrays, or
 * a typed array with a declared shape. Converted to float64 plus a shape.
 */
import * as tf from '@tensorflow/tfjs';
import { check, checkShape } from '../../errors.js';
import { fmt, sizeOf } from '../../ring/index.js';

/** Nested arrays of numbers, as tf.tensor accepts. */
export type NestedArray = number | NestedArray[];

/** Anything the protocol turns into a tensor. */
export type TensorLike = tf.Tensor | NestedArray | Float64Array | Float32Array | Int32Array;

/** Real values with their shape. */
export interface Float64Values {
  readonly shape: readonly number[];
  readonly values: Float64Array;
}

function inferShape(v: NestedArray): number[] {
  const shape: number[] = [];
  let cur: NestedArray = v;
  while (Array.isArray(cur)) {
    shape.push(cur.length);
    if (cur.length === 0) break;
    cur = cur[0];
  }
  return shape;
}

function flatten(v: NestedArray, shape: readonly number[], depth: number, out: number[], context: string): void {
  if (depth === shape.length) {
    check(typeof v === 'number', () => `${context}: expected a number at depth ${depth} of nested arrays of shape ${fmt(shape)}`);
    out.push(v);
    return;
  }
  check(Array.isArray(v) && v.length === shape[depth], () => `${context}: nested arrays are not rectangular; expected ${shape[depth]} entries at depth ${depth} of shape ${fmt(shape)}`);
  for (const x of v) flatten(x, shape, depth + 1, out, context);
}

function fromSync(value: TensorLike, declared: readonly number[] | undefined, context: string, tensorValues: () => ArrayLike<number>): Float64Values {
  let shape: readonly number[];
  let values: Float64Array;
  if (value instanceof tf.Tensor) {
    shape = value.shape;
    values = Float64Array.from(tensorValues());
  } else if (value instanceof Float64Array || value instanceof Float32Array || value instanceof Int32Array) {
    shape = declared ?? [value.length];
    checkShape(sizeOf(shape) === value.length, () => `${context}: shape ${fmt(shape)} needs ${sizeOf(shape)} values, the typed array has ${value.length}`);
    values = Float64Array.from(value);
  } else if (typeof value === 'number' || Array.isArray(value)) {
    shape = inferShape(value);
    const flat: number[] = [];
    flatten(value, shape, 0, flat, context);
    values = Float64Array.from(flat);
  } else {
    throw new TypeError(`${context}: expected a tf.Tensor, a number, nested arrays of numbers or a typed array, got ${typeof value}`);
  }
  if (declared !== undefined) {
    checkShape(
      declared.length === shape.length && declared.every((d, i) => d === shape[i]),
      () => `${context}: the value has shape ${fmt(shape)} but shape ${fmt(declared)} was declared`,
    );
  }
  return { shape, values };
}

/** Converts synchronously (tf.Tensor via dataSync). */
export function toFloat64(value: TensorLike, declared: readonly number[] | undefined, context: string): Float64Values {
  return fromSync(value, declared, context, () => (value as tf.Tensor).dataSync());
}

/** Converts, reading a tf.Tensor asynchronously (does not block a GPU backend). */
export async function toFloat64Async(value: TensorLike, declared: readonly number[] | undefined, context: string): Promise<Float64Values> {
  const data = value instanceof tf.Tensor ? await value.data() : undefined;
  return fromSync(value, declared, context, () => data as ArrayLike<number>);
}

/** The shape of a value, without converting it. */
export function shapeOf(value: TensorLike, context: string): readonly number[] {
  if (value instanceof tf.Tensor) return value.shape;
  if (value instanceof Float64Array || value instanceof Float32Array || value instanceof Int32Array) return [value.length];
  if (typeof value !== 'number' && !Array.isArray(value)) {
    throw new TypeError(`${context}: expected a tf.Tensor, a number, nested arrays of numbers or a typed array, got ${typeof value}`);
  }
  return inferShape(value);
}

/** A float32 tf.Tensor from float64 values (tfjs computes in float32). */
export function toTfTensor(v: Float64Values): tf.Tensor {
  return tf.tensor(Float32Array.from(v.values), [...v.shape], 'float32');
}
