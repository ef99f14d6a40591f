/**
 * Pond: two servers hold additive shares of every private value and a crypto
 * producer deals correlated randomness (tf-encrypted's Pond protocol).
 *
 * Fixed point: `fracBits` fractional bits (16 by default). With f = 16 a value
 * is encodable while |x| < 2^47, and a product of two values is exact (to one
 * unit in the last place after truncation) while |x * y| < 2^30. In general
 * |x| < 2^(63-f) and |x * y| < 2^(62-2f).
 *
 * Every op goes through {@link Pond.run}: the op table (op-table/) holds each
 * op's implementation and cost; the `prot.op(x, ...)` methods and the tensors'
 * fluent methods are installed from it.
 *
 * @example
 * const prot = new tfe.protocol.Pond(config, { servers: ['server0', 'server1'], cryptoProducer: 'crypto-producer' });
 * const x = prot.definePrivateInput('inputter', () => [[1, 2], [3, 4]]);
 * const y = x.matmul(prot.definePrivateVariable([[0.5], [-1]]));
 * const out = await prot.reveal(y, 'result-receiver');
 */
import type * as tf from '@tensorflow/tfjs';
import { check, checkShape, ConfigError, ValueError } from '../../errors.js';
import { dcfUnsupported, osRandom } from '../../crypto/index.js';
import type { Config, TrafficSnapshot } from '../../network/index.js';
import * as ring from '../../ring/index.js';
import { checkFracBits, DEFAULT_FRAC_BITS, type RingTensor } from '../../ring/index.js';
import {
  addCosts,
  Held,
  installFluentOps,
  type CostEstimator,
  type Float64Values,
  type InputProvider,
  type OpCost,
  type OpName,
  type OpRecorder,
  type PrivateInputOptions,
  type PrivateTensor,
  type PrivateVariable,
  type PublicTensor,
  type Protocol,
  type ProtocolOps,
  type Tensor,
  type TensorLike,
  type VariableOptions,
} from '../api/index.js';
import { shapeOf, toFloat64, toFloat64Async, toTfTensor } from '../api/tensor-like.js';
import { OnlineTripleSource } from '../dealer/online.js';
import type { ServerPair } from '../dealer/triple-source.js';
import { Placed } from '../placed.js';
import { Runtime } from '../runtime.js';
import { CostBuilder } from './cost.js';
import { MaskCache, onServers, publicScalar, toPrivate, unmasked, type PondContext } from './context.js';
import { publicSeed, sync } from './coordination.js';
import { POND_OPS, type PondOp } from './op-table/index.js';
import { defaultWarningHandler, overflowWarning, type OverflowWarningHandler } from './overflow.js';
import { DEFAULT_DEALER_WINDOW, MIN_DEALER_WINDOW, type PondOptions, type PondRoles } from './options.js';
import { PRODUCT_OPS, withRangeCheck } from './range-check.js';
import { revealTo, shareInput } from './sharing.js';
import { isPondTensor, PondPrivateTensor, PondPublicTensor, type PondTensor } from './tensors.js';
import { PondPrivateVariable } from './variable.js';

type TripleFactory = NonNullable<PondOptions['tripleSource']>;

/** A cost estimate in progress: its detached context and what it has counted. */
interface Trace {
  readonly ctx: PondContext;
  readonly costs: OpCost[];
}

/** The Pond protocol: values in and out, and every op of the op table. */
// The class merges with the interface at the end of the file, which types the installed `prot.op(x, ...)` methods.
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class Pond implements Protocol {
  readonly servers: readonly [string, string];
  readonly cryptoProducer: string;
  readonly fracBits: number;
  private readonly ctx: PondContext;
  private readonly makeTriples: TripleFactory;
  private readonly dealerWindow: number | undefined;
  private readonly recorders = new Set<OpRecorder>();
  private readonly onWarning: OverflowWarningHandler;
  private readonly checkRanges: boolean;
  private trace: Trace | undefined;
  /** Ops in progress: recorders and estimates see only the outermost. */
  private depth = 0;

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
    check(options.onWarning === undefined || typeof options.onWarning === 'function', () => `Pond: onWarning must be a function, got ${typeof options.onWarning}`);
    this.onWarning = options.onWarning ?? defaultWarningHandler;
    check(options.checkRanges === undefined || typeof options.checkRanges === 'boolean', () => `Pond: checkRanges must be a boolean, got ${typeof options.checkRanges}`);
    this.checkRanges = options.checkRanges === true;
    const comparison = options.comparison ?? 'adder';
    check(comparison === 'adder' || comparison === 'fss', () => `Pond: comparison must be 'adder' or 'fss', got ${String(comparison)}`);
    // The servers and the crypto producer evaluate and make the keys: refuse at once where they cannot.
    const cannot = comparison === 'fss' && [...this.servers, cryptoProducer].some((p) => config.isLocal(p)) ? dcfUnsupported() : undefined;
    if (cannot !== undefined) throw new ConfigError(`Pond: ${cannot}`);
    const rt = Runtime.of(config);
    const randomness = options.randomness ?? (() => osRandom);
    const window = options.dealerWindow ?? DEFAULT_DEALER_WINDOW;
    check(window === false || (Number.isInteger(window) && window >= MIN_DEALER_WINDOW), () => `Pond: dealerWindow must be false or an integer of at least ${MIN_DEALER_WINDOW} operations, got ${String(window)}`);
    this.dealerWindow = window === false ? undefined : window;
    this.makeTriples = options.tripleSource ?? ((r, s, c, rand, w) => new OnlineTripleSource(r, s, c, rand, w));
    const triples = this.makeTriples(rt, this.servers, cryptoProducer, randomness(cryptoProducer), this.dealerWindow);
    const reluBits = options.reluBits ?? 64;
    check(reluBits === 64 || reluBits === 32, () => `Pond: reluBits must be 64 or 32, got ${String(reluBits)}`);
    this.ctx = { prot: this, rt, servers: this.servers, dealer: cryptoProducer, fracBits, triples, truncation, randomness, masks: new MaskCache(), reluBits, comparison };
  }

  /** The two servers hold the shares. */
  get shareHolders(): readonly string[] {
    return this.servers;
  }

  /** The shares of `x` that this process's servers hold (a public tensor: server 0 holds it, server 1 zeros). */
  async localShares(x: Tensor): Promise<ReadonlyMap<number, RingTensor>> {
    const p = toPrivate(this.ctx, this.checkTensor(x, 'localShares'));
    const out = new Map<number, RingTensor>();
    for (const i of [0, 1] as const) if (p.shares[i].isLocal) out.set(i, await p.shares[i].value());
    return out;
  }

  /** The first server: it secret-shares values no owner was named for. */
  get defaultOwner(): string {
    return this.servers[0];
  }

  // ---------------------------------------------------------------- the choke point

  /**
   * Runs op `op`: validates the arguments (tensors of this protocol, finite
   * numbers), lifts a number receiver to a public scalar, runs the op table's
   * implementation, lets recorders see it, and during a cost estimate counts
   * its cost instead of computing anything.
   */
  run(op: OpName, args: readonly unknown[]): Tensor {
    check(args.length > 0, () => `${op}: needs a tensor to operate on`);
    args.forEach((a) => this.checkArg(a, op));
    // Implementations get variables' current shares (an op issued now must not
    // see a later assign); recorders see the variables themselves.
    const checked = args.map(snapshot);
    const receiver = checked[0];
    if (!(isPondTensor(receiver) || typeof receiver === 'number')) throw new ValueError(`${op}: expected a tensor or a number to operate on, got ${describe(receiver)}`);
    const x = typeof receiver === 'number' ? publicScalar(this.ctx, receiver, this.fracBits) : receiver;
    const rest = checked.slice(1);
    const entry = POND_OPS[op] as unknown as PondOp<OpName>;
    const trace = this.depth === 0 ? this.trace : undefined;
    const before = trace === undefined ? undefined : this.masksBefore(trace.ctx, [x, ...rest]);
    // While a recorder listens, the outermost op may save values its gradient needs.
    const saved = this.depth === 0 && this.recorders.size > 0 && this.trace === undefined ? new Map<string, PondTensor>() : undefined;
    const base = this.trace?.ctx ?? this.ctx;
    this.depth += 1;
    let out: PondTensor;
    try {
      out = (entry.run as (ctx: PondContext, x: PondTensor, ...a: unknown[]) => PondTensor)(saved === undefined ? base : { ...base, saved }, x, ...rest);
      // Only outermost, real (not estimated) products: with checkRanges off nothing changes.
      if (this.checkRanges && this.depth === 1 && trace === undefined && this.trace === undefined && PRODUCT_OPS.has(op)) out = withRangeCheck(base, op, [x, ...rest], out);
    } finally {
      this.depth -= 1;
    }
    if (this.depth === 0) {
      if (trace !== undefined && before !== undefined) {
        const cc = { fracBits: this.fracBits, reluBits: this.ctx.reluBits, builder: () => new CostBuilder(this.ctx.truncation, this.ctx.comparison), wasMasked: (t: PondTensor) => t.kind === 'masked' || before.masked.has(unmasked(t as PondPrivateTensor).shares),
          partsBefore: (t: PondTensor) => (t.kind === 'private' ? (before.parts.get(t.shares) ?? 0) : 0),
        };
        trace.costs.push((entry.cost as (cc: unknown, out: PondTensor, x: PondTensor, ...a: unknown[]) => OpCost)(cc, out, x, ...rest));
      }
      const recorded = typeof args[0] === 'number' ? [x, ...args.slice(1)] : args;
      for (const r of this.recorders) r.record({ op, args: recorded, output: out, saved: saved ?? new Map() });
    }
    return out;
  }

  /** tf.concat of `xs` along `axis`: public only if every tensor is. */
  concat(xs: readonly Tensor[], axis = 0): Tensor {
    check(Array.isArray(xs) && xs.length > 0, () => 'concat: needs a non-empty list of tensors');
    return this.run('concat', [xs[0], xs.slice(1), axis]);
  }

  /** Lets `recorder` see every op (the outermost ones) until the returned function is called. */
  record(recorder: OpRecorder): () => void {
    this.recorders.add(recorder);
    return () => {
      this.recorders.delete(recorder);
    };
  }

  /**
   * Estimates what ops cost without computing or sending anything: ops run in
   * a detached context where no player is local, and each op's cost comes
   * from the op table. Masks opened during an estimate stay in the estimate.
   */
  costEstimator(): CostEstimator {
    const rt = Runtime.detached(this.config);
    const ctx: PondContext = { ...this.ctx, rt, triples: this.makeTriples(rt, this.servers, this.cryptoProducer, osRandom, this.dealerWindow), masks: this.ctx.masks.child() };
    return {
      input: (shape) => {
        ring.assertValidShape(shape, 'costEstimator.input');
        return new PondPrivateTensor(this, [...shape], [Placed.remote(this.servers[0]), Placed.remote(this.servers[1])], this.fracBits);
      },
      cost: (fn) => {
        check(this.trace === undefined, () => 'costEstimator: estimates cannot be nested');
        const trace: Trace = { ctx, costs: [] };
        this.trace = trace;
        try {
          return { result: fn(), cost: addCosts(trace.costs) };
        } finally {
          this.trace = undefined;
        }
      },
    };
  }

  /**
   * What the private args carried before an op, for its cost: an opened mask
   * (their shares in `masked`), or else a truncation's mask (its part count in `parts`).
   */
  private masksBefore(ctx: PondContext, args: readonly unknown[]): { masked: Set<ServerPair<RingTensor>>; parts: Map<ServerPair<RingTensor>, number> } {
    const masked = new Set<ServerPair<RingTensor>>();
    const parts = new Map<ServerPair<RingTensor>, number>();
    const visit = (a: unknown): void => {
      if (Array.isArray(a)) a.forEach(visit);
      else if (a instanceof PondPrivateTensor) {
        if (ctx.masks.get(a) !== undefined) masked.add(a.shares);
        else {
          const p = ctx.masks.getParts(a);
          if (p !== undefined) parts.set(a.shares, p.count);
        }
      }
    };
    args.forEach(visit);
    return { masked, parts };
  }

  /** Tensors must be this protocol's, numbers finite; arrays are checked element by element. */
  private checkArg(a: unknown, op: string): void {
    if (Array.isArray(a)) {
      a.forEach((e) => this.checkArg(e, op));
    } else if (typeof a === 'number') {
      check(Number.isFinite(a), () => `${op}: numbers must be finite`);
    } else if (typeof a === 'object' && a !== null && 'protocol' in a && 'kind' in a) {
      check(isPondTensor(a), () => `${op}: expected a Pond tensor, got ${describe(a)}`);
      check(a.protocol === this, () => `${op}: the tensor belongs to another protocol instance`);
    }
  }

  // ---------------------------------------------------------------- values

  /** A public constant known to every player (every process must pass the same value). */
  definePublicVariable(value: TensorLike): PublicTensor {
    const v = toFloat64(value, undefined, 'definePublicVariable');
    return new PondPublicTensor(this, ring.encode(v.values, v.shape, this.fracBits, 'definePublicVariable'), this.fracBits);
  }

  /**
   * A private variable: `owner` (default: the first server) secret-shares the
   * initial value. Pass the value itself (every process then passes it), or a
   * provider that runs only on the owner, with `{ shape }` when the owner runs
   * in another process. Its shares can be replaced with {@link PondPrivateVariable.assign}.
   */
  definePrivateVariable(initialValue: TensorLike | Tensor | InputProvider, options: VariableOptions = {}): PrivateVariable {
    if (isPondTensor(initialValue)) {
      this.checkArg(initialValue, 'definePrivateVariable');
      const p = toPrivate(this.ctx, initialValue);
      return new PondPrivateVariable(this, p.shape, p.shares, p.fracBits);
    }
    const owner = options.owner ?? this.defaultOwner;
    this.config.player(owner, 'definePrivateVariable');
    const provider: InputProvider = typeof initialValue === 'function' ? initialValue : () => initialValue as TensorLike;
    const shape = options.shape ?? (typeof initialValue === 'function' ? undefined : shapeOf(initialValue as TensorLike, 'definePrivateVariable'));
    const p = this.shareFrom(owner, provider, shape, false, 'definePrivateVariable');
    return new PondPrivateVariable(this, p.shape, p.shares, p.fracBits);
  }

  /**
   * A private input: `provider` runs only on `player`, whose process encodes
   * and secret-shares the value. The shape is public: pass `{ shape }` when the
   * provider is async or runs in another process.
   */
  definePrivateInput(player: string, provider: InputProvider, options: PrivateInputOptions = {}): PrivateTensor {
    this.config.player(player, 'definePrivateInput');
    check(typeof provider === 'function', () => 'definePrivateInput: provider must be a function returning the value');
    return this.shareFrom(player, provider, options.shape, options.masked === true, 'definePrivateInput');
  }

  /**
   * A private tensor from shares the servers already hold: values shared
   * outside the program, such as a serving client's input or shares stored
   * on disk. `share(i)` runs on server i only and gives its share of `shape`
   * (words mod 2^64 at `fracBits` fractional bits, default the protocol's).
   * Nothing is sent; a share of another shape fails the tensor with a ShapeError.
   */
  privateFromShares(shape: readonly number[], share: (server: 0 | 1) => RingTensor | Promise<RingTensor>, fracBits = this.fracBits): PrivateTensor {
    ring.assertValidShape(shape, 'privateFromShares');
    checkFracBits(fracBits);
    const shares = onServers(this.ctx, async (i) => {
      const s = await share(i);
      checkShape(s.shape.length === shape.length && s.shape.every((d, j) => d === shape[j]), () => `privateFromShares: server ${i}'s share has shape ${ring.fmt(s.shape)}, expected ${ring.fmt(shape)}`);
      return s;
    });
    return new PondPrivateTensor(this, [...shape], shares, fracBits);
  }

  /** Shares what `provider` gives on `owner`; without a declared shape the provider runs now, on its (local) owner. */
  private shareFrom(owner: string, provider: InputProvider, declared: readonly number[] | undefined, masked: boolean, context: string): PondPrivateTensor {
    if (declared === undefined) {
      if (!this.config.isLocal(owner)) throw new ValueError(`${context}: '${owner}' runs in another process, so the value's shape must be given as { shape }`);
      const v = provider();
      if (v instanceof Promise) throw new ValueError(`${context}: the provider is async, so the value's shape must be given as { shape }`);
      const values = toFloat64(v, undefined, context);
      return shareInput(this.ctx, owner, values.shape, async () => values, { masked, context });
    }
    ring.assertValidShape(declared, context);
    return shareInput(this.ctx, owner, declared, async (): Promise<Float64Values> => toFloat64Async(await provider(), declared, context), { masked, context });
  }

  /**
   * Reveals `x` to `player` only. Resolves to the value as a float32
   * tf.Tensor in the process where `player` runs and to `undefined` in the
   * others, once their part is done. Without `player`, reveals to every player.
   */
  reveal(x: Tensor): Promise<tf.Tensor>;
  reveal(x: Tensor, player: string): Promise<tf.Tensor | undefined>;
  async reveal(x: Tensor, player?: string): Promise<tf.Tensor | undefined> {
    const v = await this.revealFloat64(x, player as string);
    return v === undefined ? undefined : toTfTensor(v);
  }

  /** As {@link Pond.reveal}, with the exact float64 decoding and its shape. */
  revealFloat64(x: Tensor): Promise<Float64Values>;
  revealFloat64(x: Tensor, player: string): Promise<Float64Values | undefined>;
  async revealFloat64(x: Tensor, player?: string): Promise<Float64Values | undefined> {
    const t = this.checkTensor(x, 'reveal');
    const receivers = player === undefined ? this.config.playerNames : [this.config.player(player, 'reveal').name];
    const r = revealTo(this.ctx, t, receivers);
    await r.done;
    const mine = receivers.find((p) => this.config.isLocal(p));
    const v = mine === undefined ? undefined : await r.values.get(mine)?.value();
    // Only the receiver, who holds the values anyway, checks them: no extra round or byte.
    const w = v === undefined ? undefined : overflowWarning('reveal', v.values, v.shape, t.fracBits);
    if (w !== undefined) this.onWarning(w);
    return v;
  }

  /**
   * Reveals `x` to `player` only: every process gets a Held value, readable
   * where `player` runs (a WrongPlayerError naming it elsewhere).
   *
   * @example
   * const out = await prot.revealOn('result-receiver', y);
   * await out.use((t) => t.print()); // runs only on the result receiver
   */
  async revealOn(player: string, x: Tensor): Promise<Held<tf.Tensor>> {
    const v = await this.reveal(x, player);
    const here = this.config.playerNames.filter((p) => this.config.isLocal(p));
    return v === undefined ? Held.elsewhere(player, here) : Held.on(player, here, v);
  }

  /**
   * Reveals `x` to `player` and runs `receiver` there with the value; the
   * other processes only do their part. Resolves when this process is done.
   */
  async defineOutput(player: string, x: Tensor, receiver: (value: tf.Tensor) => void | Promise<void>): Promise<void> {
    this.config.player(player, 'defineOutput');
    const v = await this.reveal(x, player);
    if (v !== undefined) await receiver(v);
  }

  // ---------------------------------------------------------------- runtime

  /** A fresh seed from the first server's randomness, sent to every other player (coordination.ts). */
  publicSeed(): Promise<Uint8Array> {
    return publicSeed(this.ctx, this.config);
  }

  /** Resolves once both servers' shares of `after` exist, the first server telling the others (coordination.ts). */
  sync(after: readonly Tensor[]): Promise<void> {
    return sync(this.ctx, this.config, after.map((t) => this.checkTensor(t, 'sync')));
  }

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

  /** A tensor of this protocol, a variable as its current shares. */
  private checkTensor(x: unknown, op: string): PondTensor {
    check(isPondTensor(x), () => `${op}: expected a Pond tensor, got ${describe(x)}`);
    check(x.protocol === this, () => `${op}: the tensor belongs to another protocol instance`);
    return snapshot(x) as PondTensor;
  }
}

// The `prot.op(x, ...args)` form of every op but concat (which takes a list): installed below.
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging, @typescript-eslint/no-empty-object-type
export interface Pond extends ProtocolOps {}

for (const name of Object.keys(POND_OPS) as OpName[]) {
  if (name === 'concat') continue;
  Object.defineProperty(Pond.prototype, name, {
    value: function protocolForm(this: Pond, x: unknown, ...args: unknown[]): Tensor {
      return this.run(name, [x, ...args]);
    },
  });
}
installFluentOps(Object.keys(POND_OPS) as OpName[]);

/** A variable as a plain private tensor of its current shares; anything else as it is (lists element by element). */
function snapshot(a: unknown): unknown {
  if (Array.isArray(a)) return a.map(snapshot);
  return a instanceof PondPrivateVariable ? a.current() : a;
}

function describe(x: unknown): string {
  if (x === null) return 'null';
  if (typeof x === 'object') return (x as object).constructor?.name ?? 'object';
  return typeof x;
}

