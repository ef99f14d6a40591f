/**
 * fit and evaluate on secret-shared data. Per batch: gather the batch's rows
 * (a public permutation when shuffling), run the forward pass with a tape,
 * start the backward pass at the loss (fused with softmax or sigmoid), let
 * the optimizer assign new shares, and sync so that players that only send
 * (the crypto producer, data owners) stay at most one batch ahead. Nobody
 * learns the loss unless `revealLossTo` names a player: then only it does,
 * once per epoch.
 */
import { checkLayerWeights, checkWeightOptions, defaultWeightBound, type CheckWeights } from './weight-check.js';
import { backprop, recordOps } from '../../autodiff/index.js';
import { PublicRandom } from '../../crypto/index.js';
import { check, ShapeError, ValueError } from '../../errors.js';
import type { CallOptions, Layer, LayerShape } from '../../layers/index.js';
import { isProtocol, type PrivateTensor, type PrivateVariable, type Protocol, type SecretTensor } from '../../protocol/api/index.js';
import { CallbackList, History, Progress, type CallbackArgs, type Logs } from './history.js';
import { lossStart, requiredActivation, toLossSpec, type LossSpec } from './losses.js';
import { Optimizer } from './optimizers.js';

/** What fit needs of a model. */
export interface TrainableModel {
  readonly name: string;
  readonly layers: readonly Layer[];
  /** The protocol the model is built on (undefined before build). */
  readonly protocol: Protocol | undefined;
  /** Output shape, the batch dimension null. */
  readonly outputShape: LayerShape;
  apply(x: PrivateTensor, options?: CallOptions): PrivateTensor;
}

export const METRICS = ['accuracy', 'acc', 'categoricalAccuracy', 'binaryAccuracy'] as const;
export type MetricIdentifier = (typeof METRICS)[number];

/** Arguments of compile, as tfjs's ModelCompileArgs. */
export interface ModelCompileArgs {
  optimizer: Optimizer;
  /** A tfjs loss name or `tfe.losses.X({ fromLogits })`. */
  loss: string | LossSpec;
  /** 'accuracy' (argmax agreement for one-hot labels, threshold 0.5 for binary), 'categoricalAccuracy', 'binaryAccuracy'. */
  metrics?: readonly string[];
}

/** A validated compile. */
export interface Compiled {
  readonly optimizer: Optimizer;
  readonly loss: LossSpec;
  readonly metrics: readonly MetricIdentifier[];
}

/** Arguments of fit, as tfjs's ModelFitArgs (and where the loss goes). */
export interface ModelFitArgs {
  /** Default 32. */
  batchSize?: number;
  /** Default 1. */
  epochs?: number;
  /** 0 silent, 1 a progress bar per epoch (default), 2 a line per epoch. */
  verbose?: number;
  callbacks?: CallbackArgs | readonly CallbackArgs[];
  /** The last fraction of the rows held out for validation (before shuffling). */
  validationSplit?: number;
  /** [x, y] to evaluate at the end of each epoch. */
  validationData?: readonly [PrivateTensor, PrivateTensor];
  /** Shuffle the rows each epoch with a public permutation (default true). */
  shuffle?: boolean;
  /** Epoch to start from (default 0). */
  initialEpoch?: number;
  /** Accepted for tfjs compatibility; fit awaits each batch's sync anyway, which yields. */
  yieldEvery?: 'auto' | 'batch' | 'epoch' | 'never' | number;
  /**
   * The player that learns the loss and metrics (per epoch): it alone prints
   * them and finds them in the History. By default nobody learns them.
   */
  revealLossTo?: string;
  /**
   * When to check that no weight left the range where products stay exact:
   * 'epoch' (default, at each epoch's end), every N batches, or 'never'.
   * Each check reveals one bit per layer to every player and fails fit with
   * a WeightRangeError naming the layer (docs/precision.md).
   */
  checkWeights?: CheckWeights;
  /** The bound of the weight check on |w| (default 2^floor((62-2f)/2): 2048 at 20 fractional bits). */
  weightBound?: number;
  /** Where progress lines go (default console.log), in the process of `revealLossTo` or else of the protocol's default owner. */
  print?: (line: string) => void;
}

/** The activation the model ends with (for checking the loss against it). */
function finalActivation(layers: readonly Layer[]): string {
  const last = layers[layers.length - 1];
  if (last === undefined) return 'linear';
  if (last.className === 'Softmax') return 'softmax';
  const config = last.getConfig();
  return typeof config.activation === 'string' ? config.activation : 'linear';
}

/** Validates compile's arguments against the model. */
export function compileModel(model: TrainableModel, args: ModelCompileArgs): Compiled {
  check(typeof args === 'object' && args !== null, () => `${model.name}.compile: expects { optimizer, loss, metrics? }`);
  check(args.optimizer instanceof Optimizer, () => `${model.name}.compile: optimizer must be a tfe optimizer (tfe.train.sgd(0.1), tfe.train.momentum(...))`);
  const loss = toLossSpec(args.loss);
  const needed = requiredActivation(loss);
  const ends = finalActivation(model.layers);
  if (needed !== undefined && ends !== needed) {
    throw new ValueError(`${model.name}.compile: ${loss.name} expects ${needed === 'softmax' ? 'probabilities from a softmax' : 'probabilities from a sigmoid'}, but the model ends with activation '${ends}'; end it with '${needed}' or use tfe.losses.${loss.name}({ fromLogits: true }) on a linear output`);
  }
  if (loss.fromLogits && ends !== 'linear') throw new ValueError(`${model.name}.compile: fromLogits expects a linear output, but the model ends with activation '${ends}'`);
  const metrics = (args.metrics ?? []).map((m) => {
    check((METRICS as readonly string[]).includes(m), () => `${model.name}.compile: unknown metric '${m}'; supported: ${METRICS.join(', ')}`);
    return m as MetricIdentifier;
  });
  return { optimizer: args.optimizer, loss, metrics };
}

/** The weights fit updates from gradients: those of trainable layers (without batch normalization's moving statistics). */
export function trainableWeights(model: TrainableModel): PrivateVariable[] {
  return model.layers.filter((l) => l.built).flatMap((l) => [...l.trainableWeights]);
}

/** Every weight a training step may replace: all weights of trainable layers (the moving statistics too). */
function updatedWeights(model: TrainableModel): PrivateVariable[] {
  return model.layers.filter((l) => l.trainable && l.built).flatMap((l) => [...l.weights]);
}

function builtProtocol(model: TrainableModel, what: string): Protocol {
  const prot = model.protocol;
  check(prot !== undefined, () => `${model.name}.${what}: build the model first (model.build(prot), or tfe.models.fromTfjs)`);
  return prot;
}

/** Checks that x and y are batches of the same rows with the model's shapes. */
function checkData(model: TrainableModel, prot: Protocol, x: PrivateTensor, y: PrivateTensor, loss: LossSpec, what: string): void {
  check(x.protocol === prot && y.protocol === prot, () => `${model.name}.${what}: x and y must belong to the model's protocol`);
  if (x.shape[0] !== y.shape[0]) throw new ShapeError(`${model.name}.${what}: x has ${x.shape[0]} rows but y has ${y.shape[0]}`);
  const sparse = loss.name === 'sparseCategoricalCrossentropy';
  if (sparse && !(y.rank === 1 || (y.rank === 2 && y.shape[1] === 1))) throw new ShapeError(`${model.name}.${what}: sparse labels must have shape [n] or [n, 1], got [${y.shape.join(',')}]`);
  const out = model.outputShape;
  if (!sparse && (y.rank !== out.length || y.shape.some((d, i) => i > 0 && d !== out[i]))) {
    throw new ShapeError(`${model.name}.${what}: labels of shape [${y.shape.join(',')}] do not match the model's output [${['n', ...out.slice(1)].join(',')}]`);
  }
}

/** One-hot labels from class ids (sparseCategoricalCrossentropy), by secure equality with each class. */
function oneHot(y: PrivateTensor, classes: number): PrivateTensor {
  const ids = y.reshape([y.shape[0], 1]);
  const prot = y.protocol;
  check(isProtocol(prot), () => 'sparse labels: the tensor does not belong to a tfe protocol');
  const range = prot.definePublicVariable(Float64Array.from({ length: classes }, (_, i) => i)).reshape([1, classes]);
  return ids.equal(range);
}

/** The rows `indices` of x. */
function rows(x: SecretTensor, indices: readonly number[]): PrivateTensor {
  return x.gather(indices, 0);
}

/** Labels in the form the loss compares with: one-hot for the sparse loss. */
function labelsFor(loss: LossSpec, y: PrivateTensor, outShape: readonly number[]): PrivateTensor {
  return loss.name === 'sparseCategoricalCrossentropy' ? oneHot(y, outShape[outShape.length - 1]) : y;
}

/** Correct predictions in a batch (a private count). */
function correct(metric: MetricIdentifier, loss: LossSpec, yPred: PrivateTensor, yTrue: PrivateTensor): PrivateTensor {
  const binary = metric === 'binaryAccuracy' || ((metric === 'accuracy' || metric === 'acc') && loss.name === 'binaryCrossentropy');
  if (binary) return yPred.greaterEqual(0.5).equal(yTrue).sum();
  return yPred.argmax(-1).equal(yTrue.argmax(-1)).sum();
}

/** A metric's log name, as Keras prints it. */
function logName(metric: MetricIdentifier): string {
  return metric === 'accuracy' ? 'acc' : metric;
}

interface EvalSums {
  loss?: PrivateTensor;
  correct: Map<MetricIdentifier, PrivateTensor>;
}

/** Reveals the sums of an epoch to `player`: loss as the mean over batches, metrics as fractions of rows. */
async function revealLogs(prot: Protocol, player: string, sums: EvalSums, batches: number, count: number, prefix: string): Promise<Logs> {
  const logs: Logs = {};
  if (sums.loss !== undefined) {
    const v = await prot.revealFloat64(sums.loss, player);
    if (v !== undefined) logs[`${prefix}loss`] = v.values[0] / batches;
  }
  for (const [metric, c] of sums.correct) {
    const v = await prot.revealFloat64(c, player);
    if (v !== undefined) logs[`${prefix}${logName(metric)}`] = v.values[0] / count;
  }
  return logs;
}

function addTo(sum: PrivateTensor | undefined, v: PrivateTensor): PrivateTensor {
  return sum === undefined ? v : sum.add(v);
}

/** The forward pass of every batch of x (no tape), with the loss and metric sums. */
function evaluateSums(model: TrainableModel, compiled: Compiled, x: PrivateTensor, y: PrivateTensor, batchSize: number, withLoss: boolean): { sums: EvalSums; batches: number } {
  const sums: EvalSums = { correct: new Map() };
  const n = x.shape[0];
  let batches = 0;
  for (let start = 0; start < n; start += batchSize) {
    const idx = Array.from({ length: Math.min(batchSize, n - start) }, (_, i) => start + i);
    const xb = rows(x, idx);
    const { result: yp, tape } = recordOps(builtProtocol(model, 'evaluate'), () => model.apply(xb, { training: false }));
    const yb = labelsFor(compiled.loss, rows(y, idx), yp.shape);
    if (withLoss) sums.loss = addTo(sums.loss, lossStart(compiled.loss, tape.records, yp, yb).value());
    for (const m of compiled.metrics) sums.correct.set(m, addTo(sums.correct.get(m), correct(m, compiled.loss, yp, yb)));
    batches += 1;
  }
  return { sums, batches };
}

/** Arguments of evaluate. */
export interface ModelEvaluateArgs {
  batchSize?: number;
  /** The player that learns the loss and metrics (default: every player, as tfjs returns them). */
  revealTo?: string;
}

/** model.evaluate: the mean loss and the metrics, revealed to `revealTo` (numbers there; empty elsewhere). */
export async function evaluate(model: TrainableModel, compiled: Compiled | undefined, x: PrivateTensor, y: PrivateTensor, args: ModelEvaluateArgs = {}): Promise<Logs> {
  check(compiled !== undefined, () => `${model.name}.evaluate: compile the model first`);
  const prot = builtProtocol(model, 'evaluate');
  checkData(model, prot, x, y, compiled.loss, 'evaluate');
  const batchSize = args.batchSize ?? 32;
  check(Number.isInteger(batchSize) && batchSize > 0, () => `${model.name}.evaluate: batchSize must be a positive integer, got ${String(batchSize)}`);
  const { sums, batches } = evaluateSums(model, compiled, x, y, batchSize, true);
  const players = args.revealTo === undefined ? prot.config.playerNames : [args.revealTo];
  let logs: Logs = {};
  for (const p of players) logs = { ...logs, ...(await revealLogs(prot, p, sums, batches, x.shape[0], '')) };
  return logs;
}

/** model.fit on private x and y. */
export async function fit(model: TrainableModel, compiled: Compiled | undefined, x: PrivateTensor, y: PrivateTensor, args: ModelFitArgs = {}): Promise<History> {
  check(compiled !== undefined, () => `${model.name}.fit: compile the model before fit (model.compile({ optimizer, loss }))`);
  const prot = builtProtocol(model, 'fit');
  checkData(model, prot, x, y, compiled.loss, 'fit');
  const epochs = args.epochs ?? 1;
  const initialEpoch = args.initialEpoch ?? 0;
  check(Number.isInteger(epochs) && epochs > 0, () => `${model.name}.fit: epochs must be a positive integer, got ${String(args.epochs)}`);
  check(Number.isInteger(initialEpoch) && initialEpoch >= 0 && initialEpoch < epochs, () => `${model.name}.fit: initialEpoch must be an integer in [0, epochs), got ${String(args.initialEpoch)}`);
  const split = args.validationSplit ?? 0;
  check(typeof split === 'number' && split >= 0 && split < 1, () => `${model.name}.fit: validationSplit must be in [0, 1), got ${String(args.validationSplit)}`);
  check(!(split > 0 && args.validationData !== undefined), () => `${model.name}.fit: give validationData or validationSplit, not both`);
  const total = x.shape[0];
  const nTrain = split > 0 ? Math.floor(total * (1 - split)) : total;
  check(nTrain > 0, () => `${model.name}.fit: validationSplit ${split} leaves no training rows of ${total}`);
  const batchSize = args.batchSize ?? 32;
  check(Number.isInteger(batchSize) && batchSize > 0, () => `${model.name}.fit: batchSize must be a positive integer, got ${String(args.batchSize)}`);
  if (batchSize > nTrain) throw new ValueError(`${model.name}.fit: batchSize ${batchSize} is larger than the ${nTrain} training rows`);
  const verbose = args.verbose ?? 1;
  check(verbose === 0 || verbose === 1 || verbose === 2, () => `${model.name}.fit: verbose must be 0, 1 or 2, got ${String(args.verbose)}`);
  if (args.revealLossTo !== undefined) prot.config.player(args.revealLossTo, `${model.name}.fit revealLossTo`);
  const checkWeights = args.checkWeights ?? 'epoch';
  const weightBound = args.weightBound ?? defaultWeightBound(prot.fracBits);
  checkWeightOptions(`${model.name}.fit`, checkWeights, weightBound);
  const checkLayers = (): Promise<void> => checkLayerWeights(prot, model.layers.filter((l) => l.trainable && l.built), weightBound, `${model.name}.fit`);
  const weights = trainableWeights(model);
  const updated = updatedWeights(model);
  check(weights.length > 0, () => `${model.name}.fit: the model has no trainable weights`);

  // The rows are masked once: each batch's rows then come masked (gather keeps masks).
  const xTrain = (split > 0 ? x.slice([0], [nTrain]) : x).mask();
  const yTrain = split > 0 ? y.slice([0], [nTrain]) : y;
  const validation = split > 0 ? ([x.slice([nTrain]), y.slice([nTrain])] as const) : args.validationData;
  if (validation !== undefined) checkData(model, prot, validation[0], validation[1], compiled.loss, 'fit (validation)');

  const batches = Math.ceil(nTrain / batchSize);
  const learner = args.revealLossTo;
  const printer = learner ?? prot.defaultOwner;
  const printHere = prot.config.isLocal(printer);
  const print = args.print ?? ((line: string) => globalThis.console.log(line));
  const progress = new Progress(printHere ? verbose : 0, epochs, batches, print);
  const callbacks = new CallbackList(args.callbacks === undefined ? [] : Array.isArray(args.callbacks) ? (args.callbacks as readonly CallbackArgs[]) : [args.callbacks as CallbackArgs]);
  const history = new History();
  history.params = { epochs, batchSize, samples: nTrain, steps: batches, verbose };
  // Public randomness for batch order and dropout, drawn once per fit.
  const random = new PublicRandom(await prot.publicSeed());
  const options: CallOptions = { training: true, publicUniform: (n) => random.uniforms(n) };

  await callbacks.call('onTrainBegin');
  let pending: Promise<void> = Promise.resolve();
  for (let epoch = initialEpoch; epoch < epochs; epoch++) {
    progress.beginEpoch(epoch);
    await callbacks.call('onEpochBegin', epoch);
    const order = args.shuffle === false ? Array.from({ length: nTrain }, (_, i) => i) : random.permutation(nTrain);
    const sums: EvalSums = { correct: new Map() };
    for (let b = 0; b < batches; b++) {
      await callbacks.call('onBatchBegin', b);
      const idx = order.slice(b * batchSize, (b + 1) * batchSize);
      const xb = rows(xTrain, idx);
      const { result: yPred, tape } = recordOps(prot, () => model.apply(xb, options));
      const yb = labelsFor(compiled.loss, rows(yTrain, idx), yPred.shape);
      // The gradient comes out multiplied by the learning rate (applyScaled).
      const start = lossStart(compiled.loss, tape.records, yPred, yb, compiled.optimizer.gradientScale);
      if (learner !== undefined) {
        sums.loss = addTo(sums.loss, start.value());
        for (const m of compiled.metrics) sums.correct.set(m, addTo(sums.correct.get(m), correct(m, compiled.loss, yPred, yb)));
      }
      const grads = backprop(start.records, start.start, start.dStart, weights);
      compiled.optimizer.applyScaled(weights.flatMap((variable, i) => {
        const grad = grads[i];
        return grad === undefined ? [] : [{ variable, grad }];
      }));
      // At most one batch in flight ahead of the servers.
      const synced = prot.sync(updated);
      await pending;
      pending = synced;
      if (typeof checkWeights === 'number' && (b + 1) % checkWeights === 0) await checkLayers();
      progress.endBatch(b);
      await callbacks.call('onBatchEnd', b);
    }
    await pending;
    if (checkWeights === 'epoch') await checkLayers();
    let logs: Logs = {};
    if (learner !== undefined) {
      logs = await revealLogs(prot, learner, sums, batches, nTrain, '');
      if (validation !== undefined) {
        const val = evaluateSums(model, compiled, validation[0], validation[1], batchSize, true);
        logs = { ...logs, ...(await revealLogs(prot, learner, val.sums, val.batches, validation[0].shape[0], 'val_')) };
      }
    }
    progress.endEpoch(epoch, logs);
    history.record(epoch, logs);
    await callbacks.call('onEpochEnd', epoch, logs);
  }
  await callbacks.call('onTrainEnd');
  await prot.flush();
  return history;
}
