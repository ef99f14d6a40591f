/**
 * Converting a plaintext tfjs model into a private one. Each tfjs layer's
 * class name and config map to a tfe layer (validated, with the tfjs field
 * names); an unsupported layer, activation or config value is an error naming
 * the layer, the field, the value and what is supported, raised before
 * anything is shared. The weights' owner alone reads the weight values and
 * secret-shares them; every other process needs only the architecture, so on
 * their machines the model may carry any weights (for example a model rebuilt
 * from its topology).
 */
import * as tf from '@tensorflow/tfjs';
import { NotImplementedError, ValueError } from '../errors.js';
import {
  Activation,
  AveragePooling2D,
  BatchNormalization,
  Conv2D,
  Dense,
  DepthwiseConv2D,
  Dropout,
  Flatten,
  GlobalAveragePooling2D,
  GlobalMaxPooling2D,
  MaxPooling2D,
  ReLU,
  Reshape,
  Softmax,
  ZeroPadding2D,
  type ActivationIdentifier,
  type Layer,
  type ReluMode,
  type ZeroPadding2DLayerArgs,
} from '../layers/index.js';
import type { Protocol } from '../protocol/api/index.js';
import { Sequential } from './sequential.js';

type Config = tf.serialization.ConfigDict;
type Converter = (config: Config, name: string) => Layer;

/** Reads a config field, checking its type; `undefined` when absent or null. */
function field<T>(config: Config, key: string, where: string, expected: string, ok: (v: unknown) => boolean): T | undefined {
  const v = config[key];
  if (v === undefined || v === null) return undefined;
  if (!ok(v)) throw new ValueError(`${where}: field ${key} is ${JSON.stringify(v)}; expected ${expected}`);
  return v as T;
}

const isNum = (v: unknown): boolean => typeof v === 'number';
const isStr = (v: unknown): boolean => typeof v === 'string';
const isBool = (v: unknown): boolean => typeof v === 'boolean';
const isNumOrPair = (v: unknown): boolean => isNum(v) || (Array.isArray(v) && v.length === 2 && v.every(isNum));

function convArgs(c: Config, where: string, name: string) {
  return {
    name,
    kernelSize: field<number | [number, number]>(c, 'kernelSize', where, 'a number or a pair', isNumOrPair) ?? 1,
    strides: field<number | [number, number]>(c, 'strides', where, 'a number or a pair', isNumOrPair),
    padding: field<'valid' | 'same'>(c, 'padding', where, 'a string', isStr),
    dataFormat: field<'channelsLast'>(c, 'dataFormat', where, 'a string', isStr),
    dilationRate: field<number | [number, number]>(c, 'dilationRate', where, 'a number or a pair', isNumOrPair),
    activation: field<ActivationIdentifier>(c, 'activation', where, 'a string', isStr),
    useBias: field<boolean>(c, 'useBias', where, 'a boolean', isBool),
  };
}

function poolArgs(c: Config, where: string, name: string) {
  return {
    name,
    poolSize: field<number | [number, number]>(c, 'poolSize', where, 'a number or a pair', isNumOrPair),
    strides: field<number | [number, number]>(c, 'strides', where, 'a number or a pair', isNumOrPair),
    padding: field<'valid' | 'same'>(c, 'padding', where, 'a string', isStr),
    dataFormat: field<'channelsLast'>(c, 'dataFormat', where, 'a string', isStr),
  };
}

const w = (name: string, cls: string): string => `fromTfjs: layer '${name}' (${cls})`;

/** tfjs class name -> tfe layer, for the supported layers. */
const CONVERTERS: Record<string, Converter> = {
  Dense: (c, name) =>
    new Dense({
      name,
      units: field<number>(c, 'units', w(name, 'Dense'), 'a number', isNum) ?? 0,
      activation: field<ActivationIdentifier>(c, 'activation', w(name, 'Dense'), 'a string', isStr),
      useBias: field<boolean>(c, 'useBias', w(name, 'Dense'), 'a boolean', isBool),
    }),
  Conv2D: (c, name) => new Conv2D({ ...convArgs(c, w(name, 'Conv2D'), name), filters: field<number>(c, 'filters', w(name, 'Conv2D'), 'a number', isNum) ?? 0 }),
  DepthwiseConv2D: (c, name) =>
    new DepthwiseConv2D({ ...convArgs(c, w(name, 'DepthwiseConv2D'), name), depthMultiplier: field<number>(c, 'depthMultiplier', w(name, 'DepthwiseConv2D'), 'a number', isNum) }),
  Flatten: (c, name) => {
    const fmt = field<string>(c, 'dataFormat', w(name, 'Flatten'), 'a string', isStr);
    if (fmt !== undefined && fmt !== 'channelsLast') throw new NotImplementedError(`${w(name, 'Flatten')}: dataFormat '${fmt}' is not supported; supported: channelsLast`);
    return new Flatten({ name });
  },
  Reshape: (c, name) => {
    // tfjs serializes the -1 of a target shape as null.
    const target = field<Array<number | null>>(c, 'targetShape', w(name, 'Reshape'), 'a list of numbers', (v) => Array.isArray(v) && v.every((d) => d === null || isNum(d))) ?? [];
    return new Reshape({ name, targetShape: target.map((d) => d ?? -1) });
  },
  Activation: (c, name) => new Activation({ name, activation: field<ActivationIdentifier>(c, 'activation', w(name, 'Activation'), 'a string', isStr) ?? 'linear' }),
  Dropout: (c, name) => new Dropout({ name, rate: field<number>(c, 'rate', w(name, 'Dropout'), 'a number', isNum) ?? 0 }),
  AveragePooling2D: (c, name) => new AveragePooling2D(poolArgs(c, w(name, 'AveragePooling2D'), name)),
  MaxPooling2D: (c, name) => new MaxPooling2D(poolArgs(c, w(name, 'MaxPooling2D'), name)),
  GlobalAveragePooling2D: (c, name) => new GlobalAveragePooling2D({ name, dataFormat: field<'channelsLast'>(c, 'dataFormat', w(name, 'GlobalAveragePooling2D'), 'a string', isStr) }),
  GlobalMaxPooling2D: (c, name) => new GlobalMaxPooling2D({ name, dataFormat: field<'channelsLast'>(c, 'dataFormat', w(name, 'GlobalMaxPooling2D'), 'a string', isStr) }),
  BatchNormalization: (c, name) => {
    const where = w(name, 'BatchNormalization');
    const axis = field<number | number[]>(c, 'axis', where, 'a number', (v) => isNum(v) || (Array.isArray(v) && v.length === 1 && isNum(v[0])));
    return new BatchNormalization({
      name,
      axis: Array.isArray(axis) ? axis[0] : axis,
      epsilon: field<number>(c, 'epsilon', where, 'a number', isNum),
      center: field<boolean>(c, 'center', where, 'a boolean', isBool),
      scale: field<boolean>(c, 'scale', where, 'a boolean', isBool),
    });
  },
  ZeroPadding2D: (c, name) => {
    const where = w(name, 'ZeroPadding2D');
    // The layer checks the values; here only the form: n, [h, w] or [[t, b], [l, r]].
    const isPairs = (v: unknown): boolean => Array.isArray(v) && v.length === 2 && v.every(isNumOrPair);
    const padding = field<ZeroPadding2DLayerArgs['padding']>(c, 'padding', where, 'a number, a pair, or a pair of pairs', (v) => isNumOrPair(v) || isPairs(v));
    return new ZeroPadding2D({ name, padding, dataFormat: field<'channelsLast'>(c, 'dataFormat', where, 'a string', isStr) });
  },
  ReLU: (c, name) => new ReLU({ name, maxValue: field<number>(c, 'maxValue', w(name, 'ReLU'), 'a number', isNum) ?? null }),
  Softmax: (c, name) => new Softmax({ name, axis: field<number>(c, 'axis', w(name, 'Softmax'), 'a number', isNum) }),
};

/** The tfjs layer classes {@link fromTfjs} converts. */
export const SUPPORTED_TFJS_LAYERS: readonly string[] = Object.keys(CONVERTERS);

/** The model's layers in order, checking that a functional model is a linear chain. */
function chain(model: tf.LayersModel): tf.layers.Layer[] {
  const layers = model.layers.filter((l) => l.getClassName() !== 'InputLayer');
  if (model.inputs.length !== 1 || model.outputs.length !== 1) {
    throw new NotImplementedError(`fromTfjs: model '${model.name}' has ${model.inputs.length} inputs and ${model.outputs.length} outputs; only single-input, single-output chains are supported`);
  }
  if (!(model instanceof tf.Sequential)) {
    layers.forEach((l, i) => {
      const inbound = l.inboundNodes.flatMap((n) => n.inboundLayers);
      const ok = inbound.length === 1 && (i === 0 ? inbound[0].getClassName() === 'InputLayer' : inbound[0] === layers[i - 1]);
      if (!ok) {
        throw new NotImplementedError(`fromTfjs: layer '${l.name}' (${l.getClassName()}) does not take the previous layer as its only input; only functional models that form a linear chain are supported`);
      }
    });
  }
  return layers;
}

/** Options of {@link fromTfjs}. */
export interface FromTfjsOptions {
  /** The player whose process holds the plaintext weights and shares them (default: the first server). */
  weightsOwner?: string;
  /** ReLU for the whole model: 'exact' (default) or 'approximate'. */
  reluMode?: ReluMode;
}

/**
 * A private model from a tfjs model (a tf.sequential or a functional model
 * forming a linear chain): every layer converted and its weights
 * secret-shared by `weightsOwner`.
 *
 * @example
 * const plain = await tfe.models.loadTfjs('models/mnist-cnn');
 * const model = await tfe.models.fromTfjs(plain, prot, { weightsOwner: 'model-owner' });
 * const logits = model.predict(x);
 */
export async function fromTfjs(model: tf.LayersModel, prot: Protocol, options: FromTfjsOptions = {}): Promise<Sequential> {
  if (!(model instanceof tf.LayersModel)) throw new ValueError(`fromTfjs: expected a tf.LayersModel (tf.sequential or tf.model), got ${typeof model}`);
  const layers = chain(model);
  // Convert (and so validate) every layer before anything is shared.
  const converted = layers.map((l) => {
    const convert = CONVERTERS[l.getClassName()];
    if (convert === undefined) {
      throw new NotImplementedError(`fromTfjs: layer '${l.name}' (${l.getClassName()}) is not supported; supported layers: ${SUPPORTED_TFJS_LAYERS.join(', ')}`);
    }
    return convert(l.getConfig(), l.name);
  });
  const inputShape = model.inputs[0].shape;
  const seq = new Sequential({ name: model.name, layers: converted, ...(options.reluMode === undefined ? {} : { reluMode: options.reluMode }) });
  // Weight values are read on the owner only, when its process shares them.
  const cache = new Map<number, tf.Tensor[]>();
  const weightsOf = (i: number): tf.Tensor[] => {
    let ws = cache.get(i);
    if (ws === undefined) {
      const raw = layers[i].getWeights();
      const ours = converted[i];
      ws = ours instanceof BatchNormalization ? ours.foldTfjsWeights(raw) : raw;
      cache.set(i, ws);
    }
    return ws;
  };
  seq.build(prot, {
    inputShape,
    weightsOwner: options.weightsOwner ?? prot.defaultOwner,
    weights: (layer, weight, shape) => {
      const t = weightsOf(layer)[weight];
      if (t === undefined || t.shape.length !== shape.length || t.shape.some((d, j) => d !== shape[j])) {
        throw new ValueError(`fromTfjs: layer '${layers[layer].name}' weight ${weight} has shape [${t?.shape.join(',') ?? ''}]; expected [${shape.join(',')}]`);
      }
      return t;
    },
  });
  return seq;
}
