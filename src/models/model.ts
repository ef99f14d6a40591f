/**
 * What every model has, whether a linear stack (`Sequential`) or a graph of
 * layers (`Functional`): building on a protocol, private predictions, a
 * summary with protocol costs, the config. Training treats both alike
 * through this interface.
 */
import { ValueError } from '../errors.js';
import type { Layer, LayerConfig, LayerShape } from '../layers/index.js';
import type { OpCost, PrivateTensor, Protocol, PublicTensor, TensorLike } from '../protocol/api/index.js';

/** A model input: private, or public for token ids an owner chose to make public (embedding). */
export type ModelTensor = PrivateTensor | PublicTensor;

/** What `predict` takes: one tensor, a list in the order of the model's inputs, or a record by input name (as tfjs). */
export type ModelInputs = ModelTensor | readonly ModelTensor[] | Readonly<Record<string, ModelTensor>>;

/** The value of weight `weight` of layer `layer` (index in `model.layers`), called on the weights' owner only. */
export type ModelWeightProvider = (layer: number, weight: number, shape: readonly number[]) => TensorLike | Promise<TensorLike>;

/** Options of `build`. */
export interface ModelBuildOptions {
  /** Shape of the input including the batch as null (Sequential only; default: the first layer's inputShape). */
  inputShape?: LayerShape;
  /** Who secret-shares the weights (default: the first server). */
  weightsOwner?: string;
  /** The owner's weight values (default: each layer's initialisers). */
  weights?: ModelWeightProvider;
}

/** Options of `predict`. */
export interface PredictOptions {
  /** Split the batch in chunks of this size (linear slicing, no extra cost per element). */
  batchSize?: number;
}

/** One row of a model's summary. */
export interface SummaryRow {
  readonly name: string;
  readonly className: string;
  readonly outputShape: LayerShape;
  readonly params: number;
  /** The protocol's estimate for a batch (after the first, which also masks the weights); undefined before build. */
  readonly cost: OpCost | undefined;
  /** Whether fit updates the layer's weights (false: counted as non-trainable). */
  readonly trainable?: boolean;
  /** Parameters fit does not update from gradients (a frozen layer's, batch normalization's moving statistics); default: all when not trainable. */
  readonly nonTrainableParams?: number;
  /** The layers feeding this one (functional models). */
  readonly connectedTo?: readonly string[];
}

/** A layer's entry in a model config. */
export interface LayerEntry {
  readonly className: string;
  readonly config: LayerConfig;
}

/** A model's config: its layers (functional models add the graph). */
export interface ModelConfig {
  readonly name: string;
  readonly layers: readonly LayerEntry[];
}

/** What Sequential and Functional share. */
export interface LayersModel {
  readonly name: string;
  /** The layers (a functional model's input layers included, as tfjs). */
  readonly layers: readonly Layer[];
  /** Creates every layer's weights, shared by their owner; shapes are checked before anything is shared. */
  build(prot: Protocol, options?: ModelBuildOptions): void;
  /** The private prediction of a model with one output. */
  predict(x: ModelInputs, options?: PredictOptions): PrivateTensor;
  /** Every output, in the order of the model's outputs. */
  predictOutputs(x: ModelInputs, options?: PredictOptions): PrivateTensor[];
  countParams(): number;
  summaryRows(batchSize?: number): SummaryRow[];
  summary(batchSize?: number, print?: (line: string) => void): void;
  getConfig(): ModelConfig;
}

/** Whether `v` is a secure tensor (rather than a list or a record of them). */
export function isModelTensor(v: unknown): v is ModelTensor {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && 'kind' in v && 'shape' in v && 'protocol' in v;
}

/** The tensors of `x` in the order of `names` (the model's input names). */
export function inputList(x: ModelInputs, names: readonly string[], where: string): ModelTensor[] {
  if (isModelTensor(x)) {
    if (names.length !== 1) throw new ValueError(`${where}: the model has ${names.length} inputs (${names.join(', ')}); pass a list or a record of them`);
    return [x];
  }
  if (Array.isArray(x)) {
    const list = x as readonly unknown[];
    if (list.length !== names.length) throw new ValueError(`${where}: expected ${names.length} input tensors (${names.join(', ')}), got a list of ${list.length}`);
    return list.map((v, i) => {
      if (!isModelTensor(v)) throw new ValueError(`${where}: input ${i} (${names[i]}) is not a tensor of a tfe protocol`);
      return v;
    });
  }
  const record = x as Readonly<Record<string, unknown>>;
  const extra = Object.keys(record).filter((k) => !names.includes(k));
  if (extra.length > 0) throw new ValueError(`${where}: unknown input names ${extra.join(', ')}; the model's inputs are ${names.join(', ')}`);
  return names.map((n) => {
    const v = record[n];
    if (!isModelTensor(v)) throw new ValueError(`${where}: no tensor for input '${n}'; the model's inputs are ${names.join(', ')}`);
    return v;
  });
}

/** The one tensor of a single-input model's `predict` argument (a tensor, a one-element list or a one-entry record). */
export function singleInput(x: ModelInputs, where: string): ModelTensor {
  if (isModelTensor(x)) return x;
  if (Array.isArray(x)) return inputList(x, ['input'], where)[0];
  const keys = Object.keys(x);
  if (keys.length !== 1) throw new ValueError(`${where}: the model has one input; got a record of ${keys.length} tensors`);
  return inputList(x, keys, where)[0];
}
