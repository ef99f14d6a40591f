/**
 * A graph of layers, as tf.model({ inputs, outputs }): any DAG with several
 * inputs and outputs, merge layers, and shared layers (one layer applied at
 * several nodes keeps one set of weights). Nodes run in creation order, which
 * is a topological order (a symbolic tensor is made after its inputs);
 * independent branches are issued one after the other but their protocol
 * rounds overlap, since ops only wait for their own operands.
 */
import type * as tf from '@tensorflow/tfjs';
import { check, ShapeError, ValueError } from '../errors.js';
import type { Layer} from '../layers/index.js';
import { checkReluMode, concrete, fmtLayerShape, InputLayer, SymbolicTensor, type CallOptions, type LayerShape, type LayerTensor, type ReluMode } from '../layers/index.js';
import { addCosts, isProtocol, NO_COST, type OpCost, type PrivateTensor, type Protocol } from '../protocol/api/index.js';
import { inputList, type LayersModel, type ModelBuildOptions, type ModelConfig, type ModelInputs, type ModelTensor, type PredictOptions, type SummaryRow } from './model.js';
import { printSummary } from './summary.js';
import type { ModelGraph } from './tfjs-architecture.js';
import { toTfjs } from './to-tfjs.js';
import { sharesHandler, type SharesIOHandler, type SharesSaveResult } from './shares-router.js';
import { TrainableLayersModel } from './training/trainable.js';

/** Arguments of {@link model}. */
export interface FunctionalArgs {
  /** The model's inputs (from `tfe.input`). */
  inputs: SymbolicTensor | readonly SymbolicTensor[];
  /** The model's outputs: symbolic tensors computed from the inputs. */
  outputs: SymbolicTensor | readonly SymbolicTensor[];
  name?: string;
  /** ReLU for layers that do not choose: 'exact' (default) or 'approximate'. */
  reluMode?: ReluMode;
}

/** A functional model's config: the layers and, per layer, where its inputs come from (tfjs's inboundNodes). */
export interface FunctionalConfig extends ModelConfig {
  readonly layers: ReadonlyArray<{ readonly className: string; readonly name: string; readonly config: ReturnType<Layer['getConfig']>; readonly inboundNodes: string[][] }>;
  readonly inputLayers: readonly string[];
  readonly outputLayers: readonly string[];
}

const asList = <T>(v: T | readonly T[]): readonly T[] => (Array.isArray(v) ? (v as readonly T[]) : [v as T]);

export class Functional extends TrainableLayersModel implements LayersModel {
  readonly name: string;
  readonly reluMode: ReluMode | undefined;
  readonly inputs: readonly SymbolicTensor[];
  readonly outputs: readonly SymbolicTensor[];
  /** Every symbolic tensor the outputs depend on, inputs first, in topological order. */
  private readonly nodes: readonly SymbolicTensor[];
  private readonly layerList: readonly Layer[];
  private prot: Protocol | undefined;

  constructor(args: FunctionalArgs) {
    super();
    this.name = args.name ?? 'model';
    this.reluMode = checkReluMode(args.reluMode, this.name);
    const inputs = asList(args.inputs);
    const outputs = asList(args.outputs);
    check(inputs.length > 0 && inputs.every((x) => x instanceof SymbolicTensor && x.sourceLayer instanceof InputLayer), () => `${this.name}: inputs must be a non-empty list of tfe.input() tensors`);
    check(outputs.length > 0 && outputs.every((x) => x instanceof SymbolicTensor), () => `${this.name}: outputs must be a non-empty list of symbolic tensors (a layer applied to tfe.input())`);
    check(new Set(inputs).size === inputs.length, () => `${this.name}: an input is listed twice`);
    const names = inputs.map((x) => x.sourceLayer.name);
    check(new Set(names).size === names.length, () => `${this.name}: input names must be distinct, got ${names.join(', ')}`);
    this.inputs = inputs;
    this.outputs = outputs;
    this.nodes = reachable(this.name, inputs, outputs);
    const layers: Layer[] = [];
    for (const n of this.nodes) if (!layers.includes(n.sourceLayer)) layers.push(n.sourceLayer);
    const seen = new Map<string, Layer>();
    for (const l of layers) {
      const other = seen.get(l.name);
      if (other !== undefined && other !== l) throw new ValueError(`${this.name}: two different layers are named '${l.name}'; layer names must be unique in a model`);
      seen.set(l.name, l);
    }
    this.layerList = layers;
  }

  /** The layers, input layers first, in the order of first use. */
  get layers(): readonly Layer[] {
    return this.layerList;
  }

  /** The input names (the input layers' names), the keys `predict` accepts in a record. */
  get inputNames(): string[] {
    return this.inputs.map((x) => x.sourceLayer.name);
  }

  /** Input shapes, batch null. */
  get inputShapes(): LayerShape[] {
    return this.inputs.map((x) => x.shape);
  }

  /** Output shapes, batch null. */
  get outputShapes(): LayerShape[] {
    return this.outputs.map((x) => x.shape);
  }

  /**
   * Creates every layer's weights as private variables shared by their owner
   * (a shared layer once). Shapes were checked when the graph was made.
   */
  build(prot: Protocol, options: ModelBuildOptions = {}): void {
    check(this.prot === undefined, () => `${this.name}: the model is already built`);
    check(options.inputShape === undefined, () => `${this.name}: a functional model takes its input shapes from tfe.input(), not build({ inputShape })`);
    const owner = options.weightsOwner ?? prot.defaultOwner;
    prot.config.player(owner, `${this.name}.build`);
    const provider = options.weights;
    for (const n of this.nodes) {
      const i = this.layerList.indexOf(n.sourceLayer);
      const shapes = n.inputs.length === 0 ? [n.shape] : n.inputs.map((x) => x.shape);
      n.sourceLayer.buildFor(prot, shapes, {
        owner,
        ...(provider === undefined ? {} : { weights: (w: number, shape: readonly number[]) => provider(i, w, shape) }),
      });
    }
    this.prot = prot;
  }

  /** The private prediction of a model with one output; see {@link Functional.predictOutputs} for several. */
  predict(x: ModelInputs, options: PredictOptions = {}): PrivateTensor {
    if (this.outputs.length !== 1) {
      throw new ValueError(`${this.name}.predict: the model has ${this.outputs.length} outputs (${this.outputs.map((o) => o.name).join(', ')}); predictOutputs(x) returns them as a list`);
    }
    return this.predictOutputs(x, options)[0];
  }

  /** Every output, in the order of the model's outputs. */
  predictOutputs(x: ModelInputs, options: PredictOptions = {}): PrivateTensor[] {
    const where = `${this.name}.predict`;
    const xs = inputList(x, this.inputNames, where);
    if (this.prot === undefined) {
      const prot = xs[0].protocol;
      check(isProtocol(prot), () => `${where}: the input is not a tensor of a tfe protocol`);
      this.build(prot);
    }
    const batch = xs[0].shape[0];
    xs.forEach((t, i) => {
      check(t.protocol === this.prot, () => `${where}: input '${this.inputNames[i]}' belongs to another protocol instance than the model's weights`);
      const want = this.inputs[i].shape;
      if (t.rank !== want.length || want.some((d, j) => j > 0 && d !== null && d !== t.shape[j]) || t.shape[0] !== batch) {
        throw new ShapeError(`${where}: expected input '${this.inputNames[i]}' of shape ${fmtLayerShape(want)} with the batch of the other inputs (${batch}), got [${t.shape.join(',')}]`);
      }
    });
    const size = options.batchSize ?? batch;
    check(Number.isInteger(size) && size > 0, () => `${where}: batchSize must be a positive integer, got ${String(options.batchSize)}`);
    if (size >= batch) return this.forward(xs);
    const chunks: PrivateTensor[][] = [];
    for (let start = 0; start < batch; start += size) {
      const n = Math.min(size, batch - start);
      chunks.push(this.forward(xs.map((t) => t.slice([start, ...t.shape.slice(1).map(() => 0)], [n, ...t.shape.slice(1)]))));
    }
    return this.outputs.map((_, o) => chunks[0][o].concat(chunks.slice(1).map((c) => c[o]), 0));
  }

  /** The forward pass of a built model with one input and one output (training uses it): `{ training: true }` for training mode. */
  override apply(x: PrivateTensor, options: CallOptions = {}): PrivateTensor {
    check(this.prot !== undefined, () => `${this.name}.apply: build the model first`);
    check(this.inputs.length === 1 && this.outputs.length === 1, () => `${this.name}: training supports models with one input and one output; this one has ${this.inputs.length} and ${this.outputs.length}`);
    return this.forward([x], undefined, options)[0];
  }

  /** The protocol the model is built on (undefined before build). */
  get protocol(): Protocol | undefined {
    return this.prot;
  }

  /** Input shape of a one-input model (batch null). */
  get inputShape(): LayerShape {
    return this.inputs[0].shape;
  }

  /** Output shape of a one-output model (batch null). */
  get outputShape(): LayerShape {
    check(this.outputs.length === 1, () => `${this.name}: the model has ${this.outputs.length} outputs`);
    return this.outputs[0].shape;
  }

  /** The graph: its inputs and outputs (what rebuilding it in tfjs walks). */
  get graph(): ModelGraph {
    return { kind: 'functional', inputs: this.inputs, outputs: this.outputs };
  }

  /**
   * A plaintext tf.model with this graph and the current weights, on `owner`
   * only (undefined in other processes): give a trained model back to its owner.
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

  private get callOptions(): CallOptions {
    return this.reluMode === undefined ? {} : { reluMode: this.reluMode };
  }

  /** Runs every node once, in topological order; `each` sees each node's op cost when estimating. */
  private forward(xs: readonly ModelTensor[], each?: (node: SymbolicTensor, run: () => LayerTensor) => LayerTensor, options: CallOptions = {}): PrivateTensor[] {
    const callOptions = { ...this.callOptions, ...options };
    const values = new Map<SymbolicTensor, LayerTensor>();
    this.inputs.forEach((input, i) => values.set(input, xs[i]));
    for (const n of this.nodes) {
      if (values.has(n)) continue;
      const args = n.inputs.map((x) => values.get(x) as LayerTensor);
      const run = (): LayerTensor => n.sourceLayer.apply(args, callOptions);
      values.set(n, each === undefined ? run() : each(n, run));
    }
    return this.outputs.map((o, i) => {
      const v = values.get(o) as LayerTensor;
      if (v.kind === 'public') throw new ValueError(`${this.name}.predict: output ${i} is an input of the model (public); outputs must be computed by layers`);
      return v;
    });
  }

  /** Each layer's cost for a batch, from the protocol's op table (after a first pass masks the weights). */
  private layerCosts(prot: Protocol, batchSize: number): Map<Layer, OpCost> {
    const est = prot.costEstimator();
    const placeholders = (): PrivateTensor[] => this.inputs.map((x) => est.input(concrete(x.shape, batchSize)));
    est.cost(() => this.forward(placeholders()));
    const costs = new Map<Layer, OpCost>();
    const xs = placeholders();
    this.forward(xs, (node, run) => {
      const { result, cost } = est.cost(run);
      costs.set(node.sourceLayer, addCosts([costs.get(node.sourceLayer) ?? NO_COST, cost]));
      return result;
    });
    return costs;
  }

  countParams(): number {
    return this.layerList.reduce((acc, l) => acc + l.countParams(), 0);
  }

  /** One row per layer: its first node's output shape, its parameters, its cost summed over its nodes, its inbound layers. */
  summaryRows(batchSize = 1): SummaryRow[] {
    const costs = this.prot === undefined ? undefined : this.layerCosts(this.prot, batchSize);
    return this.layerList.map((l) => {
      const nodes = this.nodes.filter((n) => n.sourceLayer === l);
      const first = nodes[0];
      const inShapes = first.inputs.length === 0 ? [first.shape] : first.inputs.map((x) => x.shape);
      return {
        name: l.name,
        className: l.className,
        outputShape: first.shape,
        params: l.built ? l.countParams() : l.weightShapesFor(inShapes).reduce((a, s) => a + s.reduce((p, d) => p * d, 1), 0),
        cost: costs === undefined ? undefined : (costs.get(l) ?? NO_COST),
        trainable: l.trainable,
        ...(l.built ? { nonTrainableParams: l.countParams() - l.trainableWeights.reduce((a, w) => a + w.size, 0) } : {}),
        connectedTo: nodes.flatMap((n) => n.inputs.map((x) => x.name)),
      };
    });
  }

  /** tfjs's summary table with the protocol cost of each layer and a "Connected to" column. */
  summary(batchSize = 1, print: (line: string) => void = (l) => globalThis.console.log(l)): void {
    printSummary(this.summaryRows(batchSize), batchSize, print);
  }

  /** tfjs-style config: layers with their inbound layers, the input and output layers. */
  getConfig(): FunctionalConfig {
    return {
      name: this.name,
      layers: this.layerList.map((l) => ({
        className: l.className,
        name: l.name,
        config: l.getConfig(),
        inboundNodes: this.nodes.filter((n) => n.sourceLayer === l && n.inputs.length > 0).map((n) => n.inputs.map((x) => x.name)),
      })),
      inputLayers: this.inputNames,
      outputLayers: this.outputs.map((o) => o.name),
    };
  }
}

/** The nodes the outputs depend on, in topological order; every leaf must be one of the inputs. */
function reachable(name: string, inputs: readonly SymbolicTensor[], outputs: readonly SymbolicTensor[]): SymbolicTensor[] {
  const found = new Set<SymbolicTensor>(inputs);
  const stack = [...outputs];
  while (stack.length > 0) {
    const t = stack.pop() as SymbolicTensor;
    if (found.has(t)) continue;
    if (t.inputs.length === 0) {
      throw new ValueError(`${name}: the outputs depend on input '${t.name}', which is not among the model's inputs (${inputs.map((x) => x.name).join(', ')})`);
    }
    found.add(t);
    stack.push(...t.inputs);
  }
  return [...found].sort((a, b) => a.id - b.id);
}

/**
 * A graph of layers, as tf.model: the inputs from `tfe.input`, the outputs
 * from applying layers to them.
 *
 * @example
 * const a = tfe.input({ shape: [16] });
 * const b = tfe.input({ shape: [16] });
 * const shared = tfe.layers.dense({ units: 8, activation: 'relu' });
 * const out = tfe.layers.dense({ units: 1 }).apply(tfe.layers.concatenate().apply([shared.apply(a), shared.apply(b)]));
 * const model = tfe.model({ inputs: [a, b], outputs: out });
 * const y = model.predict([xa, xb]);
 */
export function model(args: FunctionalArgs): Functional {
  return new Functional(args);
}
