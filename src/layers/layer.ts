/**
 * The base of every layer, following tfjs-layers: the constructor validates
 * the config, `build(prot, inputShape, options)` creates the weights as
 * private variables secret-shared by their owner, `call` computes on private
 * tensors, `computeOutputShape` answers shapes without computing.
 *
 * Shapes follow tfjs: the batch dimension is `null`.
 */
import type * as tf from '@tensorflow/tfjs';
import { check, NotImplementedError, ShapeError, ValueError } from '../errors.js';
import { sizeOf } from '../ring/index.js';
import type { PrivateTensor, PrivateVariable, Protocol, PublicTensor, TensorLike } from '../protocol/api/index.js';

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

/**
 * A placeholder for a layer's output in a functional model (tf.SymbolicTensor):
 * a shape and the node that produces it (the layer and its symbolic inputs).
 * `tfe.input({ shape })` makes the graph's inputs; `layer.apply(symbolic)`
 * adds a node.
 */
export class SymbolicTensor {
  private static nextId = 0;
  /** Unique within the process, in creation order (a topological order). */
  readonly id: number;
  constructor(
    /** The shape, batch first as null. */
    readonly shape: LayerShape,
    /** The layer that produces it. */
    readonly sourceLayer: Layer,
    /** The layer's inputs at this node (none for an input layer). */
    readonly inputs: readonly SymbolicTensor[],
  ) {
    this.id = SymbolicTensor.nextId++;
  }

  get rank(): number {
    return this.shape.length;
  }

  /** tfjs-style name: the layer's name and the node index. */
  get name(): string {
    return this.sourceLayer.name;
  }
}

/** What a layer computes on: a private tensor, or a public one for layers that take public inputs (embedding ids). */
export type LayerTensor = PrivateTensor | PublicTensor;

function isSymbolic(x: unknown): x is SymbolicTensor {
  return x instanceof SymbolicTensor;
}

function sameShape(a: LayerShape, b: LayerShape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

export abstract class Layer {
  /** The tfjs class name (`Dense`, `Conv2D`, ...). */
  abstract get className(): string;
  readonly name: string;
  /** Sample shape given to the first layer of a model. */
  readonly inputShape: readonly number[] | undefined;
  private variables: PrivateVariable[] | undefined;
  /** The input shapes the layer was built for (a shared layer has several). */
  private builtShapes: (readonly LayerShape[])[] | undefined;
  private builtBy: Protocol | undefined;

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
    return this.builtShapes !== undefined;
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

  /** Shapes of the weights for the layer's inputs (merge layers have several inputs). */
  weightShapesFor(inputShapes: readonly LayerShape[]): number[][] {
    this.checkInputCount(inputShapes.length);
    return this.weightShapes(inputShapes[0]);
  }

  /** Initial value of weight `index` when none is given (run on the owner only). */
  protected initialWeight(index: number, shape: readonly number[]): tf.Tensor | Float64Array {
    void index;
    return new Float64Array(sizeOf(shape));
  }

  /** Output shape for an input shape; throws a ShapeError for inputs the layer cannot take. */
  abstract computeOutputShape(inputShape: LayerShape): LayerShape;

  /**
   * Output shape for the layer's inputs: one for most layers (checked here),
   * several for merge layers (which override this).
   */
  outputShapeFor(inputShapes: readonly LayerShape[]): LayerShape {
    this.checkInputCount(inputShapes.length);
    return this.computeOutputShape(inputShapes[0]);
  }

  /** Throws unless the layer takes `n` inputs (one, but for merge layers). */
  protected checkInputCount(n: number): void {
    if (n !== 1) throw new ValueError(`${this.name} (${this.className}): takes one input, got ${n}`);
  }

  /** The forward pass on a private batch (the layer is built). */
  protected abstract call(x: PrivateTensor, options: CallOptions): PrivateTensor;

  /** Whether fit updates this layer's weights (as tfjs's `layer.trainable`; set it false to fine-tune the layers after it). */
  trainable = true;

  /**
   * The weights fit updates from gradients (tfjs's `layer.trainableWeights`):
   * all of them while `trainable`, none otherwise. A layer with statistics it
   * updates itself (batch normalization's moving mean and variance) leaves
   * those out.
   */
  get trainableWeights(): readonly PrivateVariable[] {
    return this.trainable && this.built ? this.weights : [];
  }

  /** The forward pass on several inputs (merge layers override it). */
  protected callMany(xs: readonly PrivateTensor[], options: CallOptions): PrivateTensor {
    return this.call(xs[0], options);
  }

  /** The forward pass on a public input: refused, but by layers that take public inputs (embedding). */
  protected callPublic(_x: PublicTensor, _options: CallOptions): PrivateTensor {
    throw new ValueError(`${this.name} (${this.className}): takes a private input, got a public tensor (only an Embedding takes public ids)`);
  }

  /** The layer's config in tfjs's field names. */
  getConfig(): LayerConfig {
    return { name: this.name };
  }

  /**
   * Creates the weights: each is a private variable whose value the owner
   * provides (from `options.weights`, or the initialisers) and secret-shares.
   */
  build(prot: Protocol, inputShape: LayerShape, options: BuildOptions): void {
    this.buildFor(prot, [inputShape], options);
  }

  /**
   * {@link Layer.build} for the layer's inputs (several for merge layers).
   * Building again with the same protocol adds a use of a shared layer: the
   * weights stay, and their shapes must agree.
   */
  buildFor(prot: Protocol, inputShapes: readonly LayerShape[], options: BuildOptions): void {
    this.outputShapeFor(inputShapes);
    const shapes = this.weightShapesFor(inputShapes);
    if (this.builtShapes !== undefined && this.builtBy === prot && this.variables !== undefined) {
      const have = this.variables.map((v) => v.shape);
      if (have.length !== shapes.length || have.some((s, i) => !sameShape(s, shapes[i]))) {
        throw new ShapeError(`${this.name} (${this.className}): a shared layer needs weights of the same shapes; built with [${have.map(fmtShape).join(', ')}], this use needs [${shapes.map(fmtShape).join(', ')}]`);
      }
      if (!this.builtShapes.some((b) => b.length === inputShapes.length && b.every((s, i) => sameShape(s, inputShapes[i])))) this.builtShapes.push(inputShapes);
      return;
    }
    const provider = options.weights ?? ((i: number, shape: readonly number[]) => this.initialWeight(i, shape));
    this.variables = shapes.map((shape, i) => prot.definePrivateVariable(async () => provider(i, shape), { owner: options.owner, shape }));
    this.builtShapes = [inputShapes];
    this.builtBy = prot;
  }

  /**
   * On symbolic tensors (`tfe.input`, another layer's output): a node of a
   * functional model, with its output shape. On private tensors: checks the
   * input shapes against the built ones, then runs the forward pass.
   */
  apply(x: SymbolicTensor | readonly SymbolicTensor[]): SymbolicTensor;
  apply(x: LayerTensor | readonly LayerTensor[], options?: CallOptions): PrivateTensor;
  apply(x: SymbolicTensor | readonly SymbolicTensor[] | LayerTensor | readonly LayerTensor[], options: CallOptions = {}): SymbolicTensor | PrivateTensor {
    const xs: readonly unknown[] = Array.isArray(x) ? x : [x];
    if (xs.length > 0 && xs.every(isSymbolic)) {
      const inputs = xs as readonly SymbolicTensor[];
      return new SymbolicTensor(this.outputShapeFor(inputs.map((s) => s.shape)), this, inputs);
    }
    if (xs.some(isSymbolic)) throw new ValueError(`${this.name} (${this.className}): inputs mix symbolic and concrete tensors`);
    return this.applyTensors(xs as readonly LayerTensor[], options);
  }

  private applyTensors(xs: readonly LayerTensor[], options: CallOptions): PrivateTensor {
    if (this.builtShapes === undefined) throw new Error(`${this.name}: build the layer before calling it`);
    this.checkInputCount(xs.length);
    const fits = (shapes: readonly LayerShape[]): boolean =>
      shapes.length === xs.length && shapes.every((s, j) => xs[j].rank === s.length && s.every((d, i) => d === null || d === xs[j].shape[i]));
    if (!this.builtShapes.some(fits)) {
      const expected = this.builtShapes.map((shapes) => shapes.map(fmtLayerShape).join(' and ')).join(' or ');
      throw new ShapeError(`${this.name} (${this.className}): expected input of shape ${expected}, got ${xs.map((t) => `[${t.shape.join(',')}]`).join(' and ')}`);
    }
    if (xs.length === 1 && xs[0].kind === 'public') return this.callPublic(xs[0], options);
    const priv = xs.map((t) => {
      if (t.kind === 'public') throw new ValueError(`${this.name} (${this.className}): takes private inputs, got a public tensor`);
      return t;
    });
    return priv.length === 1 ? this.call(priv[0], options) : this.callMany(priv, options);
  }

  /** Number of weight values. */
  countParams(): number {
    if (this.variables === undefined) return 0;
    return this.variables.reduce((acc, v) => acc + v.size, 0);
  }
}

function fmtShape(s: readonly number[]): string {
  return `[${s.join(',')}]`;
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
