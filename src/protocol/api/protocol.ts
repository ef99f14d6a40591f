/**
 * The interface layers and models program against. A protocol gets values in
 * (inputs, variables, constants) and out (reveal), runs every secure op through
 * one choke point (`run`) where recorders (a gradient tape) see each op, and
 * estimates what ops cost without running them.
 */
import type * as tf from '@tensorflow/tfjs';
import type { Config, TrafficSnapshot } from '../../network/index.js';
import type { RingTensor } from '../../ring/index.js';
import type { Held } from './held.js';
import type { Float64Values, TensorLike } from './tensor-like.js';
import type { OpCost, OpRecorder, OpRunner, PrivateTensor, ProtocolOps, PublicTensor, SecretTensor, Tensor } from './ops.js';

/** A user function producing an input value, run only on the input's owner. */
export type InputProvider = () => TensorLike | Promise<TensorLike>;

/** Options of {@link Protocol.definePrivateInput}. */
export interface PrivateInputOptions {
  /**
   * The public shape of the input. Required when the provider is async or its
   * owner runs in another process; checked against the value otherwise.
   */
  shape?: readonly number[];
  /**
   * Also open the input's Beaver mask while sharing it (tf-encrypted's masked
   * inputs): one round less before its first product, the same traffic. Use
   * it for inputs that are multiplied, such as a model's input.
   */
  masked?: boolean;
}

/** Options of variable definitions. */
export interface VariableOptions {
  /** Who secret-shares the initial value (default: the protocol's {@link Protocol.defaultOwner}). */
  owner?: string;
  /**
   * The public shape; required with a provider whose owner runs in another
   * process (only the owner has the value), checked against the value otherwise.
   */
  shape?: readonly number[];
}

/** A private tensor whose shares can be replaced (training updates). */
export interface PrivateVariable extends PrivateTensor {
  /** Replaces the value; operations issued afterwards read the new shares. */
  assign(value: SecretTensor): void;
}

/**
 * Costs of ops issued inside `cost(fn)`, on placeholder inputs and on the
 * protocol's real tensors (which are not touched). Masks opened in one
 * estimator's calls are remembered by it, so a model's weights are masked in
 * a first call and not counted again in the next ones, as in a real run.
 */
export interface CostEstimator {
  /** A private placeholder of `shape`: it has no value and nothing is sent for it. */
  input(shape: readonly number[]): PrivateTensor;
  /** Runs `fn` with every op costed instead of computed. */
  cost<T>(fn: () => T): { readonly result: T; readonly cost: OpCost };
}

/** A secure computation protocol: values in and out, and every op of {@link ProtocolOps}. */
export interface Protocol extends OpRunner, ProtocolOps {
  readonly config: Config;
  /** Fractional bits of the fixed-point encoding. */
  readonly fracBits: number;
  /** The player that secret-shares values when no owner is named (Pond: the first server). */
  readonly defaultOwner: string;

  /** A public constant known to every player (every process passes the same value). */
  definePublicVariable(value: TensorLike): PublicTensor;
  /** A private variable: `owner` secret-shares the initial value (a value, a provider run on the owner, or a tensor). */
  definePrivateVariable(initialValue: TensorLike | Tensor | InputProvider, options?: VariableOptions): PrivateVariable;
  /** A private input: `provider` runs only on `player`, whose process encodes and secret-shares the value. */
  definePrivateInput(player: string, provider: InputProvider, options?: PrivateInputOptions): PrivateTensor;

  /**
   * Reveals `x` to `player` only: resolves to the value where `player` runs
   * and to `undefined` elsewhere. Without `player`, reveals to every player.
   */
  reveal(x: Tensor): Promise<tf.Tensor>;
  reveal(x: Tensor, player: string): Promise<tf.Tensor | undefined>;
  /** As {@link Protocol.reveal}, with the exact float64 decoding and its shape. */
  revealFloat64(x: Tensor): Promise<Float64Values>;
  revealFloat64(x: Tensor, player: string): Promise<Float64Values | undefined>;
  /**
   * Reveals `x` to `player` only and gives every process a {@link Held}
   * value: `held.value` where `player` runs, a WrongPlayerError naming it
   * elsewhere; `held.use(fn)` runs `fn` only there.
   */
  revealOn(player: string, x: Tensor): Promise<Held<tf.Tensor>>;
  /** Reveals `x` to `player` and runs `receiver` there with the value. */
  defineOutput(player: string, x: Tensor, receiver: (value: tf.Tensor) => void | Promise<void>): Promise<void>;

  /** tf.concat of `xs` along `axis` (the op `concat` with the first tensor as receiver). */
  concat(xs: readonly Tensor[], axis?: number): Tensor;

  /** Lets `recorder` see every op until the returned function is called. */
  record(recorder: OpRecorder): () => void;
  /**
   * Estimates the cost of ops without computing them or sending anything:
   * each op is costed by the protocol's op table.
   */
  costEstimator(): CostEstimator;

  /**
   * A fresh seed every player learns (public randomness, for shuffling and
   * dropout masks; never for secrets): the first server draws it.
   */
  publicSeed(): Promise<Uint8Array>;
  /**
   * Resolves on every player once the servers have computed `after`: players
   * that only send (the crypto producer, inputters) then run at most as far
   * ahead as the caller lets them (a training loop syncs once per batch).
   */
  sync(after: readonly Tensor[]): Promise<void>;

  /** The players that hold shares (Pond: the two servers), in share order. */
  readonly shareHolders: readonly string[];
  /** The shares of `x` that players of this process hold, by holder index; nothing is sent. */
  localShares(x: Tensor): Promise<ReadonlyMap<number, RingTensor>>;
  /**
   * A private tensor from shares the holders already hold (stored shares, a
   * client's input): `share(i)` runs on holder i only; nothing is sent.
   */
  privateFromShares(shape: readonly number[], share: (holder: 0 | 1) => RingTensor | Promise<RingTensor>, fracBits?: number): PrivateTensor;

  /** Traffic counted by this process's players since the start. */
  traffic(): TrafficSnapshot;
  /** Waits until every part this process started has finished; throws the first error. */
  flush(): Promise<void>;
}

/** Whether a tensor's runner is a whole protocol (every protocol is; the check guards foreign objects). */
export function isProtocol(r: OpRunner): r is Protocol {
  return typeof (r as Partial<Protocol>).definePrivateVariable === 'function' && typeof (r as Partial<Protocol>).costEstimator === 'function';
}
