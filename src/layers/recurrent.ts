/**
 * Recurrent layers on private sequences [batch, steps, features], as
 * tf.layers.simpleRNN, gru and lstm (tfjs's weight layouts and gate orders:
 * LSTM i, f, c, o; GRU z, r, h without reset_after).
 *
 * The input projection of every step is one matrix product before the loop
 * (x W + b for all steps at once); each step then multiplies the private state
 * by the recurrent kernel (masked once: it is the same tensor at every step
 * and query) and applies the gates' activations, the gates that share an
 * activation in one call (LSTM's i, f and o; GRU's z and r). The state starts
 * at zero, so the first step skips the recurrent product. Steps are
 * sequential, so the rounds grow with the number of steps.
 *
 * At inference dropout and recurrentDropout are the identity; returnState,
 * stateful and masks are not supported (refused by name).
 */
import * as tf from '@tensorflow/tfjs';
import { check, NotImplementedError, ShapeError } from '../errors.js';
import type { PrivateTensor } from '../protocol/api/index.js';
import { applyActivation, checkActivation, checkReluMode, reluModeOf, type ActivationIdentifier, type ReluMode } from './activations.js';
import { fmtLayerShape, Layer, type CallOptions, type LayerArgs, type LayerConfig, type LayerShape } from './layer.js';

export interface RNNLayerArgs extends LayerArgs {
  units: number;
  /** Default tanh. */
  activation?: ActivationIdentifier;
  useBias?: boolean;
  /** The whole output sequence (default false: the last output only). */
  returnSequences?: boolean;
  /** Process the sequence backwards (the outputs come in the order processed, as tfjs). */
  goBackwards?: boolean;
  /** Only false. */
  returnState?: boolean;
  /** Only false. */
  stateful?: boolean;
  /** The identity at inference; any value in [0, 1). */
  dropout?: number;
  recurrentDropout?: number;
  /** Ignored (tfjs also ignores it). */
  unroll?: boolean;
  implementation?: number;
  reluMode?: ReluMode;
}

export interface GatedRNNLayerArgs extends RNNLayerArgs {
  /** The gates' activation (default hardSigmoid, as tfjs). */
  recurrentActivation?: ActivationIdentifier;
}

/** Columns [from, from + n) of a [batch, k] tensor. */
function columns(x: PrivateTensor, from: number, n: number): PrivateTensor {
  return x.slice([0, from], [x.shape[0], n]);
}

abstract class RNN extends Layer {
  readonly units: number;
  readonly activation: ActivationIdentifier;
  readonly useBias: boolean;
  readonly returnSequences: boolean;
  readonly goBackwards: boolean;
  readonly dropout: number;
  readonly recurrentDropout: number;
  readonly reluMode: ReluMode | undefined;
  /** Gates per unit: 1 (SimpleRNN), 3 (GRU), 4 (LSTM). */
  protected abstract readonly gates: number;

  constructor(args: RNNLayerArgs, className: string) {
    super(args, className);
    const where = `${this.name} (${className})`;
    check(Number.isInteger(args.units) && args.units > 0, () => `${where}: units must be a positive integer, got ${String(args.units)}`);
    this.units = args.units;
    this.activation = checkActivation(args.activation ?? 'tanh', where);
    this.useBias = args.useBias ?? true;
    this.returnSequences = args.returnSequences ?? false;
    this.goBackwards = args.goBackwards ?? false;
    if (args.returnState === true) throw new NotImplementedError(`${where}: returnState true is not supported; supported: false (one output)`);
    if (args.stateful === true) throw new NotImplementedError(`${where}: stateful true is not supported; supported: false (the state starts at zero for every batch)`);
    this.dropout = args.dropout ?? 0;
    this.recurrentDropout = args.recurrentDropout ?? 0;
    for (const [field, v] of [['dropout', this.dropout], ['recurrentDropout', this.recurrentDropout]] as const) {
      check(v >= 0 && v < 1, () => `${where}: ${field} must be in [0, 1), got ${v}`);
    }
    this.reluMode = checkReluMode(args.reluMode, where);
  }

  computeOutputShape(inputShape: LayerShape): LayerShape {
    const [b, steps, features] = inputShape;
    if (inputShape.length !== 3 || steps === null || features === null) {
      throw new ShapeError(`${this.name} (${this.className}): input must be [batch, steps, features] with known steps and features, got ${fmtLayerShape(inputShape)}`);
    }
    return this.returnSequences ? [b, steps, this.units] : [b, this.units];
  }

  override weightShapes(inputShape: LayerShape): number[][] {
    const k = this.gates * this.units;
    const shapes = [[inputShape[2] as number, k], [this.units, k]];
    return this.useBias ? [...shapes, [k]] : shapes;
  }

  protected override initialWeight(index: number, shape: readonly number[]): tf.Tensor {
    if (index === 0) return tf.initializers.glorotUniform({}).apply([...shape]);
    if (index === 1) return tf.initializers.orthogonal({}).apply([...shape]);
    return tf.zeros([...shape]);
  }

  protected act(x: PrivateTensor, which: ActivationIdentifier, options: CallOptions): PrivateTensor {
    return applyActivation(x, which, reluModeOf(this.reluMode, options));
  }

  /**
   * One step: the new state from this step's input projection, the previous
   * state (undefined at the first step) and the recurrent kernels.
   */
  protected abstract step(xt: PrivateTensor, state: State | undefined, kernels: readonly PrivateTensor[], options: CallOptions): State;

  protected call(x: PrivateTensor, options: CallOptions): PrivateTensor {
    const [b, steps, features] = x.shape;
    const k = this.gates * this.units;
    // The input projection of all steps in one product.
    let projected = x.reshape([b * steps, features]).matmul(this.weights[0]);
    if (this.useBias) projected = projected.add(this.weights[2]);
    const xw = projected.reshape([b, steps, k]);
    const kernels = this.recurrentKernels();
    const outputs: PrivateTensor[] = [];
    let state: State | undefined;
    for (let i = 0; i < steps; i++) {
      const t = this.goBackwards ? steps - 1 - i : i;
      state = this.step(xw.slice([0, t, 0], [b, 1, k]).reshape([b, k]), state, kernels, options);
      if (this.returnSequences) outputs.push(state.h.reshape([b, 1, this.units]));
    }
    const last = (state as State).h;
    return this.returnSequences ? outputs[0].concat(outputs.slice(1), 1) : last;
  }

  /** The recurrent kernel, or its parts: taken once per forward pass, so that each is masked once, not at every step. */
  protected recurrentKernels(): PrivateTensor[] {
    return [this.weights[1]];
  }

  override getConfig(): LayerConfig {
    return {
      ...super.getConfig(),
      units: this.units,
      activation: this.activation,
      useBias: this.useBias,
      returnSequences: this.returnSequences,
      goBackwards: this.goBackwards,
      returnState: false,
      stateful: false,
      dropout: this.dropout,
      recurrentDropout: this.recurrentDropout,
    };
  }
}

/** What a recurrent layer carries from one time step to the next. */
export interface State {
  /** The hidden state. */
  readonly h: PrivateTensor;
  /** LSTM's cell. */
  readonly c?: PrivateTensor;
}

/** h_t = activation(x_t W + h_(t-1) U + b), as tf.layers.simpleRNN. */
export class SimpleRNN extends RNN {
  static readonly className = 'SimpleRNN';
  protected readonly gates = 1;
  constructor(args: RNNLayerArgs) {
    super(args, SimpleRNN.className);
  }
  get className(): string {
    return SimpleRNN.className;
  }
  protected step(xt: PrivateTensor, state: State | undefined, [u]: readonly PrivateTensor[], options: CallOptions): State {
    const z = state === undefined ? xt : xt.add(state.h.matmul(u));
    return { h: this.act(z, this.activation, options) };
  }
}

abstract class GatedRNN extends RNN {
  readonly recurrentActivation: ActivationIdentifier;
  constructor(args: GatedRNNLayerArgs, className: string) {
    super(args, className);
    this.recurrentActivation = checkActivation(args.recurrentActivation ?? 'hardSigmoid', `${this.name} (${className})`, 'recurrentActivation');
  }
  override getConfig(): LayerConfig {
    return { ...super.getConfig(), recurrentActivation: this.recurrentActivation };
  }
}

/**
 * LSTM, as tf.layers.lstm: gates i, f, o = recurrentActivation (one call on
 * the three), candidate g = activation, c = f c + i g, h = o activation(c).
 */
export class LSTM extends GatedRNN {
  static readonly className = 'LSTM';
  protected readonly gates = 4;
  constructor(args: GatedRNNLayerArgs) {
    super(args, LSTM.className);
  }
  get className(): string {
    return LSTM.className;
  }
  protected step(xt: PrivateTensor, state: State | undefined, [recurrent]: readonly PrivateTensor[], options: CallOptions): State {
    const u = this.units;
    const z = state === undefined ? xt : xt.add(state.h.matmul(recurrent));
    const ifo = this.act(columns(z, 0, 2 * u).concat([columns(z, 3 * u, u)], 1), this.recurrentActivation, options);
    const [i, f, o] = [columns(ifo, 0, u), columns(ifo, u, u), columns(ifo, 2 * u, u)];
    const g = this.act(columns(z, 2 * u, u), this.activation, options);
    const ig = i.mul(g);
    const c = state?.c === undefined ? ig : f.mul(state.c).add(ig);
    return { h: o.mul(this.act(c, this.activation, options)), c };
  }
}

/**
 * GRU, as tf.layers.gru (reset_after false, tfjs's only form): z, r =
 * recurrentActivation (one call), hh = activation(x_h + (r h) U_h),
 * h = z h + (1 - z) hh = hh + z (h - hh).
 */
export class GRU extends GatedRNN {
  static readonly className = 'GRU';
  protected readonly gates = 3;
  constructor(args: GatedRNNLayerArgs & { resetAfter?: boolean }) {
    super(args, GRU.className);
    if (args.resetAfter === true) throw new NotImplementedError(`${this.name} (GRU): resetAfter true is not supported; supported: false (as tfjs)`);
  }
  get className(): string {
    return GRU.className;
  }
  /** U split as tfjs splits it: the z and r columns, and the candidate's. */
  protected override recurrentKernels(): PrivateTensor[] {
    const u = this.units;
    const r = this.weights[1];
    return [r.slice([0, 0], [u, 2 * u]), r.slice([0, 2 * u], [u, u])];
  }
  protected step(xt: PrivateTensor, state: State | undefined, [uzr, uh]: readonly PrivateTensor[], options: CallOptions): State {
    const u = this.units;
    const xzr = columns(xt, 0, 2 * u);
    const xh = columns(xt, 2 * u, u);
    if (state === undefined) {
      const z0 = columns(this.act(xzr, this.recurrentActivation, options), 0, u);
      const hh0 = this.act(xh, this.activation, options);
      return { h: hh0.sub(z0.mul(hh0)) };
    }
    const h = state.h;
    const zr = this.act(xzr.add(h.matmul(uzr)), this.recurrentActivation, options);
    const [z, r] = [columns(zr, 0, u), columns(zr, u, u)];
    const hh = this.act(xh.add(r.mul(h).matmul(uh)), this.activation, options);
    return { h: hh.add(z.mul(h.sub(hh))) };
  }
  override getConfig(): LayerConfig {
    return { ...super.getConfig(), resetAfter: false };
  }
}
