/**
 * Converting a plaintext tfjs model into a private one: a tf.sequential
 * becomes a tfe Sequential, any other tf.LayersModel (a DAG with several
 * inputs and outputs, merges, shared layers) a tfe Functional. Each tfjs
 * layer's class name and config map to a tfe layer (tfjs-layers.ts); an
 * unsupported layer, activation or config value is an error naming the layer,
 * the field, the value and what is supported, raised before anything is
 * shared. The weights' owner alone reads the weight values and secret-shares
 * them; every other process needs only the architecture, so on their machines
 * the model may carry any weights (for example a model rebuilt from its
 * topology).
 *
 * channelsFirst layers: the private layers compute in channelsLast, so each
 * channelsFirst tensor is transposed to channelsLast once (a Permute, local on
 * shares) and stays so through the layers that do not care (activations,
 * merges, batch normalization and concatenation with their axis moved), and is
 * transposed back only where the tfjs layout matters (a Flatten without its
 * own dataFormat, a Dense, a model output...). Users keep their model as it is.
 */
import * as tf from '@tensorflow/tfjs';
import { NotImplementedError, ValueError } from '../errors.js';
import type { SymbolicTensor} from '../layers/index.js';
import { BatchNormalization, input, Permute, type Layer, type ReluMode } from '../layers/index.js';
import type { Protocol } from '../protocol/api/index.js';
import { Functional } from './functional.js';
import { Sequential } from './sequential.js';
import { convertLayer, type Config } from './tfjs-layers.js';

export { SUPPORTED_TFJS_LAYERS } from './tfjs-layers.js';

/** Options of {@link fromTfjs}. */
export interface FromTfjsOptions {
  /** The player whose process holds the plaintext weights and shares them (default: the first server). */
  weightsOwner?: string;
  /** ReLU for the whole model: 'exact' (default) or 'approximate'. */
  reluMode?: ReluMode;
}

/**
 * Layouts of a converted tensor: as in tfjs, or, for a tensor tfjs holds
 * channelsFirst, with its channel axis (1) moved last.
 */
type Layout = 'tfjs' | 'last';

interface Converted {
  readonly t: SymbolicTensor;
  readonly layout: Layout;
}

/** Layers with a dataFormat: they read and write channelsLast tensors when tfjs's are channelsFirst. */
const DATA_FORMAT = new Set([
  'Conv2D', 'SeparableConv2D', 'DepthwiseConv2D', 'Conv2DTranspose', 'MaxPooling2D', 'AveragePooling2D',
  'GlobalAveragePooling2D', 'GlobalMaxPooling2D', 'ZeroPadding2D', 'Cropping2D', 'UpSampling2D', 'Flatten',
]);
/** Layers that compute elementwise: any layout passes through (all inputs in the same one). */
const ELEMENTWISE = new Set(['Activation', 'ReLU', 'LeakyReLU', 'ELU', 'ThresholdedReLU', 'Dropout', 'Add', 'Subtract', 'Multiply', 'Average', 'Maximum', 'Minimum']);
/** Layers with an axis field: the axis moves with the layout. */
const AXIS = new Set(['BatchNormalization', 'Concatenate', 'Softmax', 'LayerNormalization']);

/** The permutation (tfjs Permute dims, 1-based) between the layouts of a rank-r tensor. */
function permutation(rank: number, to: Layout): number[] {
  const rest = Array.from({ length: rank - 2 }, (_, i) => i + 2);
  return to === 'last' ? [...rest, 1] : [rank - 1, ...rest.map((d) => d - 1)];
}

/** Where axis `a` of a tfjs tensor of rank r sits once its channel axis moved last. */
function movedAxis(a: number, rank: number): number {
  const ax = a < 0 ? a + rank : a;
  return ax === 1 ? rank - 1 : ax >= 2 ? ax - 1 : ax;
}

/** Walks the tfjs graph from the outputs and builds the tfe graph, converting (and so validating) every layer. */
class GraphConverter {
  /** tfe layer -> the tfjs layer whose weights it takes. */
  readonly origin = new Map<Layer, tf.layers.Layer>();
  private readonly tensors = new Map<tf.SymbolicTensor, Converted>();
  private readonly layers = new Map<tf.layers.Layer, Map<string, Layer>>();
  private readonly permuted = new Map<SymbolicTensor, SymbolicTensor>();
  readonly inputs: SymbolicTensor[];

  constructor(private readonly model: tf.LayersModel) {
    this.inputs = model.inputs.map((x) => {
      const layer = x.sourceLayer;
      const cfg = layer.getConfig();
      const dtype = cfg.dtype === 'int32' ? 'int32' : 'float32';
      const t = input({ batchShape: x.shape, name: layer.name, dtype });
      this.tensors.set(x, { t, layout: 'tfjs' });
      return t;
    });
  }

  outputs(): SymbolicTensor[] {
    return this.model.outputs.map((o) => this.inLayout(this.convert(o), 'tfjs'));
  }

  /** A converted tensor in layout `want`: transposed once per tensor (the transpose is cached). */
  private inLayout(c: Converted, want: Layout): SymbolicTensor {
    if (c.layout === want || c.t.rank < 3) return c.t;
    const cached = this.permuted.get(c.t);
    if (cached !== undefined) return cached;
    const p = new Permute({ name: `${c.t.name}_to_${want === 'last' ? 'channels_last' : 'channels_first'}_${this.permuted.size + 1}`, dims: permutation(c.t.rank, want) });
    const out = p.apply(c.t);
    this.permuted.set(c.t, out);
    return out;
  }

  private convert(x: tf.SymbolicTensor): Converted {
    const done = this.tensors.get(x);
    if (done !== undefined) return done;
    const layer = x.sourceLayer;
    const className = layer.getClassName();
    if (className === 'InputLayer') {
      throw new ValueError(`fromTfjs: model '${this.model.name}' uses input '${layer.name}', which is not among its inputs`);
    }
    if (x.tensorIndex !== 0 || (layer.inboundNodes[x.nodeIndex]?.outputTensors.length ?? 1) !== 1) {
      throw new NotImplementedError(`fromTfjs: layer '${layer.name}' (${className}) has several outputs (returnState or similar); supported: layers with one output`);
    }
    const ins = x.inputs.map((i) => this.convert(i));
    const config = completeConfig(layer, className, layer.getConfig());
    let layout: Layout = 'tfjs';
    let cfg = config;
    if (DATA_FORMAT.has(className) && config.dataFormat === 'channelsFirst') {
      layout = 'last';
      cfg = { ...config, dataFormat: 'channelsLast' };
    } else if (ELEMENTWISE.has(className) && ins.every((i) => i.layout === 'last')) {
      layout = 'last';
    } else if (AXIS.has(className) && ins.every((i) => i.layout === 'last' && i.t.rank >= 3)) {
      layout = 'last';
      cfg = { ...config, axis: moveAxes(config.axis, ins[0].t.rank) };
    }
    const converted = this.layerFor(layer, className, cfg, layout);
    const args = ins.map((i) => this.inLayout(i, layout));
    const t = converted.apply(args.length === 1 ? args[0] : args);
    // A channelsFirst layer's output of rank 2 (global pooling, flatten) has no channel axis to move.
    const result: Converted = { t, layout: t.rank >= 3 ? layout : 'tfjs' };
    this.tensors.set(x, result);
    return result;
  }

  /** The tfe layer of a tfjs layer in a layout (one per layout, so a shared layer stays shared). */
  private layerFor(layer: tf.layers.Layer, className: string, config: Config, layout: Layout): Layer {
    let byLayout = this.layers.get(layer);
    if (byLayout === undefined) {
      byLayout = new Map();
      this.layers.set(layer, byLayout);
    }
    let ours = byLayout.get(layout);
    if (ours === undefined) {
      const name = byLayout.size === 0 ? layer.name : `${layer.name}_channels_last`;
      ours = convertLayer(className, config, name);
      byLayout.set(layout, ours);
      this.origin.set(ours, layer);
    }
    return ours;
  }
}

/**
 * Fields tfjs leaves out of a config although the layer has them: a
 * SeparableConv2D's depthMultiplier (tfjs 4 does not serialise it), read from
 * its depthwise kernel's shape.
 */
function completeConfig(layer: tf.layers.Layer, className: string, config: Config): Config {
  if (className === 'SeparableConv2D' && config.depthMultiplier === undefined && layer.weights.length > 0) {
    return { ...config, depthMultiplier: layer.weights[0].shape[3] ?? 1 };
  }
  return config;
}

/** A tfjs axis config (a number or a list) moved with the layout. */
function moveAxes(axis: unknown, rank: number): Config['axis'] {
  if (typeof axis === 'number') return movedAxis(axis, rank);
  if (Array.isArray(axis)) return axis.map((a) => (typeof a === 'number' ? movedAxis(a, rank) : a));
  return axis as Config['axis'];
}

/**
 * Batch normalization's moving variance must lie in the domain its private
 * inverse square root takes (see normalization.ts); checked by the owner,
 * who holds it in the clear, before sharing. The message names the layer,
 * never a value.
 */
function checkMovingVariance(layer: BatchNormalization, variance: tf.Tensor | undefined): void {
  if (variance === undefined) return;
  const v = variance.dataSync();
  const max = layer.maxVariance;
  for (let i = 0; i < v.length; i++) {
    if (!(v[i] >= 0 && v[i] <= max)) throw new ValueError(`fromTfjs: layer '${layer.name}' (BatchNormalization): moving variance of channel ${i} is outside [0, ${max}], the range its private inverse square root takes with epsilon ${layer.epsilon}`);
  }
}

/**
 * The private model of a tfjs model's architecture, not built (no weight is
 * read or shared): a Sequential for a tf.sequential, a Functional otherwise,
 * and the tfjs layer each of its layers stands for. Its layers' order is the
 * order fromTfjs builds (and so shares) their weights in.
 */
export function convertTfjs(model: tf.LayersModel, options: Pick<FromTfjsOptions, 'reluMode'> = {}): { model: Sequential | Functional; origin: ReadonlyMap<Layer, tf.layers.Layer> } {
  if (!(model instanceof tf.LayersModel)) throw new ValueError(`fromTfjs: expected a tf.LayersModel (tf.sequential or tf.model), got ${typeof model}`);
  const graph = new GraphConverter(model);
  const outputs = graph.outputs();
  const relu = options.reluMode === undefined ? {} : { reluMode: options.reluMode };
  const functional = new Functional({ name: model.name, inputs: graph.inputs, outputs, ...relu });
  const ours: Sequential | Functional =
    model instanceof tf.Sequential ? new Sequential({ name: model.name, layers: functional.layers.filter((l) => l.className !== 'InputLayer'), ...relu }) : functional;
  return { model: ours, origin: graph.origin };
}

/**
 * A private model from a tfjs model: a tf.sequential becomes a Sequential,
 * a functional model (tf.model, any DAG) a Functional; every layer is
 * converted and its weights secret-shared by `weightsOwner`.
 *
 * @example
 * const plain = await tfe.models.loadTfjs('models/mnist-cnn');
 * const model = await tfe.models.fromTfjs(plain, prot, { weightsOwner: 'model-owner' });
 * const logits = model.predict(x);
 */
export async function fromTfjs(model: tf.Sequential, prot: Protocol, options?: FromTfjsOptions): Promise<Sequential>;
export async function fromTfjs(model: tf.LayersModel, prot: Protocol, options?: FromTfjsOptions): Promise<Sequential | Functional>;
export async function fromTfjs(model: tf.LayersModel, prot: Protocol, options: FromTfjsOptions = {}): Promise<Sequential | Functional> {
  // Convert (and so validate) every layer before anything is shared.
  const { model: ours, origin } = convertTfjs(model, options);
  // Weight values are read on the owner only, when its process shares them.
  const cache = new Map<Layer, tf.Tensor[]>();
  const weightsOf = (layer: Layer): tf.Tensor[] => {
    let ws = cache.get(layer);
    if (ws === undefined) {
      const raw = origin.get(layer)?.getWeights() ?? [];
      if (layer instanceof BatchNormalization) checkMovingVariance(layer, raw[raw.length - 1]);
      ws = raw;
      cache.set(layer, ws);
    }
    return ws;
  };
  ours.build(prot, {
    ...(ours instanceof Sequential ? { inputShape: model.inputs[0].shape } : {}),
    weightsOwner: options.weightsOwner ?? prot.defaultOwner,
    weights: (index, weight, shape) => {
      const layer = ours.layers[index];
      const t = weightsOf(layer)[weight];
      if (t === undefined || t.shape.length !== shape.length || t.shape.some((d, j) => d !== shape[j])) {
        throw new ValueError(`fromTfjs: layer '${layer.name}' weight ${weight} has shape [${t?.shape.join(',') ?? ''}]; expected [${shape.join(',')}]`);
      }
      return t;
    },
  });
  return ours;
}
