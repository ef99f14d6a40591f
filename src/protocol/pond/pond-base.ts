/**
 * The base of the Pond protocol: roles, options, the runtime and the dealer,
 * getting values in (inputs, variables, constants) and out (reveal), and the
 * helpers every op uses. Ops live in the subclasses (pond-arithmetic.ts,
 * pond.ts), one concern per file.
 */
import type * as tf from '@tensorflow/tfjs';
import { check, ConfigError, ValueError } from '../../errors.js';
import { osRandom, type RandomSource } from '../../crypto/index.js';
import type { Config, TrafficSnapshot } from '../../network/index.js';
import * as ring from '../../ring/index.js';
import { checkFracBits, DEFAULT_FRAC_BITS, RingTensor } from '../../ring/index.js';
import { OnlineTripleSource } from '../dealer/online.js';
import type { TripleSource } from '../dealer/triple-source.js';
import { Runtime } from '../runtime.js';
import { shapeOf, toFloat64, toFloat64Async, toTfTensor, type Float64Values, type TensorLike } from '../tensor-like.js';
import { publicScalar, type PondContext, type TruncationMode } from './context.js';
import * as linear from './linear.js';
import type { Pond } from './pond.js';
import { revealTo, shareInput, shareMaskedInput } from './sharing.js';
import { PondMaskedTensor, PondPrivateTensor, PondPublicTensor, type Operand, type PondSecretTensor, type PondTensor } from './tensors.js';

/** Who plays which role. */
export interface PondRoles {
  /** The two servers that hold the shares. */
  servers: readonly [string, string];
  /** The dealer of correlated randomness; it never sees data. */
  cryptoProducer: string;
}

/** Options of the protocol. */
export interface PondOptions {
  /** Fractional bits of the fixed-point encoding (default 16). */
  fracBits?: number;
  /**
   * Truncation after products: 'dealer' (default; one round, never more than
   * one unit in the last place off for |z| < 2^62) or 'local' (SecureML; no
   * round, fails with probability about |z| / 2^63 per element).
   */
  truncation?: TruncationMode;
  /** Where triples come from (default: the crypto producer, online). */
  tripleSource?: (rt: Runtime, servers: readonly [string, string], cryptoProducer: string, random: RandomSource) => TripleSource;
  /**
   * Each player's source of fresh seeds (default: the OS CSPRNG). Pass
   * `(p) => seededRandom(seed, p)` only to make a run reproducible in tests:
   * it is not secure.
   */
  randomness?: (player: string) => RandomSource;
}

/** Options of {@link Pond.definePrivateInput}. */
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
  /** Who secret-shares the initial value (default: the first server). */
  owner?: string;
  /**
   * The public shape; required with a provider whose owner runs in another
   * process (only the owner has the value), checked against the value otherwise.
   */
  shape?: readonly number[];
}

/** A user function producing an input value, run only on the input's owner. */
export type InputProvider = () => TensorLike | Promise<TensorLike>;

/** Roles, values in and out, runtime; see {@link Pond} for the ops. */
export abstract class PondBase {
  readonly servers: readonly [string, string];
  readonly cryptoProducer: string;
  readonly fracBits: number;
  protected readonly ctx: PondContext;

  constructor(readonly config: Config, roles: PondRoles, options: PondOptions = {}) {
    const { servers, cryptoProducer } = roles;
    if (!Array.isArray(servers) || servers.length !== 2 || servers[0] === servers[1]) {
      throw new ConfigError(`Pond: servers must be two distinct player names, got ${JSON.stringify(servers)}`);
    }
    for (const p of [...servers, cryptoProducer]) config.player(p, 'Pond');
    if (servers.includes(cryptoProducer)) throw new ConfigError(`Pond: the crypto producer '${cryptoProducer}' cannot also be a server`);
    const fracBits = options.fracBits ?? DEFAULT_FRAC_BITS;
    checkFracBits(fracBits);
    const truncation = options.truncation ?? 'dealer';
    check(truncation === 'dealer' || truncation === 'local', () => `Pond: truncation must be 'dealer' or 'local', got '${String(truncation)}'`);
    this.servers = [servers[0], servers[1]];
    this.cryptoProducer = cryptoProducer;
    this.fracBits = fracBits;
    const rt = new Runtime(config);
    const randomness = options.randomness ?? (() => osRandom);
    const makeTriples = options.tripleSource ?? ((r, s, c, rand) => new OnlineTripleSource(r, s, c, rand));
    const triples = makeTriples(rt, this.servers, cryptoProducer, randomness(cryptoProducer));
    // Only Pond (the complete class) is ever instantiated.
    this.ctx = { prot: this as unknown as Pond, rt, servers: this.servers, dealer: cryptoProducer, fracBits, triples, truncation, randomness };
  }

  // ---------------------------------------------------------------- values

  /** A public constant known to every player (every process must pass the same value). */
  definePublicVariable(value: TensorLike): PondPublicTensor {
    const v = toFloat64(value, undefined, 'definePublicVariable');
    return new PondPublicTensor(this.ctx.prot, ring.encode(v.values, v.shape, this.fracBits, 'definePublicVariable'), this.fracBits);
  }

  /**
   * A private variable: `owner` (default: the first server) secret-shares the
   * initial value. Pass the value itself (every process then passes it), or a
   * provider that runs only on the owner, with `{ shape }` when the owner runs
   * in another process. Its shares can be replaced with {@link PondPrivateVariable.assign}.
   */
  definePrivateVariable(initialValue: TensorLike | PondTensor | InputProvider, options: VariableOptions = {}): PondPrivateVariable {
    if (isPondTensor(initialValue)) {
      const p = this.toPrivate(initialValue);
      return new PondPrivateVariable(this.ctx.prot, p.shape, p.shares, p.fracBits);
    }
    const owner = options.owner ?? this.servers[0];
    this.config.player(owner, 'definePrivateVariable');
    // A provider runs only on the owner (which may be another process): like an input.
    const p = typeof initialValue === 'function'
      ? this.definePrivateInput(owner, initialValue, options.shape === undefined ? {} : { shape: options.shape })
      : this.shareValue(owner, initialValue, options.shape);
    return new PondPrivateVariable(this.ctx.prot, p.shape, p.shares, p.fracBits);
  }

  private shareValue(owner: string, value: TensorLike, declared: readonly number[] | undefined): PondPrivateTensor {
    const shape = declared ?? shapeOf(value, 'definePrivateVariable');
    return shareInput(this.ctx, owner, shape, this.fracBits, async () => toFloat64Async(value, shape, 'definePrivateVariable'), 'definePrivateVariable');
  }

  /**
   * A private input: `provider` runs only on `player`, whose process encodes
   * and secret-shares the value. The shape is public: pass `{ shape }` when the
   * provider is async or runs in another process.
   */
  definePrivateInput(player: string, provider: InputProvider, options: PrivateInputOptions = {}): PondPrivateTensor {
    this.config.player(player, 'definePrivateInput');
    check(typeof provider === 'function', () => 'definePrivateInput: provider must be a function returning the value');
    if (options.shape === undefined) {
      // No declared shape: run the provider now, on its (local) owner, to learn it.
      if (!this.config.isLocal(player)) {
        throw new ValueError(`definePrivateInput: '${player}' runs in another process, so the input's shape must be given as { shape }`);
      }
      const v = provider();
      if (v instanceof Promise) {
        throw new ValueError("definePrivateInput: the provider is async, so the input's shape must be given as { shape }");
      }
      const values = toFloat64(v, undefined, 'definePrivateInput');
      return (options.masked === true ? shareMaskedInput : shareInput)(this.ctx, player, values.shape, this.fracBits, async () => values, 'definePrivateInput');
    }
    const shape = options.shape;
    ring.assertValidShape(shape, 'definePrivateInput');
    const produce = async (): Promise<Float64Values> => toFloat64Async(await provider(), shape, 'definePrivateInput');
    return (options.masked === true ? shareMaskedInput : shareInput)(this.ctx, player, shape, this.fracBits, produce, 'definePrivateInput');
  }

  /**
   * Reveals `x` to `player` only. Resolves to the value as a float32
   * tf.Tensor in the process where `player` runs and to `undefined` in the
   * others, once their part is done. Without `player`, reveals to every player.
   */
  reveal(x: PondTensor): Promise<tf.Tensor>;
  reveal(x: PondTensor, player: string): Promise<tf.Tensor | undefined>;
  async reveal(x: PondTensor, player?: string): Promise<tf.Tensor | undefined> {
    const v = await this.revealFloat64(x, player as string);
    return v === undefined ? undefined : toTfTensor(v);
  }

  /** As {@link Pond.reveal}, with the exact float64 decoding and its shape. */
  revealFloat64(x: PondTensor): Promise<Float64Values>;
  revealFloat64(x: PondTensor, player: string): Promise<Float64Values | undefined>;
  async revealFloat64(x: PondTensor, player?: string): Promise<Float64Values | undefined> {
    this.checkTensor(x, 'reveal');
    const receivers = player === undefined ? this.config.playerNames : [this.config.player(player, 'reveal').name];
    const r = revealTo(this.ctx, x, receivers);
    await r.done;
    const mine = receivers.find((p) => this.config.isLocal(p));
    return mine === undefined ? undefined : r.values.get(mine)?.value();
  }

  /**
   * Reveals `x` to `player` and runs `receiver` there with the value; the
   * other processes only do their part. Resolves when this process is done.
   */
  async defineOutput(player: string, x: PondTensor, receiver: (value: tf.Tensor) => void | Promise<void>): Promise<void> {
    this.config.player(player, 'defineOutput');
    const v = await this.reveal(x, player);
    if (v !== undefined) await receiver(v);
  }

  // ---------------------------------------------------------------- runtime

  /** Traffic counted by this process's players since the start (or reset). */
  traffic(): TrafficSnapshot {
    return this.config.transport.counters.snapshot();
  }

  /**
   * Waits until every part this process started has finished and throws the
   * first error any of them raised (such as a PeerLostError).
   */
  flush(): Promise<void> {
    return this.ctx.rt.flush();
  }

  // ---------------------------------------------------------------- helpers

  protected checkTensor<T extends PondTensor>(x: T, op: string): T {
    check(isPondTensor(x), () => `${op}: expected a Pond tensor, got ${describe(x)}`);
    check(x.prot === this.ctx.prot, () => `${op}: the tensor belongs to another protocol instance`);
    return x;
  }

  /** Tensors pass through; numbers become public scalars at the protocol's scale. */
  protected lift(x: Operand, op: string): PondTensor {
    if (typeof x === 'number') {
      check(Number.isFinite(x), () => `${op}: numbers must be finite`);
      return publicScalar(this.ctx, x, this.fracBits);
    }
    return this.checkTensor(x, op);
  }

  /** A function of a public tensor, computed in the clear; `domain` rejects bad inputs by name. */
  protected publicMap(x: PondPublicTensor, fn: (v: number) => number, op: string, domain?: (v: number) => boolean, expected?: string): PondPublicTensor {
    const values = ring.decode(x.value, x.fracBits);
    if (domain !== undefined) {
      const bad = values.findIndex((v) => !domain(v));
      if (bad >= 0) throw new ValueError(`${op}: element ${bad} of the public input is outside the domain; expected ${expected}`);
    }
    return new PondPublicTensor(this.ctx.prot, ring.encode(values.map(fn), x.shape, this.fracBits, op), this.fracBits);
  }

  /** A public value as a (trivial) sharing: server 0 holds it, server 1 zero. */
  protected toPrivate(x: PondTensor): PondPrivateTensor {
    if (x.kind !== 'public') return linear.unmasked(x);
    return new PondPrivateTensor(this.ctx.prot, x.shape, [
      this.ctx.rt.on(this.servers[0], () => x.value),
      this.ctx.rt.on(this.servers[1], () => RingTensor.zeros(x.shape)),
    ], x.fracBits);
  }
}

/** A private tensor whose shares can be replaced (training updates). */
export class PondPrivateVariable extends PondPrivateTensor {
  /** Replaces the value; operations issued afterwards read the new shares. */
  assign(value: PondSecretTensor): void {
    const v = linear.unmasked(value);
    check(
      v.shape.length === this.shape.length && v.shape.every((d, i) => d === this.shape[i]),
      () => `assign: value shape [${v.shape.join(',')}] differs from the variable's [${this.shape.join(',')}]`,
    );
    this.replaceShares(v.shares, v.fracBits);
  }
}

function isPondTensor(x: unknown): x is PondTensor {
  return x instanceof PondPublicTensor || x instanceof PondPrivateTensor || x instanceof PondMaskedTensor;
}

function describe(x: unknown): string {
  if (x === null) return 'null';
  if (typeof x === 'object') return (x as object).constructor?.name ?? 'object';
  return typeof x;
}

