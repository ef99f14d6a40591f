/**
 * The base of every layer, following tfjs-layers: the constructor validates
 * the config, `build(prot, inputShape, options)` creates the weights as
 * private variables secret-shared by their owner, `call` computes on private
 * tensors, `computeOutputShape` answers shapes without computing.
 *
 * Shapes follow tfjs: the batch dimension is `null`.
 */
import type * as tf from '@tensorflow/tfjs';
import { check, NotImplementedError, ShapeError } from '../errors.js';
import { sizeOf } from '../ring/index.js';
import type { PrivateTensor, PrivateVariable, Protocol, TensorLike } from '../protocol/api/index.js';

/** A tfjs-style shape; the batch dimension is `null`. */
export type LayerShape = readonly (number | null)[];

/** A serialisable layer config, as `getConfig()` returns it. */
export type ConfigValue = string | number | boolean | null | readonly ConfigValue[] | { readonly [key: string]: ConfigValue };
export type LayerConfig = Record<string, ConfigValue>;

/** Arguments every layer accepts. */
export interface LayerArgs {
  /** Unique name (default: class name plus a counter, as tfjs). */
  name?: string;
  /** Shape of one sample, for the first layer of a model (without the batch). */
  inputShape?: readonly number[];
}

/**
 * The value of weight `index` (of `shape`), called only in the process of the
 * weights' owner; every other process needs the shapes only.
 */
export type WeightProvider = (index: number, shape: readonly number[]) => TensorLike | Promise<TensorLike>;

/** How a layer builds its weights. */
export interface BuildOptions {
  /** The player that secret-shares the weights. */
  owner: string;
  /** The owner's values (default: the layer's initialisers). */
  weights?: WeightProvider;
}

/** Options that hold for a whole forward pass (a model's settings). */
export interface CallOptions {
  /** 'exact' ReLU (default) or the 'approximate' polynomial, for layers that do not say. */
  reluMode?: 'exact' | 'approximate';
  /** Training mode (dropout drops; default false: inference). */
  training?: boolean;
  /**
   * Public randomness for training-mode layers (dropout masks): `n` uniform
   * numbers in [0, 1), the same on every player (a stream of a public seed).
   */
  publicUniform?: (n: number) => Float64Array;
}

const counters = new Map<string, number>();

/** tfjs-style default names: dense_1, dense_2, ... (names only, no protocol state). */
function defaultName(className: string): string {
  const base = className.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
  const n = (counters.get(base) ?? 0) + 1;
  counters.set(base, n);
  return `${base}_${n}`;
}

export abstract class Layer {
  /** The tfjs class name (`Dense`, `Conv2D`, ...). */
  abstract get className(): string;
  readonly name: string;
  /** Sample shape given to the first layer of a model. */
  readonly inputShape: readonly number[] | undefined;
  private variables: PrivateVariable[] | undefined;
  private builtShape: LayerShape | undefined;

  constructor(args: LayerArgs, className: string) {
    check(args.name === undefined || (typeof args.name === 'string' && args.name.length > 0), () => `${className}: name must be a non-empty string`);
    if (args.inputShape !== undefined) {
      check(
        Array.isArray(args.inputShape) && args.inputShape.every((d) => Number.isInteger(d) && d > 0),
        () => `${className}: inputShape must be a list of positive integers, got ${JSON.stringify(args.inputShape)}`,
      );
    }
    this.name = args.name ?? defaultName(className);
    this.inputShape = args.inputShape;
  }

  /** Whether `build` has run. */
  get built(): boolean {
    return this.builtShape !== undefined;
  }

  /** The private weights (after build), in tfjs order. */
  get weights(): readonly PrivateVariable[] {
    if (this.variables === undefined) throw new Error(`${this.name}: the layer is not built yet`);
    return this.variables;
  }

  /** Shapes of the weights for an input shape (none by default). */
  weightShapes(_inputShape: LayerShape): number[][] {
    return [];
  }

  /** Initial value of weight `index` when none is given (run on the owner only). */
  protected initialWeight(index: number, shape: readonly number[]): tf.Tensor | Float64Array {
    void index;
    return new Float64Array(sizeOf(shape));
  }

  /** Output shape for an input shape; throws a ShapeError for inputs the layer cannot take. */
  abstract computeOutputShape(inputShape: LayerShape): LayerShape;

  /** The forward pass on a private batch (the layer is built). */
  protected abstract call(x: PrivateTensor, options: CallOptions): PrivateTensor;

  /** Whether fit updates this layer's weights (as tfjs's `layer.trainable`; set it false to fine-tune the layers after it). */
  trainable = true;

  /** The layer's config in tfjs's field names. */
  getConfig(): LayerConfig {
    return { name: this.name };
  }

  /**
   * Creates the weights: each is a private variable whose value the owner
   * provides (from `options.weights`, or the initialisers) and secret-shares.
   */
  build(prot: Protocol, inputShape: LayerShape, options: BuildOptions): void {
    this.computeOutputShape(inputShape);
    const provider = options.weights ?? ((i: number, shape: readonly number[]) => this.initialWeight(i, shape));
    this.variables = this.weightShapes(inputShape).map((shape, i) =>
      prot.definePrivateVariable(async () => provider(i, shape), { owner: options.owner, shape }),
    );
    this.builtShape = inputShape;
  }

  /** Checks the input shape against the built one, then runs the forward pass. */
  apply(x: PrivateTensor, options: CallOptions = {}): PrivateTensor {
    if (this.builtShape === undefined) throw new Error(`${this.name}: build the layer before calling it`);
    const expected = this.builtShape;
    if (x.rank !== expected.length || expected.some((d, i) => d !== null && d !== x.shape[i])) {
      throw new ShapeError(`${this.name} (${this.className}): expected input of shape [${expected.map((d) => d ?? 'null').join(',')}], got [${x.shape.join(',')}]`);
    }
    return this.call(x, options);
  }

  /** Number of weight values. */
  countParams(): number {
    if (this.builtShape === undefined) return 0;
    return this.weightShapes(this.builtShape).reduce((acc, s) => acc + sizeOf(s), 0);
  }
}

/** Concrete sizes of a LayerShape with its batch filled in. */
export function concrete(shape: LayerShape, batch: number): number[] {
  return shape.map((d) => d ?? batch);
}

/** Renders a LayerShape as tfjs's summary does: [null,28,28,1]. */
export function fmtLayerShape(shape: LayerShape): string {
  return `[${shape.map((d) => (d === null ? 'null' : String(d))).join(',')}]`;
}

/** [height, width, channels] of an NHWC input shape; a ShapeError names `where` otherwise. */
export function imageDims(shape: LayerShape, where: string): [number, number, number] {
  const [, h, w, c] = shape;
  if (shape.length !== 4 || h === null || w === null || c === null) throw new ShapeError(`${where}: input must be [batch, height, width, channels], got [${shape.join(',')}]`);
  return [h, w, c];
}

/** tfjs's dataFormat: only channelsLast (NHWC) is computed. */
export function checkChannelsLast(dataFormat: unknown, where: string): void {
  if (dataFormat !== undefined && dataFormat !== 'channelsLast') throw new NotImplementedError(`${where}: dataFormat '${String(dataFormat)}' is not supported; supported: channelsLast`);
}
