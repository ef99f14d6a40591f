/**
 * The Pond of a prediction service, and a configuration that runs nobody.
 *
 * A served model's weights are not secret-shared by an owner when the model
 * is built: the servers already hold their shares (from a share file), and
 * the model owner, when it shares a model, only needs the values the model
 * would share. `ServingPond` therefore lets a model be built with each weight
 * variable taken from a {@link WeightSource} instead of being shared by its
 * owner. Everything else is Pond's.
 */
import { check, ProtocolError } from '../errors.js';
import { Config, TrafficCounters, type Transport } from '../network/index.js';
import { Pond, type InputProvider, type PrivateVariable, type Tensor, type TensorLike, type VariableOptions } from '../protocol/index.js';

/** Gives the variable for the next weight a model asks for: its shape and the owner's provider of its value. */
export type WeightSource = (shape: readonly number[], provider: InputProvider) => PrivateVariable;

export class ServingPond extends Pond {
  private weightSource: WeightSource | undefined;

  /**
   * As Pond's, except while {@link ServingPond.withWeights} runs: then a
   * variable defined by a provider (a model's weight) comes from the weight
   * source, and nothing is shared.
   */
  override definePrivateVariable(initialValue: TensorLike | Tensor | InputProvider, options: VariableOptions = {}): PrivateVariable {
    const source = this.weightSource;
    if (source === undefined || typeof initialValue !== 'function') return super.definePrivateVariable(initialValue, options);
    check(options.shape !== undefined, () => 'ServingPond: a weight must be defined with its shape');
    return source(options.shape, initialValue);
  }

  /** Runs `build` (which builds a model on this protocol) with its weights from `source`. */
  async withWeights<T>(source: WeightSource, build: () => Promise<T>): Promise<T> {
    if (this.weightSource !== undefined) throw new ProtocolError('ServingPond: models are built one at a time');
    this.weightSource = source;
    try {
      return await build();
    } finally {
      this.weightSource = undefined;
    }
  }
}

/** A transport that runs no player: nothing is ever sent or received. */
class NoTransport implements Transport {
  readonly localPlayers: ReadonlySet<string> = new Set();
  readonly counters = new TrafficCounters();

  send(from: string): void {
    throw new ProtocolError(`'${from}' does not run in this process (an offline configuration runs nobody)`);
  }

  receive(to: string): Promise<never> {
    return Promise.reject(new ProtocolError(`'${to}' does not run in this process (an offline configuration runs nobody)`));
  }

  abort(): void {}

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/**
 * A configuration of `names` where no player runs in this process: a protocol
 * on it only builds shapes (a model owner uses it to see what a model shares).
 */
export class OfflineConfig extends Config {
  private readonly none = new NoTransport();

  constructor(names: readonly string[]) {
    super(names.map((name, index) => ({ name, index })), {});
  }

  get transport(): Transport {
    return this.none;
  }
}
