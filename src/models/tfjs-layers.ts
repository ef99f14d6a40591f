/**
 * The tfjs layer classes fromTfjs converts: each class name with the function
 * that maps its config (tfjs field names) to a tfe layer. The layers validate
 * the values; here only the types of the fields are checked, and an
 * unsupported value is an error naming the layer, the field, the value and
 * what is supported.
 */
import type * as tf from '@tensorflow/tfjs';
import { NotImplementedError, ValueError } from '../errors.js';
import {
  Activation,
  Add,
  Average,
  AveragePooling2D,
  BatchNormalization,
  Concatenate,
  Conv2D,
  Dense,
  DepthwiseConv2D,
  Dot,
  Dropout,
  Flatten,
  GlobalAveragePooling2D,
  GlobalMaxPooling2D,
  Maximum,
  MaxPooling2D,
  Minimum,
  Multiply,
  ReLU,
  Reshape,
  Softmax,
  Subtract,
  ZeroPadding2D,
  ZeroPadding1D,
  SimpleRNN,
  GRU,
  LSTM,
  LayerNormalization,
  Embedding,
  SeparableConv2D,
  Conv2DTranspose,
  Conv1D,
  MaxPooling1D,
  AveragePooling1D,
  GlobalAveragePooling1D,
  GlobalMaxPooling1D,
  LeakyReLU,
  PReLU,
  ELU,
  ThresholdedReLU,
  Cropping2D,
  Permute,
  RepeatVector,
  UpSampling2D,
  type Cropping2DLayerArgs,
  type ActivationIdentifier,
  type Layer,
  type ZeroPadding2DLayerArgs,
} from '../layers/index.js';

export type Config = tf.serialization.ConfigDict;
export type Converter = (config: Config, name: string) => Layer;

/** Reads a config field, checking its type; `undefined` when absent or null. */
export function field<T>(config: Config, key: string, where: string, expected: string, ok: (v: unknown) => boolean): T | undefined {
  const v = config[key];
  if (v === undefined || v === null) return undefined;
  if (!ok(v)) throw new ValueError(`${where}: field ${key} is ${JSON.stringify(v)}; expected ${expected}`);
  return v as T;
}

const isNum = (v: unknown): boolean => typeof v === 'number';
const isStr = (v: unknown): boolean => typeof v === 'string';
const isBool = (v: unknown): boolean => typeof v === 'boolean';
const isNumList = (v: unknown): boolean => Array.isArray(v) && v.every(isNum);
const isNumOrSingle = (v: unknown): boolean => isNum(v) || (Array.isArray(v) && v.length === 1 && isNum(v[0]));
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

function rnnArgs(c: Config, where: string, name: string) {
  return {
    name,
    units: field<number>(c, 'units', where, 'a number', isNum) ?? 0,
    activation: field<ActivationIdentifier>(c, 'activation', where, 'a string', isStr),
    recurrentActivation: field<ActivationIdentifier>(c, 'recurrentActivation', where, 'a string', isStr),
    useBias: field<boolean>(c, 'useBias', where, 'a boolean', isBool),
    returnSequences: field<boolean>(c, 'returnSequences', where, 'a boolean', isBool),
    goBackwards: field<boolean>(c, 'goBackwards', where, 'a boolean', isBool),
    returnState: field<boolean>(c, 'returnState', where, 'a boolean', isBool),
    stateful: field<boolean>(c, 'stateful', where, 'a boolean', isBool),
    dropout: field<number>(c, 'dropout', where, 'a number', isNum),
    recurrentDropout: field<number>(c, 'recurrentDropout', where, 'a number', isNum),
  };
}

function pool1dArgs(c: Config, where: string, name: string) {
  return {
    name,
    poolSize: field<number | [number]>(c, 'poolSize', where, 'a number or a list of one', isNumOrSingle),
    strides: field<number | [number]>(c, 'strides', where, 'a number or a list of one', isNumOrSingle),
    padding: field<'valid' | 'same'>(c, 'padding', where, 'a string', isStr),
  };
}

const w = (name: string, cls: string): string => `fromTfjs: layer '${name}' (${cls})`;

/** tfjs class name -> tfe layer, for the supported layers. */
export const CONVERTERS: Record<string, Converter> = {
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
  SeparableConv2D: (c, name) =>
    new SeparableConv2D({
      ...convArgs(c, w(name, 'SeparableConv2D'), name),
      filters: field<number>(c, 'filters', w(name, 'SeparableConv2D'), 'a number', isNum) ?? 0,
      depthMultiplier: field<number>(c, 'depthMultiplier', w(name, 'SeparableConv2D'), 'a number', isNum),
    }),
  Conv2DTranspose: (c, name) => new Conv2DTranspose({ ...convArgs(c, w(name, 'Conv2DTranspose'), name), filters: field<number>(c, 'filters', w(name, 'Conv2DTranspose'), 'a number', isNum) ?? 0 }),
  Conv1D: (c, name) => {
    const where = w(name, 'Conv1D');
    return new Conv1D({
      name,
      filters: field<number>(c, 'filters', where, 'a number', isNum) ?? 0,
      kernelSize: field<number | [number]>(c, 'kernelSize', where, 'a number or a list of one', isNumOrSingle) ?? 1,
      strides: field<number | [number]>(c, 'strides', where, 'a number or a list of one', isNumOrSingle),
      padding: field<'valid' | 'same' | 'causal'>(c, 'padding', where, 'a string', isStr),
      dataFormat: field<'channelsLast'>(c, 'dataFormat', where, 'a string', isStr),
      dilationRate: field<number | [number]>(c, 'dilationRate', where, 'a number or a list of one', isNumOrSingle),
      activation: field<ActivationIdentifier>(c, 'activation', where, 'a string', isStr),
      useBias: field<boolean>(c, 'useBias', where, 'a boolean', isBool),
    });
  },
  MaxPooling1D: (c, name) => new MaxPooling1D(pool1dArgs(c, w(name, 'MaxPooling1D'), name)),
  AveragePooling1D: (c, name) => new AveragePooling1D(pool1dArgs(c, w(name, 'AveragePooling1D'), name)),
  GlobalAveragePooling1D: (_c, name) => new GlobalAveragePooling1D({ name }),
  GlobalMaxPooling1D: (_c, name) => new GlobalMaxPooling1D({ name }),
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
      momentum: field<number>(c, 'momentum', where, 'a number', isNum),
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
  ZeroPadding1D: (c, name) => new ZeroPadding1D({ name, padding: field<number | [number, number]>(c, 'padding', w(name, 'ZeroPadding1D'), 'a number or a pair', isNumOrPair) }),
  Cropping2D: (c, name) => {
    const where = w(name, 'Cropping2D');
    const isPairs = (v: unknown): boolean => Array.isArray(v) && v.length === 2 && v.every(isNumOrPair);
    const cropping = field<Cropping2DLayerArgs['cropping']>(c, 'cropping', where, 'a number, a pair, or a pair of pairs', (v) => isNumOrPair(v) || isPairs(v));
    return new Cropping2D({ name, cropping, dataFormat: field<'channelsLast'>(c, 'dataFormat', where, 'a string', isStr) });
  },
  Permute: (c, name) => new Permute({ name, dims: field<number[]>(c, 'dims', w(name, 'Permute'), 'a list of numbers', isNumList) ?? [] }),
  RepeatVector: (c, name) => new RepeatVector({ name, n: field<number>(c, 'n', w(name, 'RepeatVector'), 'a number', isNum) ?? 0 }),
  UpSampling2D: (c, name) => {
    const where = w(name, 'UpSampling2D');
    return new UpSampling2D({
      name,
      size: field<number | [number, number]>(c, 'size', where, 'a number or a pair', isNumOrPair),
      dataFormat: field<'channelsLast'>(c, 'dataFormat', where, 'a string', isStr),
      interpolation: field<'nearest'>(c, 'interpolation', where, 'a string', isStr),
    });
  },
  LeakyReLU: (c, name) => new LeakyReLU({ name, alpha: field<number>(c, 'alpha', w(name, 'LeakyReLU'), 'a number', isNum) }),
  PReLU: (c, name) => new PReLU({ name, sharedAxes: field<number | number[]>(c, 'sharedAxes', w(name, 'PReLU'), 'a number or a list of numbers', (v) => isNum(v) || isNumList(v)) }),
  ELU: (c, name) => new ELU({ name, alpha: field<number>(c, 'alpha', w(name, 'ELU'), 'a number', isNum) }),
  ThresholdedReLU: (c, name) => new ThresholdedReLU({ name, theta: field<number>(c, 'theta', w(name, 'ThresholdedReLU'), 'a number', isNum) }),
  LayerNormalization: (c, name) => {
    const where = w(name, 'LayerNormalization');
    return new LayerNormalization({
      name,
      axis: field<number | number[]>(c, 'axis', where, 'a number or a list of numbers', (v) => isNum(v) || isNumList(v)),
      epsilon: field<number>(c, 'epsilon', where, 'a number', isNum),
      center: field<boolean>(c, 'center', where, 'a boolean', isBool),
      scale: field<boolean>(c, 'scale', where, 'a boolean', isBool),
    });
  },
  Embedding: (c, name) => {
    const where = w(name, 'Embedding');
    return new Embedding({
      name,
      inputDim: field<number>(c, 'inputDim', where, 'a number', isNum) ?? 0,
      outputDim: field<number>(c, 'outputDim', where, 'a number', isNum) ?? 0,
      maskZero: field<boolean>(c, 'maskZero', where, 'a boolean', isBool),
      inputLength: field<number | number[]>(c, 'inputLength', where, 'a number or a list of numbers', (v) => isNum(v) || isNumList(v)),
    });
  },
  SimpleRNN: (c, name) => new SimpleRNN(rnnArgs(c, w(name, 'SimpleRNN'), name)),
  GRU: (c, name) => new GRU({ ...rnnArgs(c, w(name, 'GRU'), name), resetAfter: field<boolean>(c, 'resetAfter', w(name, 'GRU'), 'a boolean', isBool) }),
  LSTM: (c, name) => new LSTM(rnnArgs(c, w(name, 'LSTM'), name)),
  Add: (_c, name) => new Add({ name }),
  Subtract: (_c, name) => new Subtract({ name }),
  Multiply: (_c, name) => new Multiply({ name }),
  Average: (_c, name) => new Average({ name }),
  Maximum: (_c, name) => new Maximum({ name }),
  Minimum: (_c, name) => new Minimum({ name }),
  Concatenate: (c, name) => new Concatenate({ name, axis: field<number>(c, 'axis', w(name, 'Concatenate'), 'a number', isNum) }),
  Dot: (c, name) =>
    new Dot({
      name,
      axes: field<number | [number, number]>(c, 'axes', w(name, 'Dot'), 'a number or a pair', isNumOrPair) ?? -1,
      normalize: field<boolean>(c, 'normalize', w(name, 'Dot'), 'a boolean', isBool),
    }),
};

/** The tfjs layer classes {@link fromTfjs} converts. */
export const SUPPORTED_TFJS_LAYERS: readonly string[] = Object.keys(CONVERTERS);

/** Converts one tfjs layer, refusing classes without a converter. */
export function convertLayer(className: string, config: Config, name: string): Layer {
  const convert = CONVERTERS[className];
  if (convert === undefined) {
    throw new NotImplementedError(`fromTfjs: layer '${name}' (${className}) is not supported; supported layers: ${SUPPORTED_TFJS_LAYERS.join(', ')}`);
  }
  return convert(config, name);
}


