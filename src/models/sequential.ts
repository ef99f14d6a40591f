/**
 * A linear stack of layers on private tensors, as tf.sequential: `predict`
 * takes a private batch and returns a private batch; `summary` prints tfjs's
 * table with the protocol cost of each layer.
 */
import { check, ShapeError } from '../errors.js';
import type * as tf from '@tensorflow/tfjs';
import { checkReluMode, concrete, fmtLayerShape, Layer, type CallOptions, type LayerShape, type ReluMode } from '../layers/index.js';
import { isProtocol, type OpCost, type PrivateTensor, type Protocol } from '../protocol/api/index.js';
import { singleInput, type LayersModel, type ModelBuildOptions, type ModelConfig, type ModelInputs, type ModelTensor, type PredictOptions, type SummaryRow } from './model.js';
import { printSummary } from './summary.js';
import type { ModelGraph } from './tfjs-architecture.js';
import { toTfjs } from './to-tfjs.js';
import { sharesHandler, type SharesIOHandler, type SharesSaveResult } from './shares-router.js';
import { TrainableLayersModel } from './training/trainable.js';

/** Arguments of {@link sequential}. */
export interface SequentialArgs {
  layers?: readonly Layer[];
  name?: string;
  /** ReLU for layers that do not choose: 'exact' (default) or 'approximate'. */
  reluMode?: ReluMode;
}

export type { ModelWeightProvider, ModelBuildOptions, PredictOptions, SummaryRow } from './model.js';

export class Sequential extends TrainableLayersModel implements LayersModel {
  readonly name: string;
  readonly reluMode: ReluMode | undefined;
  private readonly stack: Layer[] = [];
  private prot: Protocol | undefined;
  private input: LayerShape | undefined;

  constructor(args: SequentialArgs = {}) {
    super();
    this.name = args.name ?? 'sequential';
    this.reluMode = checkReluMode(args.reluMode, `${this.name}`);
    for (const l of args.layers ?? []) this.add(l);
  }

  /** The layers, in order. */
  get layers(): readonly Layer[] {
    return this.stack;
  }

  /** Appends a layer (before the model is built). */
  add(layer: Layer): void {
    check(layer instanceof Layer, () => `${this.name}: add() takes a tfe layer, got ${typeof layer}`);
    check(this.prot === undefined, () => `${this.name}: cannot add layers after the model is built`);
    check(!this.stack.some((l) => l.name === layer.name), () => `${this.name}: a layer named '${layer.name}' is already in the model`);
    this.stack.push(layer);
  }

  /** Input shape (batch null), once known. */
  get inputShape(): LayerShape | undefined {
    if (this.input !== undefined) return this.input;
    const first = this.stack[0]?.inputShape;
    return first === undefined ? undefined : [null, ...first];
  }

  /** Output shape of each layer for the model's input shape. */
  private shapes(input: LayerShape): LayerShape[] {
    const out: LayerShape[] = [];
    let shape = input;
    for (const l of this.stack) {
      shape = l.computeOutputShape(shape);
      out.push(shape);
    }
    return out;
  }

  /** Output shape of the model. */
  get outputShape(): LayerShape {
    const input = this.inputShape;
    check(input !== undefined, () => `${this.name}: the input shape is unknown; give the first layer an inputShape or call build()`);
    const shapes = this.shapes(input);
    return shapes[shapes.length - 1] ?? input;
  }

  /**
   * Creates every layer's weights as private variables shared by their owner.
   * Shapes are checked first, so a bad model fails before anything is shared.
   */
  build(prot: Protocol, options: ModelBuildOptions = {}): void {
    check(this.prot === undefined, () => `${this.name}: the model is already built`);
    check(this.stack.length > 0, () => `${this.name}: the model has no layers`);
    const input = options.inputShape ?? this.inputShape;
    check(input !== undefined, () => `${this.name}: the input shape is unknown; give the first layer an inputShape or pass build({ inputShape })`);
    const owner = options.weightsOwner ?? prot.defaultOwner;
    prot.config.player(owner, `${this.name}.build`);
    const shapes = this.shapes(input);
    this.stack.forEach((layer, i) => {
      const provider = options.weights;
      layer.build(prot, i === 0 ? input : shapes[i - 1], {
        owner,
        ...(provider === undefined ? {} : { weights: (w: number, shape: readonly number[]) => provider(i, w, shape) }),
      });
    });
    this.prot = prot;
    this.input = input;
  }

  /**
   * Private predictions for a private batch (built on first use with x's
   * protocol). `x` may also be a one-element list or record, as tfjs allows,
   * or a public tensor of token ids for a model starting with an embedding.
   */
  predict(inputs: ModelInputs, options: PredictOptions = {}): PrivateTensor {
    const x = singleInput(inputs, `${this.name}.predict`);
    if (this.prot === undefined) {
      const prot = x.protocol;
      check(isProtocol(prot), () => `${this.name}.predict: the input is not a tensor of a tfe protocol`);
      this.build(prot, { inputShape: [null, ...x.shape.slice(1)] });
    }
    check(x.protocol === this.prot, () => `${this.name}.predict: the input belongs to another protocol instance than the model's weights`);
    const input = this.input as LayerShape;
    if (x.rank !== input.length || input.some((d, i) => i > 0 && d !== x.shape[i])) {
      throw new ShapeError(`${this.name}.predict: expected input of shape ${fmtLayerShape(input)}, got [${x.shape.join(',')}]`);
    }
    const batch = x.shape[0];
    const size = options.batchSize ?? batch;
    check(Number.isInteger(size) && size > 0, () => `${this.name}.predict: batchSize must be a positive integer, got ${String(options.batchSize)}`);
    if (size >= batch) return this.forward(x);
    const outputs: PrivateTensor[] = [];
    for (let start = 0; start < batch; start += size) {
      outputs.push(this.forward(x.slice([start, ...x.shape.slice(1).map(() => 0)], [Math.min(size, batch - start), ...x.shape.slice(1)])));
    }
    return outputs[0].concat(outputs.slice(1), 0);
  }

  /** The one output, as a list (what training and functional models use). */
  predictOutputs(x: ModelInputs, options: PredictOptions = {}): PrivateTensor[] {
    return [this.predict(x, options)];
  }

  private get callOptions(): { reluMode?: ReluMode } {
    return this.reluMode === undefined ? {} : { reluMode: this.reluMode };
  }

  private forward(x: ModelTensor, options: CallOptions = {}): PrivateTensor {
    const merged = { ...this.callOptions, ...options };
    const [first, ...rest] = this.stack;
    return rest.reduce((h, layer) => layer.apply(h, merged), first.apply(x, merged));
  }

  /** The forward pass on a private batch (the model is built): training mode with `{ training: true }`. */
  override apply(x: PrivateTensor, options: CallOptions = {}): PrivateTensor {
    check(this.prot !== undefined, () => `${this.name}.apply: build the model first`);
    return this.forward(x, options);
  }

  /** The protocol the model is built on (undefined before build). */
  get protocol(): Protocol | undefined {
    return this.prot;
  }

  /** The graph: a linear stack on the input shape. */
  get graph(): ModelGraph {
    return { kind: 'sequential', inputShape: this.inputShape };
  }

  /**
   * A plaintext tf.LayersModel with this architecture and the current
   * weights, on `owner` only (undefined in other processes): give a trained
   * model back to its owner.
   */
  toTfjs(owner: string): Promise<tf.LayersModel | undefined> {
    return toTfjs(this, owner);
  }

  /**
   * Saves this process's shares of the weights, like tfjs `model.save`: a
   * `SharesIOHandler` or a URL ('file://<folder>' once 'tfjs-encrypted/node'
   * is imported). Every player calls it; each server writes only its own
   * shares; a process holding no shares writes nothing and resolves with
   * `written: []`. Optimizer state is not saved.
   */
  async save(handlerOrUrl: string | SharesIOHandler): Promise<SharesSaveResult> {
    return sharesHandler(handlerOrUrl).save(this);
  }

  /**
   * Each layer's cost for a batch, from the protocol's op table: a first
   * estimated pass masks the weights (as the first real batch does), then
   * each layer is estimated on a fresh input.
   */
  private layerCosts(prot: Protocol, input: LayerShape, batchSize: number): OpCost[] {
    const est = prot.costEstimator();
    const shape = concrete(input, batchSize);
    est.cost(() => this.forward(est.input(shape)));
    let h = est.input(shape);
    return this.stack.map((layer) => {
      const { result, cost } = est.cost(() => layer.apply(h, this.callOptions));
      h = result;
      return cost;
    });
  }

  /** Total number of weight values (once built). */
  countParams(): number {
    return this.stack.reduce((acc, l) => acc + l.countParams(), 0);
  }

  /** The rows of {@link Sequential.summary}: shapes, parameters and cost for a batch of `batchSize`. */
  summaryRows(batchSize = 1): SummaryRow[] {
    const input = this.inputShape;
    check(input !== undefined, () => `${this.name}: the input shape is unknown; give the first layer an inputShape or call build()`);
    const shapes = this.shapes(input);
    const costs = this.prot === undefined ? undefined : this.layerCosts(this.prot, input, batchSize);
    return this.stack.map((l, i) => ({
      name: l.name,
      className: l.className,
      outputShape: shapes[i],
      params: l.built ? l.countParams() : l.weightShapes(i === 0 ? input : shapes[i - 1]).reduce((a, s) => a + s.reduce((p, d) => p * d, 1), 0),
      cost: costs?.[i],
      trainable: l.trainable,
      ...(l.built ? { nonTrainableParams: l.countParams() - l.trainableWeights.reduce((a, w) => a + w.size, 0) } : {}),
    }));
  }

  /**
   * Prints tfjs's summary table with three more columns: the protocol cost of
   * each layer for a batch of `batchSize` (triples dealt, rounds, bytes sent by
   * all players) and the totals.
   */
  summary(batchSize = 1, print: (line: string) => void = (l) => globalThis.console.log(l)): void {
    printSummary(this.summaryRows(batchSize), batchSize, print);
  }

  /** tfjs-style config: the layers' configs. */
  getConfig(): ModelConfig & { layers: Array<{ className: string; config: ReturnType<Layer['getConfig']> }> } {
    return { name: this.name, layers: this.stack.map((l) => ({ className: l.className, config: l.getConfig() })) };
  }
}

/** A linear stack of layers, as tf.sequential. */
export function sequential(args: SequentialArgs = {}): Sequential {
  return new Sequential(args);
}
